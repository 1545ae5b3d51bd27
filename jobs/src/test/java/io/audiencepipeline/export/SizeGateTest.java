package io.audiencepipeline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.config.SegmentationSettings.QualityGate;
import io.audiencepipeline.export.SizeGate.Status;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SizeGateTest {
  private static final QualityGate HALF = new QualityGate(0.5, false);

  @Test
  void holdsAChangeBeyondTheLimitInEitherDirection() {
    assertEquals(Status.PASSED, SizeGate.decide(150, OptionalLong.of(100), HALF, false).status(), "+50% is allowed");
    assertEquals(Status.HELD, SizeGate.decide(151, OptionalLong.of(100), HALF, false).status());
    assertEquals(Status.PASSED, SizeGate.decide(50, OptionalLong.of(100), HALF, false).status());
    SizeGate.Decision shrank = SizeGate.decide(49, OptionalLong.of(100), HALF, false);
    assertEquals(Status.HELD, shrank.status());
    assertEquals(0.51, shrank.change(), 1e-12);
    assertTrue(shrank.reason().contains("51.0% (100 -> 49)"), shrank.reason());
  }

  @Test
  void anOverrideStillRecordsWhatItOverrode() {
    SizeGate.Decision d = SizeGate.decide(1, OptionalLong.of(100), HALF, true);
    assertEquals(Status.OVERRIDDEN, d.status());
    assertTrue(d.publishes());
    assertTrue(d.reason().contains("99.0%"), d.reason());
  }

  @Test
  void emptyAudiencesAndMissingBaselines() {
    assertEquals(Status.HELD, SizeGate.decide(0, OptionalLong.empty(), HALF, false).status(), "empty, not allowed");
    assertEquals(Status.FIRST_PUBLICATION, SizeGate.decide(0, OptionalLong.empty(), new QualityGate(0.5, true),
        false).status());
    assertEquals(Status.FIRST_PUBLICATION, SizeGate.decide(7, OptionalLong.empty(), HALF, false).status());
    assertEquals(Status.PASSED, SizeGate.decide(500, OptionalLong.of(0), HALF, false).status(),
        "growing from an empty night has no baseline to compare with");
    assertEquals(Double.NaN, SizeGate.decide(500, OptionalLong.of(0), HALF, false).change());
    assertEquals(Status.PASSED, SizeGate.decide(0, OptionalLong.of(40), new QualityGate(0.5, true), false).status(),
        "allow-empty means an empty night may follow a full one");
    assertEquals(Status.HELD, SizeGate.decide(0, OptionalLong.of(40), HALF, false).status());
  }
}
