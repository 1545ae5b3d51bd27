package io.audiencepipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import io.audiencepipeline.identity.IdentifierKind;
import io.audiencepipeline.identity.NormalisationRules;
import io.audiencepipeline.models.features.FeatureSpec;
import io.audiencepipeline.run.PipelineFailure;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Loads settings: {@code reference.conf} defaults, then each {@code --config} file in order, then
 * {@code -Dkey=value} overrides; validates everything and fails once with every problem named by key.
 */
public final class SettingsLoader {
  public static final String ROOT = "audience";

  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9_]*");
  /** Columns the pipeline adds to a source's rows (ingest, then unify): a field cannot take their names. */
  private static final Set<String> CORE_COLUMNS = Set.of(
      "source", "record_key", "event_time", "event_type", "origin_file", "dt", "reasons", "raw_record",
      "invalid_identifiers", "record_time", "customer_id", "customer_since");
  /** Unify takes a record's time from this field when it has one: it must hold a date or a timestamp. */
  private static final String UPDATED_AT = "updated_at";
  /** How far past the run date a date may be: a hundred years (and never past 9999-12-31: SourceValidator). */
  private static final int MAX_DAYS_AFTER_RUN_DATE = 36_500;

  private SettingsLoader() {
  }

  public static Settings load(List<String> configFiles, Map<String, String> overrides) {
    return fromConfig(resolve(configFiles, overrides));
  }

  /** Only the Spark defaults, for commands that need no sources (generate). */
  public static Map<String, String> sparkDefaults(List<String> configFiles, Map<String, String> overrides) {
    Violations violations = new Violations();
    Map<String, String> spark = new ConfigReader(resolve(configFiles, overrides).getConfig(ROOT), ROOT,
        violations).stringMap("spark");
    violations.throwIfAny();
    return spark;
  }

  /** Layers the configuration; a syntax error or a missing file is a config error naming the file. */
  public static Config resolve(List<String> configFiles, Map<String, String> overrides) {
    try {
      Config layered = ConfigFactory.empty();
      for (String file : configFiles) {
        File f = new File(file);
        if (!f.isFile()) {
          throw PipelineFailure.badConfig("--config " + file + ": no such file");
        }
        Config parsed = ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
        layered = parsed.withFallback(layered);
      }
      Config overridden = ConfigFactory.parseMap(overrides, "command-line -D overrides");
      return overridden.withFallback(layered)
          .withFallback(ConfigFactory.defaultReference(SettingsLoader.class.getClassLoader()))
          .resolve();
    } catch (ConfigException e) {
      throw PipelineFailure.badConfig("invalid configuration: " + e.getMessage());
    }
  }

  public static Settings fromConfig(Config config) {
    Violations violations = new Violations();
    ConfigReader root = new ConfigReader(config.getConfig(ROOT), ROOT, violations);

    String warehouse = root.string("warehouse");
    String landing = root.string("landing");
    Map<String, String> spark = root.stringMap("spark");
    IngestSettings ingest = ingestSettings(root.child("ingest"));
    NormalisationRules identifiers = normalisationRules(root.child("identifiers"));
    List<String> eventTypes = root.strings("event-types");
    for (String eventType : eventTypes) {
      if (!SNAKE_CASE.matcher(eventType).matches()) {
        root.fail("event-types", "'" + eventType + "' is not snake_case");
      }
    }

    List<SourceSpec> sources = new ArrayList<>();
    for (Map.Entry<String, ConfigReader> entry : root.children("sources").entrySet()) {
      sources.add(SourceSpecParser.parse(entry.getKey(), entry.getValue(), Set.copyOf(eventTypes),
          ingest.maxDaysAfterRunDate()));
    }
    if (sources.isEmpty()) {
      root.fail("sources", "declares no source");
    }
    UnifySettings unify = UnifySettingsParser.parse(root.child("unify"), sources, Set.copyOf(eventTypes));
    FeatureSpec features = FeatureSettingsParser.parse(root.child("features"), Set.copyOf(eventTypes));
    ModelSettings models = ModelSettingsParser.parse(root.child("models"), features, Set.copyOf(eventTypes));
    SegmentationSettings segmentation = SegmentationSettingsParser.parse(root, unify.consentChannels(), features,
        models);
    violations.throwIfAny();
    return new Settings(warehouse, landing, spark, ingest, identifiers, eventTypes,
        List.copyOf(sources), unify, features, root.child("features").bool("incremental"), models,
        segmentation, fingerprint(config.getConfig(ROOT)));
  }

  private static IngestSettings ingestSettings(ConfigReader ingest) {
    LocalDate earliest = LocalDate.of(1900, 1, 1);
    String text = ingest.string("earliest-valid-date");
    try {
      earliest = LocalDate.parse(text);
      if (earliest.getYear() < 1) {
        ingest.fail("earliest-valid-date", "must be 0001-01-01 or later");
      }
    } catch (DateTimeException e) {
      ingest.fail("earliest-valid-date", "expected a date YYYY-MM-DD");
    }
    int maxDaysAfter = ingest.integer("max-days-after-run-date");
    if (maxDaysAfter < 0 || maxDaysAfter > MAX_DAYS_AFTER_RUN_DATE) {
      ingest.fail("max-days-after-run-date", "must be between 0 and " + MAX_DAYS_AFTER_RUN_DATE);
    }
    int minRows = ingest.integer("bad-row-rate-min-rows");
    if (minRows < 1) {
      ingest.fail("bad-row-rate-min-rows", "must be at least 1");
    }
    return new IngestSettings(earliest, maxDaysAfter, minRows);
  }

  private static NormalisationRules normalisationRules(ConfigReader identifiers) {
    ConfigReader email = identifiers.child("email");
    Map<String, String> aliases = new TreeMap<>();
    email.stringMap("domain-aliases").forEach((k, v) -> aliases.put(k.toLowerCase(Locale.ROOT),
        v.toLowerCase(Locale.ROOT)));
    List<String> dotless = lower(email.strings("dotless-domains"));
    List<String> plusTags = lower(email.strings("plus-tag-domains"));
    String region = identifiers.child("phone").string("default-region");
    if (!com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance().getSupportedRegions()
        .contains(region)) {
      identifiers.fail("phone.default-region", "expected an ISO 3166 region code such as US, GB, DE");
    }
    return new NormalisationRules(aliases, dotless, plusTags, region);
  }

  private static List<String> lower(List<String> values) {
    return values.stream().map(v -> v.trim().toLowerCase(Locale.ROOT)).toList();
  }

  static String fingerprint(Config config) {
    try {
      byte[] rendered = config.root().render(ConfigRenderOptions.concise().setFormatted(false))
          .getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rendered));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  /** Parses and checks one {@code audience.sources.<name>} block. */
  static final class SourceSpecParser {
    private SourceSpecParser() {
    }

    static SourceSpec parse(String name, ConfigReader source, Set<String> eventTypes,
        int defaultMaxDaysAfterRunDate) {
      if (!SNAKE_CASE.matcher(name).matches()) {
        source.fail("", "source name '" + name + "' must be snake_case");
      }
      String system = source.string("system");
      SourceSpec.SourceFormat format = SourceSpec.SourceFormat.CSV;
      String formatText = source.string("format");
      try {
        format = SourceSpec.SourceFormat.valueOf(formatText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        source.fail("format", "expected csv, json or parquet, got '" + formatText + "'");
      }
      String path = source.string("path");
      Map<String, String> readOptions = source.stringMap("read-options");
      boolean required = source.bool("required", false);
      boolean allowEmpty = source.bool("allow-empty", !required);
      double maxBadRowRate = source.fraction("max-bad-row-rate");

      List<SourceSpec.Column> columns = columns(source, format);
      Set<String> columnNames = new HashSet<>();
      columns.forEach(c -> columnNames.add(c.name()));

      List<String> recordKey = source.strings("record-key");
      if (recordKey.isEmpty()) {
        source.fail("record-key", "must name at least one column");
      }
      checkColumns(source, "record-key", recordKey, columnNames);
      List<String> requiredColumns = source.strings("required-columns", List.of());
      checkColumns(source, "required-columns", requiredColumns, columnNames);

      String eventTime = source.optionalString("event-time");
      if (eventTime != null) {
        SourceSpec.Column column = SourceSpec.column(columns, eventTime);
        if (column == null) {
          source.fail("event-time", "column '" + eventTime + "' is not declared in columns");
        } else if (!column.type().isTemporal()) {
          source.fail("event-time", "column '" + eventTime + "' must be a date or timestamp");
        }
      }
      String timezone = source.has("timezone") ? source.string("timezone") : "UTC";
      try {
        ZoneId.of(timezone);
      } catch (DateTimeException e) {
        source.fail("timezone", "unknown time zone '" + timezone + "' (expected an IANA id such as Europe/London)");
      }
      String timezoneColumn = source.optionalString("timezone-column");
      if (timezoneColumn != null) {
        checkColumns(source, "timezone-column", List.of(timezoneColumn), columnNames);
      }

      Map<IdentifierKind, SourceSpec.Identifier> identifiers = identifiers(source, columnNames);
      Map<String, String> fields = source.stringMap("fields");
      for (Map.Entry<String, String> field : fields.entrySet()) {
        String key = "fields." + ConfigReader.quoteIfNeeded(field.getKey());
        if (!SNAKE_CASE.matcher(field.getKey()).matches()) {
          source.fail(key, "canonical field names are snake_case");
        }
        if (IdentifierKind.fromColumn(field.getKey()).isPresent()) {
          source.fail(key, "'" + field.getKey() + "' is reserved; declare identifiers under identifiers");
        } else if (CORE_COLUMNS.contains(field.getKey())) {
          source.fail(key, "'" + field.getKey() + "' is reserved: the pipeline adds a column of that name");
        }
        SourceSpec.Column column = SourceSpec.column(columns, field.getValue());
        if (column == null) {
          source.fail(key, "column '" + field.getValue() + "' is not declared in columns");
        } else if (field.getKey().equals(UPDATED_AT) && !column.type().isTemporal()) {
          // Cast from a number, epoch milliseconds would read as seconds: times tens of thousands of years ahead.
          source.fail(key, "column '" + field.getValue() + "' must be a date or timestamp (timestamp(epoch-millis) "
              + "reads epoch milliseconds)");
        }
      }
      SourceSpec.EventType eventType = eventType(source, columnNames, eventTypes);
      if (eventType != null && eventTime == null) {
        source.fail("event-time", "is required when event-type is set");
      }
      List<String> constraints = source.strings("constraints", List.of());
      for (String constraint : constraints) {
        try {
          org.apache.spark.sql.catalyst.parser.CatalystSqlParser$.MODULE$.parseExpression(constraint);
        } catch (Exception e) {
          // ParseException is a checked exception thrown from Scala code.
          source.fail("constraints", "'" + constraint + "' is not a valid Spark SQL predicate");
        }
      }
      boolean requireIdentifier = source.bool("require-identifier", true);
      int maxDaysAfterRunDate = source.has("max-days-after-run-date")
          ? source.integer("max-days-after-run-date") : defaultMaxDaysAfterRunDate;
      // The default's own key reports a bad default, once.
      if (source.has("max-days-after-run-date")
          && (maxDaysAfterRunDate < 0 || maxDaysAfterRunDate > MAX_DAYS_AFTER_RUN_DATE)) {
        source.fail("max-days-after-run-date", "must be between 0 and " + MAX_DAYS_AFTER_RUN_DATE);
      }
      String channel = source.has("channel") ? source.string("channel") : system;
      return new SourceSpec(name, system, format, path, readOptions, required, allowEmpty,
          maxBadRowRate, recordKey, columns, requiredColumns, eventTime, timezone, timezoneColumn,
          identifiers, fields, eventType, constraints, requireIdentifier, maxDaysAfterRunDate, channel);
    }

    private static List<SourceSpec.Column> columns(ConfigReader source, SourceSpec.SourceFormat format) {
      List<SourceSpec.Column> columns = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      List<String> declared = source.strings("columns");
      if (declared.isEmpty()) {
        source.fail("columns", "must declare at least one column");
      }
      Pattern declaration = Pattern.compile("(.+?)\\s+(\\S+(?:\\(.*\\))?)");
      for (String text : declared) {
        var matcher = declaration.matcher(text.trim());
        var type = matcher.matches() ? ColumnType.parse(matcher.group(2)) : java.util.Optional.<ColumnType>empty();
        if (type.isEmpty()) {
          source.fail("columns", "'" + text + "' is not '<name> <type>' with type string, int, long,"
              + " double, boolean, decimal(p,s), date[(pattern)] or timestamp[(iso|epoch-millis|epoch-seconds|pattern)]");
          continue;
        }
        String name = matcher.group(1).trim();
        if (!seen.add(name)) {
          source.fail("columns", "column '" + name + "' is declared twice");
        }
        if (format == SourceSpec.SourceFormat.PARQUET && type.get().isTemporal()
            && !ColumnType.ISO.equals(type.get().pattern())) {
          source.fail("columns", "'" + text + "': Parquet dates and timestamps are typed; remove the pattern");
        }
        if (type.get().isLocalPattern()) {
          try {
            DateTimeFormatter.ofPattern(type.get().pattern());
          } catch (IllegalArgumentException e) {
            source.fail("columns", "'" + text + "': invalid date-time pattern");
          }
        }
        columns.add(new SourceSpec.Column(name, type.get()));
      }
      return List.copyOf(columns);
    }

    private static Map<IdentifierKind, SourceSpec.Identifier> identifiers(ConfigReader source,
        Set<String> columnNames) {
      Map<IdentifierKind, SourceSpec.Identifier> identifiers = new EnumMap<>(IdentifierKind.class);
      for (String kindName : source.objectKeys("identifiers")) {
        String key = "identifiers." + ConfigReader.quoteIfNeeded(kindName);
        var kind = IdentifierKind.fromColumn(kindName);
        if (kind.isEmpty()) {
          source.fail(key, "unknown identifier kind; expected one of "
              + java.util.Arrays.stream(IdentifierKind.values()).map(IdentifierKind::column).toList());
          continue;
        }
        String column;
        String regionColumn = null;
        if (source.isObject(key)) {
          ConfigReader block = source.child(key);
          column = block.string("column");
          regionColumn = block.optionalString("region-column");
        } else {
          column = source.string(key);
        }
        checkColumns(source, key, List.of(column), columnNames);
        if (regionColumn != null) {
          checkColumns(source, key + ".region-column", List.of(regionColumn), columnNames);
        }
        if (regionColumn != null && kind.get() != IdentifierKind.PHONE) {
          source.fail(key + ".region-column", "only phone identifiers take a region column");
        }
        identifiers.put(kind.get(), new SourceSpec.Identifier(column, regionColumn));
      }
      return identifiers;
    }

    private static SourceSpec.EventType eventType(ConfigReader source, Set<String> columnNames,
        Set<String> eventTypes) {
      if (!source.has("event-type")) {
        return null;
      }
      if (!source.isObject("event-type")) {
        String constant = source.string("event-type");
        if (!eventTypes.contains(constant)) {
          source.fail("event-type", "'" + constant + "' is not in audience.event-types");
        }
        return new SourceSpec.EventType(constant, null, Map.of());
      }
      ConfigReader block = source.child("event-type");
      String column = block.string("column");
      checkColumns(block, "column", List.of(column), columnNames);
      Map<String, String> values = block.stringMap("values");
      if (values.isEmpty()) {
        block.fail("values", "must map at least one source value to an event type");
      }
      values.forEach((value, type) -> {
        if (!eventTypes.contains(type)) {
          block.fail("values." + ConfigReader.quoteIfNeeded(value), "'" + type + "' is not in audience.event-types");
        }
      });
      return new SourceSpec.EventType(null, column, values);
    }

    private static void checkColumns(ConfigReader source, String key, List<String> names,
        Set<String> declared) {
      for (String name : names) {
        if (!declared.contains(name)) {
          source.fail(key, "column '" + name + "' is not declared in columns");
        }
      }
    }
  }
}
