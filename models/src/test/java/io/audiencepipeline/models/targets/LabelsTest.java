package io.audiencepipeline.models.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.models.testing.SharedSpark;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Label windows are (as-of, as-of + horizon]: exact boundaries, category filter, both target kinds. */
class LabelsTest {
  private static final LocalDate AS_OF = LocalDate.of(2026, 10, 1);
  private static final StructType EVENTS = StructType.fromDDL("customer_id string, event_date date,"
      + " event_type string, category string, details map<string,string>");
  private static final List<String> PURCHASES = List.of("order_line", "store_purchase");

  private static Row event(String customer, String date, String type, String category, Map<String, String> details) {
    return RowFactory.create(customer, Date.valueOf(date), type, category,
        scala.jdk.javaapi.CollectionConverters.asScala(details).toMap(scala.$less$colon$less$.MODULE$.refl()));
  }

  private static final List<Row> EVENTS_ROWS = List.of(
      event("on_as_of", "2026-10-01", "order_line", "climbing", Map.of()),       // the as-of day: a feature
      event("first_day", "2026-10-02", "order_line", "climbing", Map.of()),
      event("last_day", "2026-10-31", "store_purchase", "climbing", Map.of()),   // as-of + 30
      event("too_late", "2026-11-01", "order_line", "climbing", Map.of()),       // as-of + 31
      event("hiking_only", "2026-10-10", "order_line", "hiking", Map.of()),
      event("viewer", "2026-10-10", "product_view", "climbing", Map.of()),
      event("responder", "2026-10-05", "campaign_offer", null, Map.of("responded", "0")),
      event("responder", "2026-10-20", "campaign_offer", null, Map.of("responded", "1")),
      event("ignorer", "2026-10-05", "campaign_offer", null, Map.of("responded", "0")),
      event("late_offer", "2026-11-05", "campaign_offer", null, Map.of("responded", "1")),
      event("bad_value", "2026-10-05", "campaign_offer", null, Map.of("responded", "yes")));

  private static final List<String> POPULATION = List.of("on_as_of", "first_day", "last_day", "too_late",
      "hiking_only", "viewer", "responder", "ignorer", "late_offer", "bad_value", "quiet");

  private static Map<String, Integer> labels(TargetSpec target) {
    Dataset<Row> events = SharedSpark.session().createDataFrame(EVENTS_ROWS, EVENTS);
    Dataset<Row> population = SharedSpark.session().createDataFrame(
        POPULATION.stream().map(c -> RowFactory.create(c, 1.0)).toList(),
        StructType.fromDDL("customer_id string, some_feature double"));
    Map<String, Integer> labels = new TreeMap<>();
    for (Row row : Labels.attach(events, population, AS_OF, target, PURCHASES).collectAsList()) {
      labels.put(row.getString(row.fieldIndex("customer_id")), row.getInt(row.fieldIndex(Labels.LABEL)));
    }
    return labels;
  }

  @Test
  void purchaseOfACategoryWithinTheHorizonAfterTheAsOfDate() {
    Map<String, Integer> expected = new TreeMap<>();
    POPULATION.forEach(c -> expected.put(c, 0));
    expected.put("first_day", 1);
    expected.put("last_day", 1);
    assertEquals(expected, labels(TargetSpec.purchase("buys_climbing_30d", Optional.of("climbing"), 30)));
  }

  @Test
  void anyPurchaseCountsWhenNoCategoryIsGiven() {
    Map<String, Integer> expected = new TreeMap<>();
    POPULATION.forEach(c -> expected.put(c, 0));
    expected.put("first_day", 1);
    expected.put("last_day", 1);
    expected.put("hiking_only", 1);
    assertEquals(expected, labels(TargetSpec.purchase("buys_any_30d", Optional.empty(), 30)));
  }

  @Test
  void outcomeTargetsLabelOnlyCustomersWithAnOutcomeInTheWindow() {
    // Any 1 wins; a value that is not 0/1 is not an outcome; outcomes after the window do not count.
    assertEquals(Map.of("responder", 1, "ignorer", 0),
        labels(TargetSpec.outcome("responds_30d", "campaign_offer", "responded", 30)));
  }
}
