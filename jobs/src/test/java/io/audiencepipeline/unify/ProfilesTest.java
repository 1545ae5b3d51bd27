package io.audiencepipeline.unify;

import static io.audiencepipeline.unify.UnifyFixtures.rec;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.config.UnifySettings;
import io.audiencepipeline.config.UnifySettings.Rule;
import io.audiencepipeline.config.UnifySettings.Survivorship;
import io.audiencepipeline.testing.SharedSpark;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Survivorship per rule, consent precedence and the preferred channel, on two hand-made customers. */
class ProfilesTest {
  private static final LocalDate RUN_DATE = LocalDate.of(2026, 11, 21);
  private static final UnifySettings SETTINGS = UnifyFixtures.settings(List.of(
      new Survivorship("first_name", Rule.SOURCE_PRIORITY, List.of("accounts", "crm")),
      new Survivorship("postcode", Rule.MOST_RECENT, List.of()),
      new Survivorship("country", Rule.MOST_FREQUENT, List.of()),
      new Survivorship("email", Rule.MOST_FREQUENT, List.of())));

  private static Map<String, Row> profiles;

  private static UnifyFixtures.Rec ann(String key, String source, String time) {
    return rec(key).with("source", source).with("customer_id", "C-ann").at(time);
  }

  private static UnifyFixtures.Rec bob(String key, String time) {
    return rec(key).with("customer_id", "C-bob").at(time);
  }

  @BeforeAll
  static void build() {
    Dataset<Row> records = UnifyFixtures.recordsWithCustomer(
        // Names: accounts outranks the newer CRM spelling.
        ann("a1", "accounts", "2026-01-01 10:00:00").with("first_name", "Ann").with("postcode", "10001")
            .with("country", "US").with("email", "ann@x.com"),
        ann("c1", "crm", "2026-06-01 10:00:00").with("first_name", "Annie").with("postcode", "94105")
            .with("country", "US").with("email", "info@shop.com"),
        ann("e1", "events", "2026-07-01 10:00:00").with("country", "GB").with("email", "info@shop.com"),
        ann("e2", "events", "2026-07-02 10:00:00").with("email", "info@shop.com"),
        // Consent: the latest event per channel wins; at the same instant opt-out wins.
        ann("k1", "consent", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "email"),
        ann("k2", "consent", "2026-09-05 10:00:00").with("event_type", "consent_opt_out").with("channel", "email"),
        ann("k3", "consent", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "sms"),
        ann("k4", "consent", "2026-09-01 10:00:00").with("event_type", "consent_opt_out").with("channel", "sms"),
        ann("k5", "consent", "2026-08-01 10:00:00").with("event_type", "consent_opt_out").with("channel", "ads"),
        ann("k6", "consent", "2026-10-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "ADS"),
        // Bob: e-mail opt-in, then a newsletter unsubscribe; ads opt-in and ad clicks; phone consent but no phone.
        bob("b1", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "email")
            .with("email", "bob@x.com"),
        bob("b2", "2026-10-01 10:00:00").with("event_type", "email_unsubscribe").with("email", "bob@x.com"),
        bob("b3", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "ads"),
        bob("b4", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "phone"),
        bob("b5", "2026-11-20 10:00:00").with("event_type", "ad_click").with("cookie_id", "K1"),
        bob("b6", "2026-01-20 10:00:00").with("event_type", "ad_click").with("cookie_id", "K1"));
    profiles = new TreeMap<>();
    Profiles.build(records, List.of("accounts", "crm", "events", "consent", "test"), SETTINGS, RUN_DATE).collectAsList()
        .forEach(r -> profiles.put(r.getString(r.fieldIndex("customer_id")), r));
  }

  private static Object value(String customer, String column) {
    Row row = profiles.get(customer);
    Object value = row.get(row.fieldIndex(column));
    return value instanceof scala.collection.Seq<?> seq ? scala.jdk.javaapi.CollectionConverters.asJava(seq)
        : value;
  }

  @Test
  void survivorshipFollowsEachAttributesRule() {
    assertEquals("Ann", value("C-ann", "first_name"));
    assertEquals("accounts", value("C-ann", "first_name_source"));
    assertEquals("94105", value("C-ann", "postcode"), "most recent");
    assertEquals("crm", value("C-ann", "postcode_source"));
    assertEquals("US", value("C-ann", "country"), "most frequent, though GB is newer");
    assertEquals("ann@x.com", value("C-ann", "email"), "role mailboxes never survive, however frequent");
    assertEquals(List.of("ann@x.com"), value("C-ann", "emails"));
    assertEquals(List.of("accounts", "consent", "crm", "events"), value("C-ann", "sources"));
    assertEquals(10L, value("C-ann", "record_count"));
  }

  @Test
  void latestConsentWinsAndUnknownMeansNone() {
    assertEquals("opt_out", value("C-ann", "consent_email"));
    assertEquals("opt_out", value("C-ann", "consent_sms"), "opt-out wins a tie");
    assertEquals("opt_in", value("C-ann", "consent_ads"));
    assertEquals("unknown", value("C-ann", "consent_phone"));
    assertEquals("opt_out", value("C-bob", "consent_email"), "an unsubscribe withdraws e-mail consent");
  }

  @Test
  void preferredChannelIsConsentedReachableAndMostEngaged() {
    assertEquals("ads", value("C-ann", "preferred_channel"), "ads is Ann's only consented channel");
    assertEquals("ads", value("C-bob", "preferred_channel"), "phone consent without a phone number is unreachable");
  }

  /**
   * The hash-aggregated survivorship against the struct-ordered one it replaced (kept below as the reference), on
   * random records with many ties in time, every rule, a source listed twice, a listed source that never carries a
   * value, role mailboxes and timestamps far from now; with 5 sources (the keys in a long) and with 45 (in a
   * decimal: a long would overflow at the year 9999).
   */
  @Test
  void survivorsMatchTheStructOrderedReference() {
    java.util.Random random = new java.util.Random(7);
    String[] sources = {"accounts", "crm", "events", "shop", "web"};
    // The extremes (the first and last microsecond survivorship ranks, no time at all) are set in UTC below.
    String[] times = {"2026-01-01 00:00:00", "2026-01-01 00:00:00.000001", "2026-02-01 00:00:00",
        "1900-01-01 00:00:00", "#first", "#last", "#none"};
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String time = times[random.nextInt(times.length)];
      UnifyFixtures.Rec rec = rec("k" + i + (time.startsWith("#") ? time : ""))
          .with("source", sources[random.nextInt(sources.length)])
          .with("customer_id", "C" + random.nextInt(60)).at(time.startsWith("#") ? times[0] : time);
      String[][] values = {{"first_name", "Ann", "Anne", "Annie"}, {"last_name", "Lee", "Li"},
          {"postcode", "10001", "94105", "SW1"}, {"country", "US", "GB"},
          {"email", "ann@x.com", "info@x.com", "a.lee@y.com"}};
      for (String[] column : values) {
        if (random.nextInt(3) > 0) {
          rec = rec.with(column[0], column[1 + random.nextInt(column.length - 1)]);
        }
      }
      rows.add(rec.rowWithCustomer());
    }
    // A customer none of whose records has a time: each value's latest source is then the last by name.
    for (String source : List.of("web", "crm", "shop")) {
      rows.add(rec("untimed-" + source + "#none").with("source", source).with("customer_id", "untimed")
          .with("postcode", "SW1").with("first_name", "Ann").rowWithCustomer());
    }
    Dataset<Row> records = SharedSpark.session().createDataFrame(rows, UnifyFixtures.WITH_CUSTOMER)
        .withColumn("record_time",
            when(col("record_key").endsWith("#first"), timestamp_micros(lit(Profiles.MIN_MICROS)))
                .when(col("record_key").endsWith("#last"), timestamp_micros(lit(Profiles.MAX_MICROS)))
                .when(col("record_key").endsWith("#none"), lit(null).cast(DataTypes.TimestampType))
                .otherwise(col("record_time")));
    List<Survivorship> rules = List.of(
        new Survivorship("first_name", Rule.SOURCE_PRIORITY, List.of("crm", "accounts", "crm")),
        new Survivorship("last_name", Rule.SOURCE_PRIORITY, List.of("nowhere", "web")),
        new Survivorship("postcode", Rule.MOST_RECENT, List.of()),
        new Survivorship("country", Rule.MOST_FREQUENT, List.of()),
        new Survivorship("email", Rule.MOST_FREQUENT, List.of()));
    Column roleAddress = lower(substring_index(col("email"), "@", 1)).isin("info");
    List<Row> expected = sorted(reference(records, rules, roleAddress));
    assertEquals(61, expected.size());
    assertEquals(expected, sorted(Profiles.survivors(records, rules, roleAddress, List.of(sources))), "long keys");
    // The most sources a long key holds, with the extreme times: one more source would overflow it.
    List<String> many = new java.util.ArrayList<>(List.of(sources));
    while (many.size() < 36) {
      many.add(String.format("more_%02d", many.size()));
    }
    assertEquals(expected, sorted(Profiles.survivors(records, rules, roleAddress, many)), "36 sources, long keys");
    while (many.size() < 37) {
      many.add(String.format("more_%02d", many.size()));
    }
    assertEquals(expected, sorted(Profiles.survivors(records, rules, roleAddress, many)), "37 sources, decimal keys");
  }

  @Test
  void aRecordTimeOutsideTheRankedYearsFailsTheRunNamingItsSource() {
    List<Survivorship> rules = List.of(new Survivorship("postcode", Rule.MOST_RECENT, List.of()));
    for (long micros : new long[] {Profiles.MIN_MICROS - 1, Profiles.MAX_MICROS + 1, Long.MAX_VALUE / 10}) {
      Dataset<Row> records = SharedSpark.session()
          .createDataFrame(List.of(rec("k1").with("source", "crm").with("customer_id", "C1").with("postcode", "10001")
              .rowWithCustomer()), UnifyFixtures.WITH_CUSTOMER)
          .withColumn("record_time", timestamp_micros(lit(micros)));
      Exception failure = assertThrows(Exception.class,
          () -> Profiles.survivors(records, rules, lit(false), List.of("crm", "web")).collectAsList());
      assertTrue(failure.getMessage().contains("unify: a record of source crm has a time survivorship cannot rank"),
          failure::getMessage);
    }
  }

  private static List<Row> sorted(Dataset<Row> rows) {
    return rows.orderBy("customer_id").collectAsList();
  }

  /** The survivorship as it was before the per-value aggregation became a hash aggregation. */
  private static Dataset<Row> reference(Dataset<Row> records, List<Survivorship> rules, Column roleAddress) {
    List<Column> candidates = new java.util.ArrayList<>();
    for (Survivorship rule : rules) {
      Column value = col(rule.attribute()).cast(DataTypes.StringType);
      if (rule.attribute().equals("email")) {
        value = when(roleAddress.isNull().or(roleAddress.unary_$bang()), value);
      }
      candidates.add(struct(lit(rule.attribute()).as("attribute"), value.as("value")));
    }
    Column priority = lit(Integer.MAX_VALUE);
    for (Survivorship rule : rules) {
      for (int i = rule.sources().size() - 1; i >= 0; i--) {
        priority = when(col("attribute").equalTo(rule.attribute()).and(col("source").equalTo(rule.sources().get(i))),
            lit(i)).otherwise(priority);
      }
    }
    Dataset<Row> perValue = records
        .select(col("customer_id"), col("source"), col("record_time").as("time"),
            explode(filter(array(candidates.toArray(Column[]::new)), c -> c.getField("value").isNotNull()))
                .as("candidate"))
        .select(col("customer_id"), col("source"), col("time"), col("candidate.attribute").as("attribute"),
            col("candidate.value").as("value"))
        .withColumn("priority", priority)
        .groupBy("customer_id", "attribute", "value")
        .agg(count(lit(1)).as("n"), max("time").as("latest"),
            max_by(col("source"), struct(col("time"), col("source"))).as("latest_source"),
            min("priority").as("best_priority"),
            max_by(col("source"), struct(col("priority").multiply(-1), col("time"), col("source")))
                .as("priority_source"));
    Column rank = lit(0L);
    Column winningSource = col("latest_source");
    for (Survivorship rule : rules) {
      Column isRule = col("attribute").equalTo(rule.attribute());
      switch (rule.rule()) {
        case MOST_FREQUENT -> rank = when(isRule, col("n")).otherwise(rank);
        case SOURCE_PRIORITY -> {
          rank = when(isRule, lit(-1L).multiply(col("best_priority").cast(DataTypes.LongType))).otherwise(rank);
          winningSource = when(isRule, col("priority_source")).otherwise(winningSource);
        }
        default -> { }
      }
    }
    Dataset<Row> best = perValue.groupBy("customer_id", "attribute")
        .agg(max_by(struct(col("value"), winningSource.as("source")),
            struct(rank.as("rank"), col("latest"), col("value"))).as("best"));
    List<String> attributes = rules.stream().map(Survivorship::attribute).toList();
    Dataset<Row> wide = best.groupBy("customer_id").pivot("attribute", new java.util.ArrayList<>(attributes))
        .agg(first("best"));
    List<Column> out = new java.util.ArrayList<>(List.of(col("customer_id")));
    for (String attribute : attributes) {
      out.add(col("`" + attribute + "`.value").as(attribute));
      out.add(col("`" + attribute + "`.source").as(attribute + "_source"));
    }
    return wide.select(out.toArray(Column[]::new));
  }
}
