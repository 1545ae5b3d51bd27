package io.audiencepipeline.generate;

import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One landing feed of DATA.md: where it lands, its format, record key and columns in file order, whether
 * it is an event feed (late and duplicate deliveries), how its rows get malformed, and how its records are
 * generated. The records carry the feed's columns plus {@code _person_id}, {@code _mess} and {@code dt}.
 */
record Feed(String system, String name, Format format, String recordKey, List<String> columns, boolean events,
    List<Defect> defects, Function<Scenario, Dataset<Row>> records) {

  enum Format {
    CSV, JSON, PARQUET;

    String extension() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  Feed {
    columns = List.copyOf(columns);
    defects = List.copyOf(defects);
    if (!columns.contains(recordKey)) {
      throw new IllegalArgumentException(name + ": record key " + recordKey + " is not a column");
    }
  }

  String landingPath(String outputRoot) {
    return outputRoot + "/landing/" + system + "/" + name;
  }
}
