package io.audiencepipeline.ingest;

import java.time.LocalDate;

/** Rows in, good and quarantined for one source and landing date. */
public record SourceCounts(String source, LocalDate landingDate, long good, long quarantined) {
  public long rowsIn() {
    return good + quarantined;
  }

  public double badRowRate() {
    return rowsIn() == 0 ? 0 : (double) quarantined / rowsIn();
  }
}
