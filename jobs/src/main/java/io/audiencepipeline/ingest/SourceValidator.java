package io.audiencepipeline.ingest;

import static io.audiencepipeline.ingest.SourceReader.CORRUPT_RECORD;
import static io.audiencepipeline.ingest.SourceReader.LANDING_DATE;
import static io.audiencepipeline.ingest.SourceReader.ORIGIN_FILE;
import static io.audiencepipeline.ingest.SourceReader.quote;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.to_utc_timestamp;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.try_to_timestamp;
import static org.apache.spark.sql.functions.when;

import io.audiencepipeline.config.ColumnType;
import io.audiencepipeline.config.IngestSettings;
import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.identity.IdentifierKind;
import io.audiencepipeline.identity.Identifiers;
import io.audiencepipeline.identity.NormalisationRules;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Turns raw landed rows into typed, normalised bronze rows, each with the list of reasons it is bad
 * (empty for good rows). Pure: a function of the raw rows and the source's declaration.
 *
 * <p>Reasons are codes plus column names, never values: they end up in logs and reports.
 */
public final class SourceValidator {
  public static final String REASONS = "reasons";
  public static final String RAW_RECORD = "raw_record";
  public static final String INVALID_IDENTIFIERS = "invalid_identifiers";

  private static final String RAW_PREFIX = "__raw_";
  private static final Set<String> TRUE_WORDS = Set.of("true", "t", "yes", "y", "1");
  private static final Set<String> FALSE_WORDS = Set.of("false", "f", "no", "n", "0");
  private static final ArrayType LABELS = DataTypes.createArrayType(DataTypes.StringType, true);
  /**
   * Epoch seconds of the years 0001 to 9999: a number outside is not taken for a time (Spark's own conversion
   * overflows past about 9.2e15 milliseconds or 9.2e12 seconds and would fail the whole run).
   */
  private static final long MIN_EPOCH_SECONDS = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX_EPOCH_SECONDS = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
  /** No date after this is possible, whatever the run date. */
  private static final LocalDate LAST_DATE = LocalDate.of(9999, 12, 31);

  private final SourceSpec source;
  private final NormalisationRules rules;
  private final IngestSettings ingest;
  private final LocalDate runDate;

  public SourceValidator(SourceSpec source, NormalisationRules rules, IngestSettings ingest,
      LocalDate runDate) {
    this.source = source;
    this.rules = rules;
    this.ingest = ingest;
    this.runDate = runDate;
  }

  /** Bronze columns for every row plus {@code reasons} and {@code raw_record}. */
  public Dataset<Row> validate(Dataset<Row> raw) {
    boolean text = source.format() != SourceSpec.SourceFormat.PARQUET;
    Dataset<Row> typed = raw.select(typedColumns(text).toArray(Column[]::new));

    List<Column> bronze = new ArrayList<>();
    bronze.add(lit(source.name()).as("source"));
    bronze.add(recordKey().as("record_key"));
    bronze.add(eventTime().as("event_time"));
    bronze.add(eventType().as("event_type"));
    List<Column> normalised = new ArrayList<>();
    List<Column> invalid = new ArrayList<>();
    for (IdentifierKind kind : IdentifierKind.values()) {
      SourceSpec.Identifier identifier = source.identifiers().get(kind);
      if (identifier == null) {
        bronze.add(lit(null).cast(DataTypes.StringType).as(kind.column()));
        continue;
      }
      Column rawValue = rawText(identifier.column());
      Column region = identifier.regionColumn() == null ? lit(null).cast(DataTypes.StringType)
          : rawText(identifier.regionColumn());
      Column value = Identifiers.normalise(kind, rawValue, region, rules);
      normalised.add(value);
      invalid.add(label(rawValue.isNotNull().and(value.isNull()), kind.column()));
      bronze.add(value.as(kind.column()));
    }
    bronze.add(labels(invalid).as(INVALID_IDENTIFIERS));
    for (Map.Entry<String, String> field : source.fields().entrySet()) {
      bronze.add(col(quote(field.getValue())).as(field.getKey()));
    }
    bronze.add(col(ORIGIN_FILE));
    bronze.add(col(LANDING_DATE));
    bronze.add(reasons(text, normalised).as(REASONS));
    // The raw record only for bad rows (quarantine keeps it): turning every good row into JSON, to drop it
    // before bronze, cost time and made the persisted rows in IngestStage several times larger.
    List<Column> withRaw = new ArrayList<>(bronze);
    for (int i = 0; i < source.columns().size(); i++) {
      withRaw.add(col(RAW_PREFIX + i));
    }
    withRaw.add(col(CORRUPT_RECORD));
    Dataset<Row> checked = typed.select(withRaw.toArray(Column[]::new));
    List<Column> out = new ArrayList<>();
    for (String name : Arrays.copyOf(checked.columns(), bronze.size())) {
      out.add(col(quote(name)));
    }
    out.add(when(size(col(REASONS)).gt(0), rawRecord(text)).as(RAW_RECORD));
    return checked.select(out.toArray(Column[]::new));
  }

  /**
   * A one-element array of {@code label} where {@code condition} holds, else empty: {@link #labels} concatenates
   * them. (Not {@code array_compact} over nullable labels: it is a higher-order function, which Spark evaluates
   * without code generation, and with it every expression below it: the parsing, the identifier normalisation.)
   */
  private static Column label(Column condition, String label) {
    return when(condition, array(lit(label))).otherwise(array().cast(LABELS));
  }

  /** The labels whose conditions hold, in order; empty when none. */
  private static Column labels(List<Column> labels) {
    return labels.isEmpty() ? array().cast(LABELS) : concat(labels.toArray(Column[]::new)).cast(LABELS);
  }

  /** Typed declared columns under their own names, the raw values under {@code __raw_<n>}. */
  private List<Column> typedColumns(boolean text) {
    List<Column> columns = new ArrayList<>();
    Column zone = zone();
    for (int i = 0; i < source.columns().size(); i++) {
      SourceSpec.Column column = source.columns().get(i);
      Column raw = col(quote(column.name()));
      columns.add((text ? parse(raw, column.type(), zone) : raw).as(column.name()));
      columns.add(raw.as(RAW_PREFIX + i));
    }
    columns.add(col(CORRUPT_RECORD));
    columns.add(col(ORIGIN_FILE));
    columns.add(col(LANDING_DATE));
    return columns;
  }

  /** Parses a text value; null when it does not parse (the row is then quarantined). */
  static Column parse(Column raw, ColumnType type, Column zone) {
    Column value = when(trim(raw).notEqual(lit("")), trim(raw));
    return switch (type.kind()) {
      case STRING -> value;
      case INT, LONG, DOUBLE, DECIMAL -> value.try_cast(type.sparkType());
      case BOOLEAN -> when(lower(value).isin(TRUE_WORDS.toArray()), lit(true))
          .when(lower(value).isin(FALSE_WORDS.toArray()), lit(false));
      case DATE -> ColumnType.ISO.equals(type.pattern()) ? value.try_cast(DataTypes.DateType)
          : to_date(try_to_timestamp(value, lit(type.pattern())));
      case TIMESTAMP -> switch (type.pattern()) {
        case ColumnType.ISO -> value.try_cast(DataTypes.TimestampType);
        case ColumnType.EPOCH_MILLIS -> {
          Column millis = value.try_cast(DataTypes.LongType);
          yield when(millis.between(MIN_EPOCH_SECONDS * 1000, MAX_EPOCH_SECONDS * 1000 + 999),
              timestamp_millis(millis));
        }
        case ColumnType.EPOCH_SECONDS -> {
          Column seconds = value.try_cast(DataTypes.LongType);
          yield when(seconds.between(MIN_EPOCH_SECONDS, MAX_EPOCH_SECONDS), timestamp_seconds(seconds));
        }
        default -> to_utc_timestamp(try_to_timestamp(value, lit(type.pattern())), zone);
      };
    };
  }

  /** The zone of wall-clock timestamps: a per-row zone column (when valid) or the source's zone. */
  private Column zone() {
    if (source.timezoneColumn() == null) {
      return lit(source.timezone());
    }
    Column declared = trim(col(quote(source.timezoneColumn())).cast(DataTypes.StringType));
    // An unknown zone id would make to_utc_timestamp throw for the whole job; null it instead so
    // the row's timestamp fails to parse and the row is quarantined.
    return when(declared.isin(ZoneId.getAvailableZoneIds().toArray()), declared);
  }

  private int index(String column) {
    for (int i = 0; i < source.columns().size(); i++) {
      if (source.columns().get(i).name().equals(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException("column " + column + " is not declared");
  }

  /** The raw value as trimmed text, null when blank. */
  private Column rawText(String column) {
    Column raw = trim(col(RAW_PREFIX + index(column)).cast(DataTypes.StringType));
    return when(raw.notEqual(lit("")), raw);
  }

  private Column recordKey() {
    List<Column> parts = source.recordKey().stream().map(this::rawText).toList();
    Column key = concat_ws("|", parts.toArray(Column[]::new));
    Column complete = parts.stream().map(Column::isNotNull).reduce(Column::and).orElse(lit(false));
    return when(complete, key);
  }

  private Column eventTime() {
    if (source.eventTime() == null) {
      return lit(null).cast(DataTypes.TimestampType);
    }
    SourceSpec.Column column = source.column(source.eventTime());
    Column typed = col(quote(column.name()));
    if (column.type().kind() == ColumnType.Kind.DATE) {
      return to_utc_timestamp(typed.cast(DataTypes.TimestampType), zone());
    }
    return typed;
  }

  private Column eventType() {
    SourceSpec.EventType eventType = source.eventType();
    if (eventType == null) {
      return lit(null).cast(DataTypes.StringType);
    }
    if (eventType.constant() != null) {
      return lit(eventType.constant());
    }
    return try_element_at(valueMap(eventType.values()), rawText(eventType.column()));
  }

  private static Column valueMap(Map<String, String> values) {
    List<Column> entries = new ArrayList<>();
    values.forEach((from, to) -> {
      entries.add(lit(from));
      entries.add(lit(to));
    });
    return functions.map(entries.toArray(Column[]::new));
  }

  private Column reasons(boolean text, List<Column> normalisedIdentifiers) {
    List<Column> reasons = new ArrayList<>();
    reasons.add(label(col(CORRUPT_RECORD).isNotNull(), "malformed_record"));
    Set<String> required = new LinkedHashSet<>(source.recordKey());
    required.addAll(source.requiredColumns());
    for (String column : required) {
      reasons.add(label(rawText(column).isNull(), "missing_required_column:" + column));
    }
    Column earliest = lit(ingest.earliestValidDate());
    LocalDate last = runDate.plusDays(source.maxDaysAfterRunDate());
    Column latest = lit(last.isAfter(LAST_DATE) ? LAST_DATE : last);
    for (SourceSpec.Column column : source.columns()) {
      Column typed = col(quote(column.name()));
      if (text && column.type().kind() != ColumnType.Kind.STRING) {
        reasons.add(label(rawText(column.name()).isNotNull().and(typed.isNull()),
            "unparseable_value:" + column.name()));
      }
      if (column.type().isTemporal()) {
        Column day = to_date(typed);
        reasons.add(label(day.lt(earliest).or(day.gt(latest)), "impossible_date:" + column.name()));
      }
    }
    SourceSpec.EventType eventType = source.eventType();
    if (eventType != null && eventType.column() != null) {
      Column value = rawText(eventType.column());
      reasons.add(label(value.isNotNull().and(eventType().isNull()),
          "unmapped_event_type:" + eventType.column()));
    }
    for (String constraint : source.constraints()) {
      reasons.add(label(coalesce(expr(constraint), lit(true)).equalTo(lit(false)),
          "constraint_failed:" + constraint));
    }
    if (source.requireIdentifier() && !normalisedIdentifiers.isEmpty()) {
      Column anyIdentifier = normalisedIdentifiers.stream().map(Column::isNotNull)
          .reduce(Column::or).orElseThrow();
      reasons.add(label(anyIdentifier.equalTo(lit(false)), "no_identifier"));
    }
    return labels(reasons);
  }

  private Column rawRecord(boolean text) {
    List<Column> raws = new ArrayList<>();
    for (int i = 0; i < source.columns().size(); i++) {
      raws.add(col(RAW_PREFIX + i).as(source.columns().get(i).name()));
    }
    Column asJson = to_json(struct(raws.toArray(Column[]::new)));
    return text ? coalesce(col(CORRUPT_RECORD), asJson) : asJson;
  }

  /** The good rows, as published to bronze. */
  public static Dataset<Row> good(Dataset<Row> validated) {
    return validated.where(size(col(REASONS)).equalTo(0)).drop(REASONS, RAW_RECORD);
  }

  /** The bad rows with their reasons and raw record, as published to quarantine. */
  public static Dataset<Row> bad(Dataset<Row> validated) {
    return validated.where(size(col(REASONS)).gt(0)).select(
        col("source"), col("record_key"), element_at(col(REASONS), 1).as("reason"), col(REASONS),
        col(RAW_RECORD), col(ORIGIN_FILE), col(LANDING_DATE));
  }
}
