package io.audiencepipeline.ingest;

import java.util.List;

/** What ingest did: counts per source and landing date, and the problems that rejected the input. */
public record IngestReport(List<SourceCounts> counts, List<String> rejections) {
}
