package io.audiencepipeline.models.features;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Point-in-time features as of a date D: computed only from events dated D or earlier (UTC event
 * date), through a daily activity table (one pass over the events), then joined to the profile. The same
 * code builds training rows (several past as-of dates share one daily table) and scoring rows (the run date).
 */
public final class FeatureBuilder {
  /** Days-since features of customers who never did the thing are capped here (and flagged by a zero count). */
  public static final int DAYS_SINCE_CAP = 365;
  public static final String AS_OF = "as_of";
  public static final String EVENT_DATE = "event_date";
  private static final String COUNTER = "c_";
  private static final String PURCHASES = "p_purchases";
  private static final String SPEND = "p_spend";
  private static final String APP = "p_app_events";
  // Feature names used by more than one rule (eventFeatures, fill and carryOver); a category adds "_<category>".
  private static final String DAYS_SINCE_PURCHASE = "days_since_purchase";
  private static final String DAYS_SINCE_APP_USE = "days_since_app_use";
  private static final String SPEND_FEATURE = "spend";
  private static final String PURCHASE_DAYS = "purchase_days";
  private static final String TENURE = "tenure_days";
  private static final String LEAVING = "leaving__";
  private static final String ACTIVE_DAY_BEFORE = "active_day_before__";
  /** Spend is summed exactly (the timeline's amounts are decimal) and published as a double. */
  private static final DataType SPEND_TYPE = DataTypes.createDecimalType(28, 2);

  private FeatureBuilder() {
  }

  /**
   * @param events the unified timeline (customer_id, event_time, event_date, event_type, category,
   *     amount, details)
   * @param profile the golden profile (customer_id, first_seen, birth_date and the spec's profile columns)
   * @return one row per profile customer already known on D: customer_id, as_of and the features
   */
  public static Dataset<Row> build(Dataset<Row> events, Dataset<Row> profile, LocalDate asOf, FeatureSpec spec) {
    return build(events, profile, asOf, spec, true);
  }

  /**
   * @param onlyKnown keep only customers first seen on or before the as-of date; false keeps every profile
   *     customer (with zero behaviour before their first record), for targets whose rows come from an
   *     outcome table rather than from the customer base of the day
   */
  public static Dataset<Row> build(Dataset<Row> events, Dataset<Row> profile, LocalDate asOf, FeatureSpec spec,
      boolean onlyKnown) {
    Dataset<Row> past = events.where(col(EVENT_DATE).leq(lit(Date.valueOf(asOf))));
    return fromDaily(daily(past, spec), past, profile, asOf, spec, onlyKnown);
  }

  /**
   * The features as of a date from a daily activity table ({@link #daily}) that may extend past it (only days
   * up to the date are read), so several as-of dates can share one table. {@code events} gives the service
   * case and sales opportunity events (also only those up to the date are read).
   */
  public static Dataset<Row> fromDaily(Dataset<Row> daily, Dataset<Row> events, Dataset<Row> profile,
      LocalDate asOf, FeatureSpec spec, boolean onlyKnown) {
    Column day = lit(Date.valueOf(asOf));
    // Two aggregations: the wide one over daily rows uses only sums and maxima, so Spark runs it as a hash
    // aggregation; the service/sales features need max_by over the few case and opportunity events.
    Dataset<Row> behaviour = aggregate(daily.where(col(EVENT_DATE).leq(day)).groupBy("customer_id"),
        eventFeatures(spec, day))
        .join(serviceAndSales(events.where(col(EVENT_DATE).leq(day)), spec, day), new String[] {"customer_id"},
            "left");

    Set<String> profileColumns = Set.of(profile.columns());
    List<Column> out = new ArrayList<>(List.of(col("customer_id"), day.as(AS_OF)));
    for (String name : behaviour.columns()) {
      if (!name.equals("customer_id")) {
        out.add(fill(name));
      }
    }
    if (profileColumns.contains("birth_date")) {
      out.add(ageBand(col("birth_date"), day).as("age_band"));
    }
    for (String column : spec.profileColumns()) {
      if (profileColumns.contains(column)) {
        out.add(col(column));
      }
    }
    Dataset<Row> known = onlyKnown ? knownOn(profile, asOf) : profile;
    return known.join(behaviour, new String[] {"customer_id"}, "left").select(out.toArray(Column[]::new));
  }

  /**
   * Features as of D for customers whose timeline did not change since their features as of D - 1 were built,
   * other than by the passing day: the same events up to D - 1 and none dated D. Yesterday's row is moved one
   * day on instead of aggregating every event again (the incremental night, docs/PERFORMANCE.md):
   * <ul>
   *   <li>a window count loses the day that leaves the window (D - w), read from {@code events};</li>
   *   <li>days-since values grow by one up to the cap; tenure grows by one up to its cap, unless the customer
   *       had no event at all (tenure 0 and no event dated D - 1);</li>
   *   <li>spend and purchase days are unchanged;</li>
   *   <li>the service and sales features are computed again from {@code events} (a case counts as open until
   *       the day it closes, so they move with the date), as are the age band and the profile columns (from
   *       {@code profile}, the profile as of D).</li>
   * </ul>
   * Customers missing from either {@code previous} or the known customers of {@code profile} are left out. The
   * rows equal {@link #build} as of D for these customers (FeatureBuilderTest checks every column over a run
   * of dates); the caller chooses the customers.
   *
   * @param previous the features as of D - 1 ({@link #build}), in its column order
   * @param events the timeline (dates D - 1 and D - w are read, and the service and sales events up to D)
   */
  public static Dataset<Row> carryOver(Dataset<Row> previous, Dataset<Row> events, Dataset<Row> profile,
      LocalDate asOf, FeatureSpec spec) {
    Column day = lit(Date.valueOf(asOf));
    Column dayBefore = lit(Date.valueOf(asOf.minusDays(1)));
    List<Column> leaving = new ArrayList<>();
    Set<String> windowed = new HashSet<>();
    Set<Date> dates = new TreeSet<>(List.of(Date.valueOf(asOf.minusDays(1))));
    for (FeatureSpec.Counter counter : spec.counters()) {
      for (int window : spec.windowsDays()) {
        Date leaves = Date.valueOf(asOf.minusDays(window));
        dates.add(leaves);
        Column onLeavingDay = col(EVENT_DATE).equalTo(lit(leaves));
        String daily = COUNTER + counter.name();
        windowed.add(windowFeature(counter, null, window));
        leaving.add(sumIf(onLeavingDay, dailyCount(daily, null)).as(LEAVING + windowFeature(counter, null, window)));
        if (counter.perCategory()) {
          for (String c : spec.categories()) {
            String name = windowFeature(counter, c, window);
            windowed.add(name);
            leaving.add(sumIf(onLeavingDay, dailyCount(daily, c)).as(LEAVING + name));
          }
        }
      }
    }
    leaving.add(max(col(EVENT_DATE).equalTo(dayBefore)).as(ACTIVE_DAY_BEFORE));
    Dataset<Row> leavingRows = aggregate(daily(events.where(col(EVENT_DATE).isin(dates.toArray())), spec)
        .groupBy("customer_id"), leaving);
    Dataset<Row> service = serviceAndSales(events.where(col(EVENT_DATE).leq(day)), spec, day);
    Set<String> serviceColumns = Set.of(service.columns());
    Set<String> profileColumns = Set.of(profile.columns());
    Dataset<Row> known = knownOn(profile, asOf);
    // Every other behaviour feature by exact name, from the same spec eventFeatures reads.
    Set<String> daysSince = new HashSet<>(List.of(DAYS_SINCE_PURCHASE, DAYS_SINCE_APP_USE));
    Set<String> allHistory = new HashSet<>(List.of(SPEND_FEATURE, PURCHASE_DAYS));
    for (String c : spec.categories()) {
      daysSince.add(DAYS_SINCE_PURCHASE + "_" + c);
      allHistory.addAll(List.of(SPEND_FEATURE + "_" + c, PURCHASE_DAYS + "_" + c));
    }

    Dataset<Row> joined = previous.as("p")
        .join(known.as("pr"), col("p.customer_id").equalTo(col("pr.customer_id")))
        .join(leavingRows.as("l"), col("p.customer_id").equalTo(col("l.customer_id")), "left")
        .join(service.as("s"), col("p.customer_id").equalTo(col("s.customer_id")), "left");
    List<Column> out = new ArrayList<>();
    for (String name : previous.columns()) {
      Column was = col("p." + name);
      Column now;
      if (name.equals("customer_id")) {
        now = was;
      } else if (name.equals(AS_OF)) {
        now = day;
      } else if (windowed.contains(name)) {
        now = was.minus(coalesce(col("l." + LEAVING + name), lit(0L)));
      } else if (daysSince.contains(name)) {
        now = least(was.plus(1), lit(DAYS_SINCE_CAP));
      } else if (name.equals(TENURE)) {
        now = when(was.equalTo(0).and(coalesce(col("l." + ACTIVE_DAY_BEFORE), lit(false)).unary_$bang()), was)
            .otherwise(least(was.plus(1), lit(DAYS_SINCE_CAP * 10)));
      } else if (allHistory.contains(name)) {
        now = was;
      } else if (name.equals("last_satisfaction")) {
        now = col("s." + name);
      } else if (serviceColumns.contains(name)) {
        now = coalesce(col("s." + name), lit(0L));
      } else if (name.equals("age_band") && profileColumns.contains("birth_date")) {
        now = ageBand(col("pr.birth_date"), day);
      } else if (spec.profileColumns().contains(name) && profileColumns.contains(name)) {
        now = col("pr." + name);
      } else {
        throw new IllegalArgumentException("cannot carry feature column '" + name + "' over to " + asOf
            + ": it is not one the features as of " + asOf + " would hold");
      }
      out.add(now.cast(previous.schema().apply(name).dataType()).as(name));
    }
    return joined.select(out.toArray(Column[]::new));
  }

  /** The profile's customers already seen on the as-of date (first record on or before it). */
  public static Dataset<Row> knownOn(Dataset<Row> profile, LocalDate asOf) {
    return profile.where(to_date(col("first_seen")).leq(lit(Date.valueOf(asOf))));
  }

  /**
   * Daily activity: one row per customer and event date with that day's count of every counter (overall and
   * per category), purchase events, spend (exact decimal sums) and app events. Every window, recency and
   * purchase-day feature is a sum or maximum over these rows, so one pass over the timeline serves any number
   * of as-of dates.
   */
  public static Dataset<Row> daily(Dataset<Row> events, FeatureSpec spec) {
    List<Column> columns = new ArrayList<>();
    Column type = col("event_type");
    Column category = col("category");
    for (FeatureSpec.Counter counter : spec.counters()) {
      Column matches = type.isin(counter.eventTypes().toArray());
      columns.add(countIf(matches).as(dailyCount(COUNTER + counter.name(), null)));
      if (counter.perCategory()) {
        for (String c : spec.categories()) {
          columns.add(countIf(matches.and(category.equalTo(c))).as(dailyCount(COUNTER + counter.name(), c)));
        }
      }
    }
    Column purchase = type.isin(spec.purchaseEventTypes().toArray());
    columns.add(countIf(purchase).as(dailyCount(PURCHASES, null)));
    columns.add(sum(when(purchase, col("amount").cast(SPEND_TYPE))).as(dailyCount(SPEND, null)));
    for (String c : spec.categories()) {
      Column inCategory = purchase.and(category.equalTo(c));
      columns.add(countIf(inCategory).as(dailyCount(PURCHASES, c)));
      columns.add(sum(when(inCategory, col("amount").cast(SPEND_TYPE))).as(dailyCount(SPEND, c)));
    }
    columns.add(countIf(type.isin(spec.appEventTypes().toArray())).as(dailyCount(APP, null)));
    return aggregate(events.groupBy(col("customer_id"), col(EVENT_DATE)), columns);
  }

  /** Every aggregate over daily rows, named; all in one groupBy, in the published column order. */
  static List<Column> eventFeatures(FeatureSpec spec, Column day) {
    List<Column> features = new ArrayList<>();
    for (FeatureSpec.Counter counter : spec.counters()) {
      for (int window : spec.windowsDays()) {
        Column inWindow = col(EVENT_DATE).geq(date_sub(day, window - 1));
        String daily = COUNTER + counter.name();
        features.add(sumIf(inWindow, dailyCount(daily, null)).as(windowFeature(counter, null, window)));
        if (counter.perCategory()) {
          for (String c : spec.categories()) {
            features.add(sumIf(inWindow, dailyCount(daily, c)).as(windowFeature(counter, c, window)));
          }
        }
      }
    }
    features.addAll(rfm(null, day, ""));
    for (String c : spec.categories()) {
      features.addAll(rfm(c, day, "_" + c));
    }
    features.add(daysSince(col(dailyCount(APP, null)).gt(0), day).as(DAYS_SINCE_APP_USE));
    features.add(least(datediff(day, min(col(EVENT_DATE))), lit(DAYS_SINCE_CAP * 10)).as(TENURE));
    features.add(countIf(col(dailyCount(PURCHASES, null)).gt(0)).as(PURCHASE_DAYS));
    for (String c : spec.categories()) {
      features.add(countIf(col(dailyCount(PURCHASES, c)).gt(0)).as(PURCHASE_DAYS + "_" + c));
    }
    return features;
  }

  /** Name of a window count: {@code <counter>[_<category>]_<w>d}. */
  private static String windowFeature(FeatureSpec.Counter counter, String category, int window) {
    return counter.name() + (category == null ? "" : "_" + category) + "_" + window + "d";
  }

  /**
   * Name of a daily activity column: {@code c_<counter>[__<category>]} for the configured counters,
   * {@code p_purchases}, {@code p_spend}, {@code p_app_events}[{@code __<category>}] for the fixed ones.
   */
  static String dailyCount(String what, String category) {
    return what + (category == null ? "" : "__" + category);
  }

  /** Open cases, the last closed case's satisfaction, open opportunities and sales-visit requests. */
  static Dataset<Row> serviceAndSales(Dataset<Row> past, FeatureSpec spec, Column day) {
    Column type = col("event_type");
    Column isCase = type.equalTo("service_case");
    Column status = col("details").getItem("case_status");
    Column closedAt = col("details").getItem("closed_at").cast(DataTypes.TimestampType);
    Column closedByThen = status.isin(spec.closedCaseStatuses().toArray())
        .and(closedAt.isNull().or(to_date(closedAt).leq(day)));
    Column satisfaction = col("details").getItem("satisfaction").cast(DataTypes.IntegerType);
    Column isOpportunity = type.equalTo("sales_opportunity");
    Column stage = col("details").getItem("stage");
    return aggregate(past.where(type.isin("service_case", "sales_opportunity")).groupBy("customer_id"), List.of(
        countIf(isCase.and(closedByThen.unary_$bang())).as("open_service_cases"),
        max_by(when(isCase.and(closedByThen), satisfaction), struct(when(isCase.and(closedByThen)
            .and(satisfaction.isNotNull()), col("event_time")))).as("last_satisfaction"),
        countIf(isOpportunity.and(stage.isin(spec.closedOpportunityStages().toArray()).unary_$bang()))
            .as("open_opportunities"),
        countIf(isOpportunity.and(col("details").getItem("sales_visit_requested").equalTo("true")))
            .as("sales_visits_requested")));
  }

  private static List<Column> rfm(String category, Column day, String suffix) {
    return List.of(
        daysSince(col(dailyCount(PURCHASES, category)).gt(0), day).as(DAYS_SINCE_PURCHASE + suffix),
        coalesce(sum(col(dailyCount(SPEND, category))).cast(DataTypes.DoubleType), lit(0.0))
            .as(SPEND_FEATURE + suffix));
  }

  private static Column daysSince(Column condition, Column day) {
    return datediff(day, max(when(condition, col(EVENT_DATE))));
  }

  private static Column countIf(Column condition) {
    return sum(when(condition, 1L).otherwise(0L));
  }

  private static Column sumIf(Column condition, String column) {
    return sum(when(condition, col(column)).otherwise(0L));
  }

  /** Customers without events get zero counts and capped days-since values. */
  private static Column fill(String name) {
    if (name.startsWith("days_since_")) {
      return coalesce(least(col(name), lit(DAYS_SINCE_CAP)), lit(DAYS_SINCE_CAP)).as(name);
    }
    if (name.equals("last_satisfaction")) {
      return col(name);
    }
    if (name.equals(TENURE)) {
      return coalesce(col(name), lit(0)).as(name);
    }
    return coalesce(col(name), lit(0)).as(name);
  }

  /** Age bands as marketers use them: 18-24, 25-34, ..., 65+; unknown when no birth date. */
  static Column ageBand(Column birthDate, Column day) {
    Column age = floor(datediff(day, birthDate).divide(365.25));
    return when(age.isNull(), lit("unknown"))
        .when(age.lt(18), lit("under_18"))
        .when(age.lt(25), lit("18_24"))
        .when(age.lt(35), lit("25_34"))
        .when(age.lt(45), lit("35_44"))
        .when(age.lt(55), lit("45_54"))
        .when(age.lt(65), lit("55_64"))
        .otherwise(lit("65_plus"));
  }

  static Dataset<Row> aggregate(org.apache.spark.sql.RelationalGroupedDataset grouped, List<Column> columns) {
    return grouped.agg(columns.get(0), columns.subList(1, columns.size()).toArray(Column[]::new));
  }

  /** The feature columns of a built frame (everything but the key and the as-of date). */
  public static List<String> featureColumns(Dataset<Row> features) {
    return Arrays.stream(features.columns()).filter(c -> !c.equals("customer_id") && !c.equals(AS_OF)).toList();
  }
}
