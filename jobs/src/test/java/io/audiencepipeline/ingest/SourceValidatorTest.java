package io.audiencepipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.config.ColumnType;
import io.audiencepipeline.testing.SharedSpark;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class SourceValidatorTest {
  /** Epoch numbers of the years 0001 to 9999 are times; others are not (and must not fail the run). */
  @Test
  void epochNumbersOutsideTheYearsOneToNineThousandNineHundredNinetyNineDoNotParse() {
    long first = -62135596800L; // 0001-01-01T00:00:00Z
    long last = 253402300799L;  // 9999-12-31T23:59:59Z
    assertEquals(List.of("0001-01-01 00:00:00", "9999-12-31 23:59:59", "null", "null", "null", "null"),
        parsed(ColumnType.EPOCH_SECONDS, first, last, first - 1, last + 1, Long.MIN_VALUE, Long.MAX_VALUE));
    assertEquals(List.of("0001-01-01 00:00:00", "9999-12-31 23:59:59.999", "null", "null", "null", "null"),
        parsed(ColumnType.EPOCH_MILLIS, first * 1000, last * 1000 + 999, first * 1000 - 1, last * 1000 + 1000,
            Long.MIN_VALUE, Long.MAX_VALUE));
  }

  private static List<String> parsed(String pattern, long... values) {
    List<String> texts = java.util.Arrays.stream(values).mapToObj(Long::toString).toList();
    ColumnType type = new ColumnType(ColumnType.Kind.TIMESTAMP, 0, 0, pattern);
    List<Row> rows = SharedSpark.session().createDataset(texts, Encoders.STRING()).toDF("raw")
        .select(SourceValidator.parse(col("raw"), type, lit("UTC")).cast("string").as("time"))
        .collectAsList();
    return rows.stream().map(row -> String.valueOf(row.<String>getAs("time"))).toList();
  }
}
