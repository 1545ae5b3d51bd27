package io.audiencepipeline.generate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Everything the feed builders derive their records from: the people, the random draws and the window. */
record Scenario(Dataset<Row> people, Draws draws, Period period, GeneratorSettings settings) {

  /** Weekly newsletters go out on window days 1, 8, 15, ... */
  int newsletterWeeks() {
    return (period.days() - 2) / 7 + 1;
  }
}
