package io.audiencepipeline.generate;

import java.util.Map;

/**
 * What one generator run wrote: rows per landing feed (duplicates and malformed rows included) and how
 * many rows carry each kind of injected mess, as in {@code _truth/mess.json}.
 */
public record GenerationSummary(GeneratorSettings settings, Map<String, Long> rowsPerFeed,
    Map<String, Long> messCounts) {

  public GenerationSummary {
    rowsPerFeed = Map.copyOf(rowsPerFeed);
    messCounts = Map.copyOf(messCounts);
  }

  public long totalRows() {
    return rowsPerFeed.values().stream().mapToLong(Long::longValue).sum();
  }
}
