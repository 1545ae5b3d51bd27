package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import io.audiencepipeline.config.UnifySettings;
import io.audiencepipeline.identity.IdentifierKind;
import io.audiencepipeline.io.Checkpoints;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The golden profile: one row per customer with the surviving value of each configured attribute (and
 * the source it came from), every known identifier, first/last seen, per-channel consent and the
 * preferred channel.
 */
public final class Profiles {
  public static final String OPT_IN = "opt_in";
  public static final String OPT_OUT = "opt_out";
  public static final String UNKNOWN = "unknown";
  /** Most sources whose survivorship key is a long (more take a decimal). */
  private static final int LONG_KEY_SOURCES = 36;
  /**
   * The record times survivorship ranks, in microseconds: all that a long key of {@link #LONG_KEY_SOURCES} sources
   * holds (about the years -6148 to 10088 UTC), so well beyond what ingest lets through (the years 0001 to 9999,
   * give or take a time zone's offset). One below the minimum stands for a record without a time.
   */
  static final long MAX_MICROS = (Long.MAX_VALUE - LONG_KEY_SOURCES) / LONG_KEY_SOURCES;
  static final long MIN_MICROS = -MAX_MICROS;
  static final String CONSENT_OPT_IN_EVENT = "consent_opt_in";
  static final String CONSENT_OPT_OUT_EVENT = "consent_opt_out";

  /** Which identifier makes a channel reachable; channels not listed need none. */
  static final Map<String, List<String>> REACHABLE_BY = Map.of(
      "email", List.of("email"), "sms", List.of("phone"), "phone", List.of("phone"),
      "ads", List.of("email", "phone"));

  /** The identifier kinds the profile lists, each as {@code <column>s} (an array of the customer's values). */
  public static final List<IdentifierKind> LISTED = List.of(IdentifierKind.EMAIL, IdentifierKind.PHONE,
      IdentifierKind.ACCOUNT_ID, IdentifierKind.CRM_CONTACT_ID, IdentifierKind.LOYALTY_ID,
      IdentifierKind.DEVICE_ID, IdentifierKind.COOKIE_ID);

  private Profiles() {
  }

  /**
   * @param records bronze records of living customers, with {@code customer_id} and {@code customer_since}
   * @param sources the names of every source the records can come from
   */
  public static Dataset<Row> build(Dataset<Row> records, List<String> sources, UnifySettings settings,
      LocalDate runDate) {
    Set<String> columns = Set.of(records.columns());
    Column roleAddress = lower(substring_index(col("email"), "@", 1))
        .isin(settings.guards().roleLocalParts().toArray());

    Dataset<Row> summary = aggregate(records.groupBy("customer_id"), summaryColumns(roleAddress));

    Dataset<Row> profile = summary;
    List<UnifySettings.Survivorship> rules = settings.survivorship().stream()
        .filter(rule -> columns.contains(rule.attribute())).toList();
    if (!rules.isEmpty()) {
      profile = profile.join(survivors(records, rules, roleAddress, sources), new String[] {"customer_id"}, "left");
    }
    profile = profile.join(consent(records, settings), new String[] {"customer_id"}, "left");
    for (String channel : settings.consentChannels()) {
      profile = profile.withColumn("consent_" + channel, coalesce(col("consent_" + channel), lit(UNKNOWN)));
    }
    profile = profile.join(engagement(records, settings, runDate), new String[] {"customer_id"}, "left")
        .withColumn("preferred_channel", preferredChannel(settings));

    List<Column> ordered = new ArrayList<>();
    ordered.add(col("customer_id"));
    ordered.add(col("customer_since"));
    for (UnifySettings.Survivorship rule : rules) {
      DataType type = records.schema().apply(rule.attribute()).dataType();
      ordered.add(col(rule.attribute()).cast(type).as(rule.attribute()));
      ordered.add(col(rule.attribute() + "_source"));
    }
    for (IdentifierKind kind : LISTED) {
      ordered.add(col(kind.column() + "s"));
    }
    ordered.addAll(List.of(col("sources"), col("record_count"), col("first_seen"), col("last_seen")));
    settings.consentChannels().forEach(channel -> ordered.add(col("consent_" + channel)));
    ordered.add(col("preferred_channel"));
    return profile.select(ordered.toArray(Column[]::new));
  }

  /**
   * Yesterday's profile rows of customers none of whose records changed, as tonight's: every column but the
   * preferred channel is a function of their records, and so is the preferred channel but for its engagement
   * window, which moves one day on. Their events are yesterday's too, so their counts change only by the events
   * leaving the window (dated {@code windowDays} before the run date; the window has no upper end). The customers
   * holding such an engaging event have their channel chosen again, counted from their timeline events (the same
   * events {@link #build} counts, as the timeline holds exactly the records with an event type and time); every
   * other row keeps yesterday's channel, which the same counts, consents and identifiers chose.
   *
   * @param previous published profile rows of the day before the run date (the layout {@link #build} writes),
   *     made with the same settings and time zone
   * @param timeline those customers' timeline events
   */
  public static Dataset<Row> carryOver(Dataset<Row> previous, Dataset<Row> timeline, UnifySettings settings,
      LocalDate runDate) {
    int windowDays = settings.preferredChannel().windowDays();
    List<String> engaging = settings.consentChannels().stream()
        .flatMap(channel -> settings.preferredChannel().engagement().getOrDefault(channel, List.of()).stream())
        .distinct().toList();
    Column[] columns = Arrays.stream(previous.columns()).map(functions::col)
        .toArray(Column[]::new);
    if (engaging.isEmpty()) {
      return previous;
    }
    Dataset<Row> leaving = timeline
        .where(col(Timeline.EVENT_DATE).equalTo(lit(Date.valueOf(runDate.minusDays(windowDays))))
            .and(col("event_type").isin(engaging.toArray())))
        .select("customer_id").distinct()
        .transform(Checkpoints::local); // a day's engaged customers, read three times
    Dataset<Row> moved = leaving.count() <= settings.broadcastRows() ? broadcast(leaving) : leaving;
    Column windowStart = date_sub(lit(Date.valueOf(runDate)), windowDays - 1);
    Dataset<Row> engaged = engagement(timeline.where(col(Timeline.EVENT_DATE).geq(windowStart))
        .join(moved, new String[] {"customer_id"}, "left_semi"), settings, runDate);
    Dataset<Row> chosenAgain = previous.join(moved, new String[] {"customer_id"}, "left_semi")
        .drop("preferred_channel")
        .join(engaged, new String[] {"customer_id"}, "left")
        .withColumn("preferred_channel", preferredChannel(settings))
        .select(columns);
    return previous.join(moved, new String[] {"customer_id"}, "left_anti").select(columns).unionByName(chosenAgain);
  }

  private static List<Column> summaryColumns(Column roleAddress) {
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(min("customer_since").as("customer_since"));
    for (IdentifierKind kind : LISTED) {
      Column value = col(kind.column());
      if (kind == IdentifierKind.EMAIL) {
        value = when(roleAddress.isNull().or(roleAddress.unary_$bang()), value);
      }
      aggregates.add(array_sort(collect_set(value)).as(kind.column() + "s"));
    }
    aggregates.add(array_sort(collect_set(col("source"))).as("sources"));
    aggregates.add(count(lit(1)).as("record_count"));
    aggregates.add(min(BronzeRecords.RECORD_TIME).as("first_seen"));
    aggregates.add(max(BronzeRecords.RECORD_TIME).as("last_seen"));
    return aggregates;
  }

  /**
   * Survivorship in one pass for all attributes: candidates in long form (customer, attribute, value),
   * one aggregate per distinct value, then the best value per attribute by an ordering key that depends
   * on the attribute's rule: most recent (latest record time), most frequent (count, then latest), or
   * source priority (best-ranked source, then latest). The value itself breaks the last ties.
   *
   * <p>The per-value aggregation keeps only fixed-width numbers, so Spark aggregates it by hashing (an ordering by
   * a struct, as {@code max_by} takes, makes it sort every candidate): the latest source is the one of the largest
   * {@code time * sources + index of the source in name order}, and the source-priority winner is the rule's
   * source at the best priority (one source per priority), or the latest source when no listed source carries
   * the value.
   *
   * @param sources every source a record can come from
   */
  static Dataset<Row> survivors(Dataset<Row> records, List<UnifySettings.Survivorship> rules, Column roleAddress,
      List<String> sources) {
    List<Column> candidates = new ArrayList<>();
    for (UnifySettings.Survivorship rule : rules) {
      Column value = col(rule.attribute()).cast(DataTypes.StringType);
      if (rule.attribute().equals(IdentifierKind.EMAIL.column())) {
        value = when(roleAddress.isNull().or(roleAddress.unary_$bang()), value);
      }
      candidates.add(struct(lit(rule.attribute()).as("attribute"), value.as("value")));
    }
    Column priority = lit(Integer.MAX_VALUE);
    for (UnifySettings.Survivorship rule : rules) {
      for (int i = rule.sources().size() - 1; i >= 0; i--) {
        priority = when(col("attribute").equalTo(rule.attribute()).and(col("source").equalTo(rule.sources().get(i))),
            lit(i)).otherwise(priority);
      }
    }
    // Spark orders text by its UTF-8 bytes.
    List<String> names = sources.stream().distinct()
        .sorted(Comparator.comparing((String name) -> name.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned))
        .toList();
    Column nameArray = array(names.stream().map(functions::lit).toArray(Column[]::new));
    // A time as microseconds, exact in a long up to 36 sources. Ingest keeps record times within the years 0001
    // to 9999, far inside what the key holds, so a time outside stops the run, naming its source, rather than
    // overflow or rank wrongly. A record without a time ranks below all others, as null sorts first.
    DataType keyType = names.size() <= LONG_KEY_SOURCES ? DataTypes.LongType : DataTypes.createDecimalType(38, 0);
    Column micros = unix_micros(col("time"));
    Column position = array_position(nameArray, col("source"));
    Column latestKey = when(coalesce(position, lit(0L)).equalTo(0),
            raise_error(concat(lit("unify: a record's source is not among the configured sources: "),
                coalesce(col("source"), lit("(none)")))).cast(keyType))
        .when(micros.lt(MIN_MICROS).or(micros.gt(MAX_MICROS)),
            raise_error(concat(lit("unify: a record of source "), col("source"), lit(" has a time survivorship "
                + "cannot rank (it holds about the years -6148 to 10088): "), col("time").cast(DataTypes.StringType),
                lit("; check the source's time columns, then ingest its history again"))).cast(keyType))
        .otherwise(coalesce(micros, lit(MIN_MICROS - 1)).cast(keyType)
            .multiply(lit(names.size()).cast(keyType)).plus(position.minus(1).cast(keyType)));
    Dataset<Row> perValue = records
        .select(col("customer_id"), col("source"), col(BronzeRecords.RECORD_TIME).as("time"),
            explode(array(candidates.toArray(Column[]::new))).as("candidate"))
        .where(col("candidate.value").isNotNull())
        .select(col("customer_id"), col("source"), col("time"), col("candidate.attribute").as("attribute"),
            col("candidate.value").as("value"))
        .withColumn("priority", priority)
        .withColumn("latest_key", latestKey)
        .groupBy("customer_id", "attribute", "value")
        .agg(count(lit(1)).as("n"), max("time").as("latest"), max("latest_key").as("latest_key"),
            min("priority").as("best_priority"))
        .withColumn("latest_source", element_at(nameArray,
            pmod(col("latest_key"), lit(names.size()).cast(keyType)).cast(DataTypes.IntegerType).plus(1)));

    Column rank = lit(0L);
    Column winningSource = col("latest_source");
    for (UnifySettings.Survivorship rule : rules) {
      Column isRule = col("attribute").equalTo(rule.attribute());
      switch (rule.rule()) {
        case MOST_FREQUENT -> rank = when(isRule, col("n")).otherwise(rank);
        case SOURCE_PRIORITY -> {
          rank = when(isRule, lit(-1L).multiply(col("best_priority").cast(DataTypes.LongType))).otherwise(rank);
          Column listed = array(rule.sources().stream().map(functions::lit).toArray(Column[]::new));
          Column prioritySource = rule.sources().isEmpty() ? col("latest_source")
              : when(col("best_priority").lt(Integer.MAX_VALUE), element_at(listed, col("best_priority").plus(1)))
                  .otherwise(col("latest_source"));
          winningSource = when(isRule, prioritySource).otherwise(winningSource);
        }
        case MOST_RECENT -> { }
        default -> throw new IllegalStateException("unknown rule " + rule.rule());
      }
    }
    Dataset<Row> best = perValue
        .groupBy("customer_id", "attribute")
        .agg(max_by(struct(col("value"), winningSource.as("source")),
            struct(rank.as("rank"), col("latest"), col("value"))).as("best"));
    List<String> attributes = rules.stream().map(UnifySettings.Survivorship::attribute).toList();
    Dataset<Row> wide = best.groupBy("customer_id").pivot("attribute", new ArrayList<>(attributes))
        .agg(first("best"));
    List<Column> out = new ArrayList<>(List.of(col("customer_id")));
    for (String attribute : attributes) {
      out.add(col("`" + attribute + "`.value").as(attribute));
      out.add(col("`" + attribute + "`.source").as(attribute + "_source"));
    }
    return wide.select(out.toArray(Column[]::new));
  }

  /**
   * Per customer and channel the latest consent event wins; at the same instant an opt-out beats an
   * opt-in. Configured events (a newsletter unsubscribe) count as opt-outs of their channel.
   */
  static Dataset<Row> consent(Dataset<Row> records, UnifySettings settings) {
    boolean hasChannel = Arrays.asList(records.columns()).contains("channel");
    Column consentChannel = hasChannel ? lower(col("channel")) : lit(null).cast(DataTypes.StringType);
    Column channel = when(col("event_type").isin(CONSENT_OPT_IN_EVENT, CONSENT_OPT_OUT_EVENT), consentChannel);
    Column state = when(col("event_type").equalTo(CONSENT_OPT_IN_EVENT), lit(OPT_IN))
        .when(col("event_type").equalTo(CONSENT_OPT_OUT_EVENT), lit(OPT_OUT));
    for (Map.Entry<String, List<String>> optOut : settings.optOutEventTypes().entrySet()) {
      Column matches = col("event_type").isin(optOut.getValue().toArray());
      channel = when(matches, lit(optOut.getKey())).otherwise(channel);
      state = when(matches, lit(OPT_OUT)).otherwise(state);
    }
    Dataset<Row> latest = records
        .select(col("customer_id"), channel.as("consent_channel"), state.as("state"), col("event_time"))
        .where(col("consent_channel").isin(settings.consentChannels().toArray()).and(col("event_time").isNotNull()))
        .groupBy("customer_id", "consent_channel")
        .agg(max_by(col("state"), struct(col("event_time"), col("state").equalTo(OPT_OUT))).as("state"));
    return latest.groupBy("customer_id").pivot("consent_channel", new ArrayList<>(settings.consentChannels()))
        .agg(first("state"))
        .select(consentColumns(settings));
  }

  private static Column[] consentColumns(UnifySettings settings) {
    List<Column> out = new ArrayList<>(List.of(col("customer_id")));
    settings.consentChannels().forEach(c -> out.add(col("`" + c + "`").as("consent_" + c)));
    return out.toArray(Column[]::new);
  }

  /** Engaging events per channel over the window before the run date: {@code engaged_<channel>}. */
  static Dataset<Row> engagement(Dataset<Row> records, UnifySettings settings, LocalDate runDate) {
    Column inWindow = col("event_time").geq(date_sub(lit(Date.valueOf(runDate)),
        settings.preferredChannel().windowDays() - 1).cast(DataTypes.TimestampType));
    List<Column> counts = new ArrayList<>();
    for (String channel : settings.consentChannels()) {
      List<String> types = settings.preferredChannel().engagement().getOrDefault(channel, List.of());
      Column engaged = types.isEmpty() ? lit(false) : col("event_type").isin(types.toArray()).and(inWindow);
      counts.add(sum(when(engaged, 1L).otherwise(0L)).as("engaged_" + channel));
    }
    return aggregate(records.groupBy("customer_id"), counts);
  }

  static Dataset<Row> aggregate(org.apache.spark.sql.RelationalGroupedDataset grouped, List<Column> columns) {
    return grouped.agg(columns.get(0), columns.subList(1, columns.size()).toArray(Column[]::new));
  }

  /** The consented, reachable channel with the most engagement, then the configured order. */
  private static Column preferredChannel(UnifySettings settings) {
    List<String> order = settings.preferredChannel().order();
    List<Column> options = new ArrayList<>();
    for (String channel : settings.consentChannels()) {
      int position = order.contains(channel) ? order.indexOf(channel) : order.size();
      Column reachable = lit(true);
      List<String> needs = REACHABLE_BY.get(channel);
      if (needs != null) {
        reachable = needs.stream().map(kind -> org.apache.spark.sql.functions.size(col(kind + "s")).gt(0))
            .reduce(Column::or).orElse(lit(true));
      }
      Column eligible = col("consent_" + channel).equalTo(OPT_IN).and(reachable);
      options.add(when(eligible, struct(coalesce(col("engaged_" + channel), lit(0L)).as("engaged"),
          lit(-position).as("order"), lit(channel).as("channel"))));
    }
    Column eligible = filter(array(options.toArray(Column[]::new)), o -> o.isNotNull());
    return array_max(eligible).getField("channel");
  }
}
