package io.audiencepipeline.config;

import io.audiencepipeline.identity.IdentifierKind;
import java.util.List;
import java.util.Map;

/**
 * One source system feed, as declared in {@code audience.sources.<name>}: where it lands, how to read
 * it, which columns are identifiers, its event time and event types, and how much bad data it may carry.
 *
 * @param path folder under the landing root that holds {@code dt=YYYY-MM-DD} landing partitions
 * @param fields canonical field name -> source column
 * @param constraints Spark SQL predicates over the typed source columns that every good row satisfies
 * @param requireIdentifier false for feeds with legitimately anonymous rows (cash store sales)
 * @param channel the timeline's channel for this feed's events (a {@code channel} field in a row wins);
 *     defaults to the source's system
 * @param maxDaysAfterRunDate dates later than run date + this are impossible (registrations for
 *     future events need more than the default)
 */
public record SourceSpec(
    String name,
    String system,
    SourceFormat format,
    String path,
    Map<String, String> readOptions,
    boolean required,
    boolean allowEmpty,
    double maxBadRowRate,
    List<String> recordKey,
    List<Column> columns,
    List<String> requiredColumns,
    String eventTime,
    String timezone,
    String timezoneColumn,
    Map<IdentifierKind, Identifier> identifiers,
    Map<String, String> fields,
    EventType eventType,
    List<String> constraints,
    boolean requireIdentifier,
    int maxDaysAfterRunDate,
    String channel) {

  public enum SourceFormat { CSV, JSON, PARQUET }

  public record Column(String name, ColumnType type) {
  }

  /** An identifier column; phones also name the column (or default) holding the ISO country. */
  public record Identifier(String column, String regionColumn) {
  }

  /** Either a constant event type or a mapping from a source column's values to canonical types. */
  public record EventType(String constant, String column, Map<String, String> values) {
  }

  public Column column(String columnName) {
    return column(columns, columnName);
  }

  /** The declared column of that name, or null. */
  static Column column(List<Column> columns, String columnName) {
    return columns.stream().filter(c -> c.name().equals(columnName)).findFirst().orElse(null);
  }
}
