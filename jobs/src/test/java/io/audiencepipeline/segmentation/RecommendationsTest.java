package io.audiencepipeline.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.testing.SharedSpark;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recommendations on hand-made purchase histories: pizza board buyers also buy the cutter, rope buyers
 * also buy harness and chalk; exact arrays, co-occurrence first, then best sellers, never an item bought.
 */
class RecommendationsTest {
  private static final LocalDate AS_OF = LocalDate.of(2026, 11, 21);
  private static final StructType EVENTS = StructType.fromDDL("customer_id string, event_time timestamp,"
      + " event_type string, category string, sku string, event_date date");
  private static final StructType WANTED = StructType.fromDDL("request_id string, customer_id string,"
      + " category string");
  private static final Recommendations.Settings SETTINGS =
      new Recommendations.Settings(List.of("order_line", "store_purchase"), 365, 3, 20, 2);

  private static final String BOARD = "CMP-BOARD";
  private static final String CUTTER = "CMP-CUTTER";
  private static final String STOVE = "CMP-STOVE";
  private static final String ROPE = "CLM-ROPE";
  private static final String HARNESS = "CLM-HARNESS";
  private static final String CHALK = "CLM-CHALK";

  // Buyers in the window: board 5, rope 4, harness 3, cutter 3, chalk 2, stove 2 (best sellers in that order,
  // ties by SKU). Pairs of at least 2 customers: board+cutter 3, board+stove 2, rope+harness 3, rope+chalk 2,
  // harness+chalk 2; so board -> cutter 3/5, board -> stove 2/5, rope -> harness 3/4, rope -> chalk 2/4.
  private static final List<Row> HISTORY = List.of(
      purchase("ann", BOARD, "2026-11-01 10:00:00"),
      purchase("ann", CUTTER, "2026-11-21 23:59:59"),           // the last second of the as-of day counts
      purchase("bob", BOARD, "2026-06-01 10:00:00"),
      purchase("bob", CUTTER, "2026-06-01 10:00:00"),
      purchase("cal", BOARD, "2026-09-01 10:00:00"),
      purchase("cal", CUTTER, "2026-09-01 10:00:00"),
      purchase("cal", STOVE, "2026-09-02 10:00:00"),
      purchase("dan", BOARD, "2026-10-01 10:00:00"),
      purchase("dan", STOVE, "2026-11-01 10:00:00"),
      purchase("nia", BOARD, "2026-11-20 10:00:00"),           // the new board buyer
      purchase("eve", ROPE, "2026-08-01 10:00:00"),
      purchase("eve", HARNESS, "2026-08-01 10:00:00"),
      purchase("eve", CHALK, "2026-08-01 10:00:00"),
      purchase("fay", ROPE, "2026-08-05 10:00:00"),
      purchase("fay", HARNESS, "2026-08-05 10:00:00"),
      purchase("fay", CHALK, "2026-08-06 10:00:00"),
      purchase("gus", ROPE, "2026-07-01 10:00:00"),
      purchase("gus", HARNESS, "2026-07-01 10:00:00"),
      purchase("raj", ROPE, "2026-11-10 10:00:00"),            // the new rope buyer
      event("raj", "product_view", "CLM-QUICKDRAW", "2026-11-11 10:00:00"));

  private static final List<Row> REQUESTS = List.of(
      request("nia-camping", "nia", "camping"),
      request("nia-camping-again", "nia", "camping"),
      request("nia-climbing", "nia", "climbing"),
      request("nia-any", "nia", null),
      request("raj-climbing", "raj", "climbing"),
      request("raj-camping", "raj", "camping"),
      request("gus-climbing", "gus", "climbing"),
      request("dan-any", "dan", null),
      request("cal-camping", "cal", "camping"),
      request("new-camping", "new", "camping"),
      request("new-any", "new", null));

  private static Map<String, List<String>> recommended;

  private static Row event(String customer, String type, String sku, String time) {
    LocalDateTime at = Timestamp.valueOf(time).toLocalDateTime();
    String category = switch (sku.substring(0, 3)) {
      case "CMP" -> "camping";
      case "CLM" -> "climbing";
      case "HIK" -> "hiking";
      default -> throw new IllegalArgumentException(sku);
    };
    return RowFactory.create(customer, Timestamp.valueOf(at), type, category, sku, Date.valueOf(at.toLocalDate()));
  }

  private static Row purchase(String customer, String sku, String time) {
    return event(customer, "order_line", sku, time);
  }

  private static Row request(String id, String customer, String category) {
    return RowFactory.create(id, customer, category);
  }

  private static Dataset<Row> recommend(List<Row> events, List<Row> requests, Recommendations.Settings settings) {
    return Recommendations.recommend(SharedSpark.session().createDataFrame(events, EVENTS),
        SharedSpark.session().createDataFrame(requests, WANTED), AS_OF, settings);
  }

  /** request_id -> recommendations; fails if a request comes back twice. */
  private static Map<String, List<String>> byRequest(Dataset<Row> result) {
    Map<String, List<String>> out = new TreeMap<>();
    for (Row row : result.collectAsList()) {
      List<String> previous = out.put(row.getString(row.fieldIndex("request_id")),
          row.getList(row.fieldIndex(Recommendations.RECOMMENDATIONS)));
      assertEquals(null, previous, "request returned twice: " + row);
    }
    return out;
  }

  @BeforeAll
  static void recommendForTheRequests() {
    recommended = byRequest(recommend(HISTORY, REQUESTS, SETTINGS));
  }

  @Test
  void boardBuyerGetsTheCutterFirst() {
    assertEquals(List.of(CUTTER, STOVE), recommended.get("nia-camping"), "board -> cutter 3/5 beats stove 2/5");
    assertEquals(List.of(CUTTER, ROPE, HARNESS), recommended.get("dan-any"),
        "cutter from co-occurrence, then the best sellers dan has not bought");
  }

  @Test
  void ropeBuyerSeesOtherClimbingGear() {
    assertEquals(List.of(HARNESS, CHALK), recommended.get("raj-climbing"));
    assertEquals(List.of(CHALK), recommended.get("gus-climbing"));
  }

  @Test
  void categoryFilterKeepsOnlyTheRequestedCategory() {
    assertEquals(List.of(ROPE, HARNESS, CHALK), recommended.get("nia-climbing"),
        "no climbing item goes with the board: climbing best sellers only");
    assertEquals(List.of(BOARD, CUTTER, STOVE), recommended.get("raj-camping"));
  }

  @Test
  void coOccurrencePicksComeBeforeBestSellersForAnyCategory() {
    assertEquals(List.of(CUTTER, STOVE, ROPE), recommended.get("nia-any"));
  }

  @Test
  void customerWithoutHistoryGetsTheBestSellers() {
    assertEquals(List.of(BOARD, CUTTER, STOVE), recommended.get("new-camping"));
    assertEquals(List.of(BOARD, ROPE, HARNESS), recommended.get("new-any"), "harness before cutter: tie by SKU");
  }

  @Test
  void anItemAlreadyBoughtIsNeverRecommendedSoTheListCanBeEmpty() {
    assertEquals(List.of(), recommended.get("cal-camping"), "cal bought every camping item");
  }

  @Test
  void everyWantedRowComesBackExactlyOnce() {
    Dataset<Row> result = recommend(HISTORY, REQUESTS, SETTINGS);
    assertEquals(List.of("request_id", "customer_id", "category", Recommendations.RECOMMENDATIONS),
        Arrays.asList(result.columns()));
    assertEquals(REQUESTS.size(), byRequest(result).size());
    assertEquals(recommended.get("nia-camping"), recommended.get("nia-camping-again"));
  }

  @Test
  void purchasesAfterTheAsOfDayOrBeforeTheLookbackAreIgnored() {
    List<Row> events = new ArrayList<>(HISTORY);
    for (String customer : List.of("late1", "late2", "late3")) {
      events.add(purchase(customer, STOVE, "2026-11-22 00:00:00"));
      events.add(purchase(customer, ROPE, "2026-11-22 00:00:00"));
    }
    events.add(purchase("nia", CUTTER, "2026-11-22 00:00:00"));
    // The window is (as-of - 365 days, as-of]: the day 365 days back is already outside.
    for (String customer : List.of("old1", "old2", "old3")) {
      events.add(purchase(customer, STOVE, "2025-11-21 12:00:00"));
      events.add(purchase(customer, BOARD, "2025-11-21 12:00:00"));
    }
    events.add(purchase("nia", STOVE, "2025-11-21 12:00:00"));
    assertEquals(recommended, byRequest(recommend(events, REQUESTS, SETTINGS)));
  }

  @Test
  void itemsBeyondTheRecencyCapStillCountAsBought() {
    Recommendations.Settings lastItemOnly = new Recommendations.Settings(List.of("order_line"), 365, 3, 1, 2);
    // One recent item per customer makes no pairs: dan gets best sellers, without the board he bought first.
    assertEquals(List.of(ROPE, HARNESS, CUTTER),
        byRequest(recommend(HISTORY, List.of(request("dan-any", "dan", null)), lastItemOnly)).get("dan-any"));
  }

  /** Each of the customers buys each of the SKUs on 2026-10-01. */
  private static void boughtTogether(List<Row> into, List<String> customers, String... skus) {
    for (String customer : customers) {
      for (String sku : skus) {
        into.add(purchase(customer, sku, "2026-10-01 10:00:00"));
      }
    }
  }

  @Test
  void candidateScoreSumsTheConfidenceFromEveryItemBought() {
    List<Row> hiking = new ArrayList<>();
    boughtTogether(hiking, List.of("h1", "h2", "h3"), "HIK-BOOTS", "HIK-SOCKS");
    boughtTogether(hiking, List.of("h4", "h5"), "HIK-BOOTS", "HIK-MAP", "HIK-POLES");
    boughtTogether(hiking, List.of("h6", "h7"), "HIK-MAP");
    boughtTogether(hiking, List.of("sam"), "HIK-BOOTS", "HIK-MAP");
    // boots -> socks 3/6 is the strongest single pair, but poles gets boots 2/6 + map 2/5.
    assertEquals(List.of("HIK-POLES", "HIK-SOCKS"),
        byRequest(recommend(hiking, List.of(request("sam", "sam", "hiking")), SETTINGS)).get("sam"));
  }

  @Test
  void aBoughtCandidateDoesNotTakeThePlaceOfAPick() {
    List<Row> hiking = new ArrayList<>();
    boughtTogether(hiking, List.of("m1", "m2", "m3", "m4"), "HIK-BOOTS", "HIK-MAP");
    boughtTogether(hiking, List.of("s1", "s2", "s3"), "HIK-BOOTS", "HIK-SOCKS");
    boughtTogether(hiking, List.of("p1", "p2"), "HIK-BOOTS", "HIK-POLES");
    boughtTogether(hiking, List.of("t1", "t2"), "HIK-BOOTS", "HIK-HAT");
    boughtTogether(hiking, List.of("b1", "b2", "b3", "b4", "b5", "b6"), "HIK-BOTTLE");
    hiking.add(purchase("sam", "HIK-BOOTS", "2026-10-01 10:00:00"));
    hiking.add(purchase("sam", "HIK-MAP", "2026-10-02 10:00:00"));
    // From the boots: map 5/12, socks 3/12, hat and poles 2/12 (hat first by SKU); from the map: boots 5/5.
    // Sam bought the boots and the map, the two best candidates: a top 3 taken before leaving them out holds
    // one pick, and the best sellers fill the rest (the bottle first, 6 buyers). It did: tried.
    assertEquals(List.of("HIK-SOCKS", "HIK-HAT", "HIK-POLES"),
        byRequest(recommend(hiking, List.of(request("sam", "sam", "hiking")), SETTINGS)).get("sam"));
  }

  @Test
  void aSkusCategoryIsTheLabelOnMostLinesLowestOnATie() {
    StructType purchaseLines = StructType.fromDDL("customer_id string, sku string, category string,"
        + " event_time timestamp");
    Timestamp at = Timestamp.valueOf("2026-10-01 10:00:00");
    List<Row> rows = new ArrayList<>();
    for (String[] line : new String[][] {
        {"a", "S1", "camping"}, {"a", "S1", "camping"}, {"b", "S1", "climbing"},   // a stray label, fewer lines
        {"a", "S2", "hiking"}, {"b", "S2", "camping"},                             // a tie: the lowest label
        {"c", "S3", null}, {"c", "S3", null},                                      // no label at all
        {"c", "S4", "hiking"}, {"d", "S4", null}, {"d", "S4", null}}) {            // unlabelled lines do not vote
      rows.add(RowFactory.create(line[0], line[1], line[2], at));
    }
    Dataset<Row> purchases = SharedSpark.session().createDataFrame(rows, purchaseLines);
    Dataset<Row> owned = purchases.groupBy("customer_id", "sku").agg(functions.max("event_time").as("last_bought"));
    List<Row> catalogue = Recommendations.catalogue(purchases, owned).collectAsList();
    assertEquals(4, catalogue.size(), "one row per SKU: " + catalogue);
    Map<String, String> categories = new TreeMap<>();
    Map<String, Long> buyers = new TreeMap<>();
    for (Row row : catalogue) {
      categories.put(row.getString(row.fieldIndex("sku")), row.getString(row.fieldIndex("category")));
      buyers.put(row.getString(row.fieldIndex("sku")), row.getLong(row.fieldIndex("buyers")));
    }
    Map<String, String> expected = new TreeMap<>();
    expected.put("S1", "camping");
    expected.put("S2", "camping");
    expected.put("S3", null);
    expected.put("S4", "hiking");
    assertEquals(expected, categories);
    assertEquals(Map.of("S1", 2L, "S2", 2L, "S3", 1L, "S4", 2L), buyers);
  }

  @Test
  void sameInputsGiveTheSameOutputWhateverThePartitioning() {
    List<Row> reversedHistory = new ArrayList<>(HISTORY);
    java.util.Collections.reverse(reversedHistory);
    Dataset<Row> events = SharedSpark.session().createDataFrame(reversedHistory, EVENTS).repartition(3);
    Dataset<Row> wanted = SharedSpark.session().createDataFrame(REQUESTS, WANTED).repartition(2);
    assertEquals(recommended, byRequest(Recommendations.recommend(events, wanted, AS_OF, SETTINGS)));
  }
}
