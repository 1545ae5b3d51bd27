package io.audiencepipeline.models.features;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.models.testing.SharedSpark;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Features on hand-made timelines: exact values, and nothing after the as-of date leaks in. */
class FeatureBuilderTest {
  private static final LocalDate AS_OF = LocalDate.of(2026, 11, 21);
  private static final StructType EVENTS = StructType.fromDDL("customer_id string, event_time timestamp,"
      + " event_date date, event_type string, category string, amount decimal(12,2), details map<string,string>");
  private static final StructType PROFILE = StructType.fromDDL("customer_id string, first_seen timestamp,"
      + " birth_date date, country string");
  private static final FeatureSpec SPEC = new FeatureSpec(List.of(7, 30), List.of("climbing", "hiking"),
      List.of(new FeatureSpec.Counter("product_views", List.of("product_view", "app_product_view"), true),
          new FeatureSpec.Counter("email_opens", List.of("email_open"), false)),
      List.of("order_line", "store_purchase"), List.of("app_open"), List.of("closed"),
      List.of("Closed Won", "Closed Lost"), List.of("country"));

  private static Row event(String customer, String date, String type, String category, String amount,
      Map<String, String> details) {
    LocalDate day = LocalDate.parse(date);
    return RowFactory.create(customer, Timestamp.valueOf(day.atTime(12, 0)), Date.valueOf(day), type, category,
        amount == null ? null : new BigDecimal(amount), scala.jdk.javaapi.CollectionConverters.asScala(details)
            .toMap(scala.$less$colon$less$.MODULE$.refl()));
  }

  private static final List<Row> HISTORY = List.of(
      event("ann", "2026-11-21", "product_view", "climbing", null, Map.of()),
      event("ann", "2026-11-15", "app_product_view", "climbing", null, Map.of()),
      event("ann", "2026-11-01", "product_view", "hiking", null, Map.of()),
      event("ann", "2026-10-01", "product_view", "climbing", null, Map.of()),      // outside 30 days
      event("ann", "2026-11-20", "email_open", null, null, Map.of()),
      event("ann", "2026-11-10", "order_line", "climbing", "120.00", Map.of()),
      event("ann", "2026-11-10", "order_line", "hiking", "30.50", Map.of()),
      event("ann", "2026-09-01", "store_purchase", "climbing", "10.00", Map.of()),
      event("ann", "2026-11-19", "app_open", null, null, Map.of()),
      event("ann", "2026-11-02", "service_case", null, null, Map.of("case_status", "open")),
      event("ann", "2026-10-02", "service_case", null, null,
          Map.of("case_status", "closed", "closed_at", "2026-10-05 10:00:00", "satisfaction", "2")),
      event("ann", "2026-10-20", "sales_opportunity", null, null,
          Map.of("stage", "Proposal", "sales_visit_requested", "true")),
      event("bob", "2026-11-01", "email_open", null, null, Map.of()));

  private static Dataset<Row> profile() {
    return SharedSpark.session().createDataFrame(List.of(
        RowFactory.create("ann", Timestamp.valueOf("2026-09-01 00:00:00"), Date.valueOf("1990-05-01"), "US"),
        RowFactory.create("bob", Timestamp.valueOf("2026-11-01 00:00:00"), null, "GB"),
        RowFactory.create("cat", Timestamp.valueOf("2026-11-22 00:00:00"), null, "DE")), PROFILE);
  }

  private static Map<String, Row> build(List<Row> events) {
    Dataset<Row> timeline = SharedSpark.session().createDataFrame(events, EVENTS);
    Dataset<Row> profile = profile();
    Map<String, Row> rows = new java.util.TreeMap<>();
    FeatureBuilder.build(timeline, profile, AS_OF, SPEC).collectAsList()
        .forEach(r -> rows.put(r.getString(0), r));
    return rows;
  }

  private static Object get(Row row, String column) {
    return row.get(row.fieldIndex(column));
  }

  @Test
  void computesEachFeatureFromTheEventsUpToTheAsOfDate() {
    Map<String, Row> rows = build(HISTORY);
    assertEquals(List.of("ann", "bob"), new ArrayList<>(rows.keySet()), "cat is first seen after the as-of date");
    Row ann = rows.get("ann");
    assertEquals(3L, get(ann, "product_views_30d"));
    assertEquals(2L, get(ann, "product_views_climbing_30d"));
    assertEquals(2L, get(ann, "product_views_climbing_7d"), "the 7 days 11-15..11-21");
    assertEquals(1L, get(ann, "product_views_hiking_30d"));
    assertEquals(1L, get(ann, "email_opens_7d"));
    assertEquals(11, get(ann, "days_since_purchase"));
    assertEquals(2L, get(ann, "purchase_days"));
    assertEquals(160.5, (double) get(ann, "spend"), 1e-9);
    assertEquals(130.0, (double) get(ann, "spend_climbing"), 1e-9);
    assertEquals(FeatureBuilder.DAYS_SINCE_CAP, get(rows.get("bob"), "days_since_purchase"));
    assertEquals(2, get(ann, "days_since_app_use"));
    assertEquals(81, get(ann, "tenure_days"));
    assertEquals(1L, get(ann, "open_service_cases"));
    assertEquals(2, get(ann, "last_satisfaction"));
    assertNull(get(rows.get("bob"), "last_satisfaction"));
    assertEquals(1L, get(ann, "open_opportunities"));
    assertEquals(1L, get(ann, "sales_visits_requested"));
    assertEquals("35_44", get(ann, "age_band"));
    assertEquals("unknown", get(rows.get("bob"), "age_band"));
    assertEquals("GB", get(rows.get("bob"), "country"));
    assertEquals(0L, get(rows.get("bob"), "product_views_30d"));
  }

  @Test
  void eventsAfterTheAsOfDateChangeNothing() {
    List<Row> withFuture = new ArrayList<>(HISTORY);
    withFuture.add(event("ann", "2026-11-22", "order_line", "climbing", "999.00", Map.of()));
    withFuture.add(event("ann", "2026-11-22", "product_view", "hiking", null, Map.of()));
    withFuture.add(event("bob", "2026-12-01", "service_case", null, null, Map.of("case_status", "open")));
    withFuture.add(event("dan", "2026-11-25", "email_open", null, null, Map.of()));
    assertEquals(build(HISTORY), build(withFuture));
  }

  /** Training builds several as-of dates from one daily table that runs past them: each sees only its past. */
  @Test
  void oneDailyTableServesEveryAsOfDate() {
    List<Row> withFuture = new ArrayList<>(HISTORY);
    withFuture.add(event("ann", "2026-11-22", "order_line", "climbing", "999.00", Map.of()));
    withFuture.add(event("bob", "2026-12-01", "service_case", null, null, Map.of("case_status", "open")));
    Dataset<Row> timeline = SharedSpark.session().createDataFrame(withFuture, EVENTS);
    Dataset<Row> daily = FeatureBuilder.daily(timeline, SPEC);
    for (String asOf : List.of("2026-09-01", "2026-10-05", "2026-11-10", "2026-11-21")) {
      LocalDate date = LocalDate.parse(asOf);
      List<Row> direct = FeatureBuilder.build(timeline, profile(), date, SPEC, false).orderBy("customer_id")
          .collectAsList();
      List<Row> shared = FeatureBuilder.fromDaily(daily, timeline, profile(), date, SPEC, false)
          .orderBy("customer_id").collectAsList();
      assertEquals(direct, shared, "as of " + asOf);
    }
    Row ann = FeatureBuilder.fromDaily(daily, timeline, profile(), LocalDate.parse("2026-11-10"), SPEC, true)
        .where("customer_id = 'ann'").first();
    assertEquals(2L, get(ann, "purchase_days_climbing"), "09-01 in store and 11-10 online");
    assertEquals(2L, get(ann, "purchase_days"));
    assertEquals(160.5, (double) get(ann, "spend"), 1e-9);
    assertEquals(0, get(ann, "days_since_purchase"));
  }

  /**
   * Yesterday's row moved one day on equals the row built from every event, for each customer without an event
   * dated D: over dates where a window's oldest day leaves, a case closes, days-since values reach their cap,
   * tenure reaches its cap, a first event lands the day before, a birthday moves the age band, and a window of
   * one day.
   */
  @Test
  void carryingYesterdaysRowOverEqualsBuildingItAgain() {
    FeatureSpec spec = new FeatureSpec(List.of(1, 7, 30), SPEC.categories(), SPEC.counters(),
        SPEC.purchaseEventTypes(), SPEC.appEventTypes(), SPEC.closedCaseStatuses(), SPEC.closedOpportunityStages(),
        SPEC.profileColumns());
    List<Row> events = new ArrayList<>();
    Random random = new Random(7);
    String[] types = {"product_view", "app_product_view", "email_open", "order_line", "store_purchase", "app_open"};
    String[] categories = {"climbing", "hiking", null};
    LocalDate first = LocalDate.of(2025, 10, 1);
    for (int customer = 0; customer < 12; customer++) {
      for (int i = 0; i < 40; i++) {
        LocalDate day = first.plusDays(random.nextInt(430));
        String type = types[random.nextInt(types.length)];
        boolean purchase = type.equals("order_line") || type.equals("store_purchase");
        events.add(event("c" + customer, day.toString(), type, categories[random.nextInt(3)],
            purchase ? random.nextInt(10_000) / 100 + ".25" : null, Map.of()));
      }
    }
    // Edges: the last purchase 364 days before 2026-11-18 (days-since reaches the cap), history from 10 years
    // before (tenure reaches its cap on 2026-11-19), a first event on 2026-11-19 (tenure 0 then 1), cases
    // closing on 2026-11-20 and after, an opportunity, and a customer with no event at all.
    events.add(event("ann", "2025-11-19", "order_line", "climbing", "12.00", Map.of()));
    events.add(event("ann", "2016-11-21", "email_open", null, null, Map.of()));
    events.add(event("ann", "2026-11-05", "service_case", null, null,
        Map.of("case_status", "closed", "closed_at", "2026-11-20 09:00:00", "satisfaction", "4")));
    events.add(event("ann", "2026-11-06", "service_case", null, null,
        Map.of("case_status", "resolved", "closed_at", "2026-11-22 09:00:00", "satisfaction", "1")));
    events.add(event("ann", "2026-10-25", "sales_opportunity", null, null,
        Map.of("stage", "Proposal", "sales_visit_requested", "true")));
    events.add(event("bob", "2026-11-19", "email_open", null, null, Map.of()));
    StructType profileSchema = StructType.fromDDL("customer_id string, first_seen timestamp, birth_date date,"
        + " country string");
    List<Row> people = new ArrayList<>();
    for (int customer = 0; customer < 12; customer++) {
      people.add(RowFactory.create("c" + customer, Timestamp.valueOf("2025-10-01 00:00:00"),
          customer % 3 == 0 ? null : Date.valueOf(LocalDate.of(2001, 11, 14 + customer)), "US"));
    }
    people.add(RowFactory.create("ann", Timestamp.valueOf("2016-11-21 00:00:00"), Date.valueOf("2001-11-20"), "DE"));
    people.add(RowFactory.create("bob", Timestamp.valueOf("2026-11-10 00:00:00"), null, "GB"));
    people.add(RowFactory.create("cat", Timestamp.valueOf("2026-11-01 00:00:00"), null, "FR"));
    people.add(RowFactory.create("dan", Timestamp.valueOf("2026-11-20 00:00:00"), null, "FR")); // known from 11-20
    Dataset<Row> timeline = SharedSpark.session().createDataFrame(events, EVENTS).cache();
    Dataset<Row> profile = SharedSpark.session().createDataFrame(people, profileSchema).cache();
    int carried = 0;
    for (String date : List.of("2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-23")) {
      LocalDate asOf = LocalDate.parse(date);
      Dataset<Row> activeTonight = timeline.where(col("event_date").equalTo(Date.valueOf(asOf))).select("customer_id");
      Dataset<Row> previous = FeatureBuilder.build(timeline, profile, asOf.minusDays(1), spec)
          .join(activeTonight, new String[] {"customer_id"}, "left_anti");
      List<Row> expected = FeatureBuilder.build(timeline, profile, asOf, spec)
          .join(previous.select("customer_id"), new String[] {"customer_id"}, "left_semi")
          .orderBy("customer_id").collectAsList();
      List<Row> actual = FeatureBuilder.carryOver(previous, timeline, profile, asOf, spec).orderBy("customer_id")
          .collectAsList();
      assertEquals(expected, actual, "as of " + date);
      carried += actual.size();
    }
    assertEquals(List.of("ann", "bob"), FeatureBuilder.carryOver(FeatureBuilder.build(timeline, profile,
        LocalDate.parse("2026-11-19"), spec), timeline, profile.where("customer_id != 'cat'"),
        LocalDate.parse("2026-11-20"), spec).where("customer_id in ('ann', 'bob', 'cat')").orderBy("customer_id")
        .collectAsList().stream().map(r -> r.getString(0)).toList(), "cat is not in the profile of the day: left out");
    assertTrue(carried > 40, "most customers are carried on most dates: " + carried);
  }
}
