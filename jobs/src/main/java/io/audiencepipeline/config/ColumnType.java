package io.audiencepipeline.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The declared type of a source column: a Spark type plus, for dates and timestamps delivered as
 * text, how to parse them ({@code iso}, {@code epoch-millis}, {@code epoch-seconds} or a
 * java.time pattern read in the source's time zone).
 */
public record ColumnType(Kind kind, int precision, int scale, String pattern) {
  public static final String ISO = "iso";
  public static final String EPOCH_MILLIS = "epoch-millis";
  public static final String EPOCH_SECONDS = "epoch-seconds";

  private static final Pattern SYNTAX = Pattern.compile(
      "(string|int|long|double|boolean|date|timestamp|decimal\\((\\d+)\\s*,\\s*(\\d+)\\))(?:\\((.+)\\))?");

  public enum Kind { STRING, INT, LONG, DOUBLE, BOOLEAN, DECIMAL, DATE, TIMESTAMP }

  /** Parses {@code string}, {@code decimal(12,2)}, {@code timestamp(MM/dd/yyyy HH:mm)} and the like. */
  public static Optional<ColumnType> parse(String text) {
    Matcher matcher = SYNTAX.matcher(text.trim());
    if (!matcher.matches()) {
      return Optional.empty();
    }
    String base = matcher.group(1);
    String pattern = matcher.group(4);
    if (base.startsWith("decimal")) {
      int precision = Integer.parseInt(matcher.group(2));
      int scale = Integer.parseInt(matcher.group(3));
      if (pattern != null || precision < 1 || precision > 38 || scale > precision) {
        return Optional.empty();
      }
      return Optional.of(new ColumnType(Kind.DECIMAL, precision, scale, null));
    }
    Kind kind = Kind.valueOf(base.toUpperCase(java.util.Locale.ROOT));
    boolean temporal = kind == Kind.DATE || kind == Kind.TIMESTAMP;
    if (pattern != null && !temporal) {
      return Optional.empty();
    }
    if (kind == Kind.DATE && (EPOCH_MILLIS.equals(pattern) || EPOCH_SECONDS.equals(pattern))) {
      return Optional.empty();
    }
    return Optional.of(new ColumnType(kind, 0, 0, temporal && pattern == null ? ISO : pattern));
  }

  public boolean isTemporal() {
    return kind == Kind.DATE || kind == Kind.TIMESTAMP;
  }

  /** True when a text value carries no zone and must be read in the source's time zone. */
  public boolean isLocalPattern() {
    return isTemporal() && !ISO.equals(pattern) && !EPOCH_MILLIS.equals(pattern)
        && !EPOCH_SECONDS.equals(pattern);
  }

  public DataType sparkType() {
    return switch (kind) {
      case STRING -> DataTypes.StringType;
      case INT -> DataTypes.IntegerType;
      case LONG -> DataTypes.LongType;
      case DOUBLE -> DataTypes.DoubleType;
      case BOOLEAN -> DataTypes.BooleanType;
      case DECIMAL -> DataTypes.createDecimalType(precision, scale);
      case DATE -> DataTypes.DateType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }
}
