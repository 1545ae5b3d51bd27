package io.audiencepipeline.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class GeneratorSettingsTest {
  private static final LocalDate END = LocalDate.of(2026, 11, 21);

  @Test
  void tooFewPeopleNamesPeople() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GeneratorSettings(99, 42, END, 90, "/tmp/x"));
    assertTrue(e.getMessage().contains("people"), e.getMessage());
  }

  @Test
  void tooManyPeopleNamesPeople() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GeneratorSettings(10_000_001, 42, END, 90, "/tmp/x"));
    assertTrue(e.getMessage().contains("people"), e.getMessage());
  }

  @Test
  void daysOutsideRangeNamesDays() {
    for (int days : new int[] {6, 731}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new GeneratorSettings(100, 42, END, days, "/tmp/x"));
      assertTrue(e.getMessage().contains("days"), e.getMessage());
    }
  }

  @Test
  void missingEndDateAndOutputAreBothReported() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GeneratorSettings(100, 42, null, 90, " "));
    assertTrue(e.getMessage().contains("endDate"), e.getMessage());
    assertTrue(e.getMessage().contains("outputPath"), e.getMessage());
  }

  @Test
  void startDateCountsTheEndDateAsTheLastDay() {
    assertEquals(LocalDate.of(2026, 8, 24), new GeneratorSettings(2500, 42, END, 90, "/tmp/x").startDate());
  }
}
