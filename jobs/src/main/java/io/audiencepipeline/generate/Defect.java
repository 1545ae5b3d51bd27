package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.unix_seconds;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * One way a feed's rows get malformed: a kind and the columns it overwrites. Missing columns, truncated
 * JSON and wrongly typed JSON values have no column edits; the landing writer applies them to the line.
 * {@code field} names the JSON field a wrong-type defect garbles.
 */
record Defect(MessKind kind, Map<String, Column> edits, String field) {
  /** 127 years: pushes a 2026 timestamp into 1899, the "impossible date" of typed (Parquet) columns. */
  private static final long YEARS_127_SECONDS = 4_007_836_800L;

  static Defect missingColumn() {
    return new Defect(MessKind.MALFORMED_MISSING_COLUMN, Map.of(), null);
  }

  static Defect truncatedJson() {
    return new Defect(MessKind.MALFORMED_TRUNCATED_JSON, Map.of(), null);
  }

  /** A number field that arrives as a word, e.g. {@code "ts":"yesterday"}. */
  static Defect wrongType(String jsonField) {
    return new Defect(MessKind.MALFORMED_WRONG_TYPE, Map.of(), jsonField);
  }

  /** Hour 25 in a formatted timestamp: the shape is right, the value cannot be parsed. */
  static Defect unparseableTimestamp(String column) {
    return edit(MessKind.MALFORMED_UNPARSEABLE_TIMESTAMP, column,
        regexp_replace(col(column), "(?<=[ T])[0-9]{2}:", "25:"));
  }

  /** 30 February in a text date starting {@code yyyy-MM-dd}. */
  static Defect impossibleIsoDate(String column) {
    return edit(MessKind.MALFORMED_IMPOSSIBLE_DATE, column,
        regexp_replace(col(column), "^([0-9]{4})-[0-9]{2}-[0-9]{2}", "$1-02-30"));
  }

  /** 30 February in a text date starting {@code MM/dd/yyyy}. */
  static Defect impossibleUsDate(String column) {
    return edit(MessKind.MALFORMED_IMPOSSIBLE_DATE, column,
        regexp_replace(col(column), "^[0-9]{2}/[0-9]{2}/", "02/30/"));
  }

  /** Year 1899 in a timestamp column. */
  static Defect year1899(String column) {
    return edit(MessKind.MALFORMED_IMPOSSIBLE_DATE, column,
        timestamp_seconds(unix_seconds(col(column)).minus(YEARS_127_SECONDS)));
  }

  /** Every identifier of the row is missing (null; an empty field in CSV). */
  static Defect missingIdentifiers(String... columns) {
    Map<String, Column> edits = new LinkedHashMap<>();
    Arrays.stream(columns).forEach(c -> edits.put(c, lit(null).cast("string")));
    return new Defect(MessKind.MALFORMED_MISSING_IDENTIFIER, edits, null);
  }

  /** A decimal comma ({@code 12,50}), as a German till or spreadsheet would write it. */
  static Defect nonNumericAmount(String column) {
    return edit(MessKind.MALFORMED_NON_NUMERIC_AMOUNT, column, regexp_replace(col(column), "\\.", ","));
  }

  static Defect negativeQuantity(String column, Column negated) {
    return edit(MessKind.MALFORMED_NEGATIVE_QUANTITY, column, negated);
  }

  private static Defect edit(MessKind kind, String column, Column value) {
    return new Defect(kind, Map.of(column, value), null);
  }
}
