package io.audiencepipeline.generate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What to generate: how many people, from which seed, for which days, and where to write it.
 * {@code outputPath} is a Hadoop path ({@code file:/...}, a plain local path, {@code hdfs:}, {@code s3a:}).
 */
public record GeneratorSettings(long people, long seed, LocalDate endDate, int days, String outputPath) {
  public static final long MIN_PEOPLE = 100;
  public static final long MAX_PEOPLE = 10_000_000;
  public static final int MIN_DAYS = 7;
  public static final int MAX_DAYS = 730;
  private static final LocalDate EARLIEST_END = LocalDate.of(1990, 1, 1);
  private static final LocalDate LATEST_END = LocalDate.of(2999, 12, 31);

  public GeneratorSettings {
    List<String> problems = new ArrayList<>();
    if (people < MIN_PEOPLE || people > MAX_PEOPLE) {
      problems.add("people must be between " + MIN_PEOPLE + " and " + MAX_PEOPLE + ", got " + people);
    }
    if (endDate == null) {
      problems.add("endDate must be set");
    } else if (endDate.isBefore(EARLIEST_END) || endDate.isAfter(LATEST_END)) {
      problems.add("endDate must be between " + EARLIEST_END + " and " + LATEST_END + ", got " + endDate);
    }
    if (days < MIN_DAYS || days > MAX_DAYS) {
      problems.add("days must be between " + MIN_DAYS + " and " + MAX_DAYS + ", got " + days);
    }
    if (outputPath == null || outputPath.isBlank()) {
      problems.add("outputPath must be set");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid generator settings: " + String.join("; ", problems));
    }
  }

  /** The first day with events (and the first landing date, which receives the backfills). */
  public LocalDate startDate() {
    return endDate.minusDays(days - 1L);
  }
}
