package io.audiencepipeline.generate;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One landing feed of DATA.md: where it lands, its format, record key and columns in file order, how it is
 * delivered, how its rows get malformed, and how its records are generated. The records carry the feed's
 * columns plus {@code _person_id}, {@code _mess} and {@code dt}.
 */
record Feed(String system, String name, Format format, String recordKey, List<String> columns, Delivery delivery,
    List<Defect> defects, Function<Scenario, Dataset<Row>> records) {

  enum Delivery {
    /** Events: some arrive late, some are delivered twice. Record keys are unique before re-delivery. */
    EVENTS,
    /** Business records: one row per record key. */
    RECORDS,
    /** Snapshots: a record lands again when it changes, so its key repeats. */
    SNAPSHOTS
  }

  enum Format {
    CSV, JSON, PARQUET;

    String extension() {
      return name().toLowerCase(Locale.ROOT);
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
