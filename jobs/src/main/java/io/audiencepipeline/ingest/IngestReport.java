package io.audiencepipeline.ingest;

import java.util.List;

/** What ingest did: counts per source and landing date, and the problems that rejected the input. */
public record IngestReport(List<SourceCounts> counts, List<String> rejections) {
  public long total(java.util.function.ToLongFunction<SourceCounts> measure, String source) {
    return counts.stream().filter(c -> c.source().equals(source)).mapToLong(measure).sum();
  }
}
