package io.audiencepipeline.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.config.SegmentationSettings;
import io.audiencepipeline.config.SegmentationSettings.Campaign;
import io.audiencepipeline.config.SegmentationSettings.Channel;
import io.audiencepipeline.config.SegmentationSettings.QualityGate;
import io.audiencepipeline.config.SegmentationSettings.Segment;
import io.audiencepipeline.config.SegmentationSettings.Suppression;
import io.audiencepipeline.testing.SharedSpark;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** First match wins, suppressions, consent per channel, caps, arbitration and stable holdouts. */
class WaterfallTest {
  private static final String SALT = "test-salt-0123456789";
  private static final StructType BASE = StructType.fromDDL("customer_id string, erased boolean, "
      + "consent_email string, consent_ads string, email string, phone string, preferred_channel string, "
      + "recent_email_messages bigint, recent_ads_messages bigint, climber boolean, hiker boolean, "
      + "unhappy boolean, score double");

  private static SegmentationSettings settings(int perNight, List<Campaign> campaigns) {
    Map<String, Channel> channels = new LinkedHashMap<>();
    channels.put("email", new Channel("email", "email", "email", 3, 7));
    channels.put("ads", new Channel("ads", "ads", "coalesce(email, phone)", 5, 7));
    return new SegmentationSettings(channels, perNight, List.of(),
        new SegmentationSettings.Recommendations(365, 3, 50, 2), new QualityGate(0.5, false), 1000, 30, Map.of(),
        campaigns);
  }

  private static Campaign campaign(String name, int priority, double holdout, Optional<Long> climberCap) {
    return new Campaign(name, "", priority, "true", Optional.empty(), Optional.empty(), List.of("email", "ads"),
        holdout, List.of(new Suppression("no_consent", Suppression.NO_CONSENT, null),
            new Suppression("frequency_cap", Suppression.FREQUENCY_CAP, null),
            new Suppression("unhappy", Suppression.RULE, "unhappy")),
        List.of(new Segment("climbers", "climber", Optional.of("CLIMB10"), Optional.empty(), climberCap, "score"),
            new Segment("hikers", "hiker", Optional.of("HIKE5"), Optional.empty(), Optional.empty(), "score")),
        List.of(), new QualityGate(0.5, false));
  }

  private static Row customer(String id, boolean erased, String email, String ads, String preferred,
      long recentEmail, boolean climber, boolean hiker, boolean unhappy, double score) {
    return RowFactory.create(id, erased, email, ads, id + "@example.com", null, preferred, recentEmail, 0L,
        climber, hiker, unhappy, score);
  }

  private static Map<String, Row> byCustomer(Dataset<Row> rows) {
    Map<String, Row> result = new TreeMap<>();
    for (Row row : rows.collectAsList()) {
      result.put(row.getString(row.fieldIndex("customer_id")), row);
    }
    return result;
  }

  private static String status(Row row) {
    return row.getString(row.fieldIndex("status")) + "/" + row.getString(row.fieldIndex("step"));
  }

  @Test
  void onlyTheColumnsTheCampaignsReadAreKeptForTheCache() {
    SparkSession spark = SharedSpark.session();
    StructType wide = StructType.fromDDL("visits_30d double, `odd name` string, emails array<string>");
    for (var field : BASE.fields()) {
      wide = wide.add(field);
    }
    Dataset<Row> base = spark.createDataFrame(List.of(), wide);
    List<String> expected = List.of(BASE.fieldNames());
    assertEquals(expected, SegmentStage.columnsRead(spark, base,
        settings(1, List.of(campaign("spring", 1, 0.1, Optional.empty()))), SALT));
    // A rule naming a column brings it in, quoted names included.
    Campaign visits = new Campaign("visits", "", 1, "visits_30d > 2 and `odd name` is not null", Optional.empty(),
        Optional.empty(), List.of("email"), 0.1, List.of(), List.of(new Segment("all", "true", Optional.empty(),
            Optional.empty(), Optional.empty(), "visits_30d")), List.of(), new QualityGate(0.5, false));
    assertEquals(List.of("visits_30d", "odd name", "customer_id", "erased", "consent_email", "email",
        "preferred_channel", "recent_email_messages"),
        SegmentStage.columnsRead(spark, base, settings(1, List.of(visits)), SALT));
  }

  @Test
  void theNarrowedBaseGivesEveryCampaignTheSameRowsEvenWhereTheOptimiserWouldFoldARuleAway() {
    SparkSession spark = SharedSpark.session();
    StructType wide = StructType.fromDDL("unused double, visits_30d double, `odd name` string, spend double, "
        + "vip boolean");
    for (var field : BASE.fields()) {
      wide = wide.add(field);
    }
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Row c = customer("c" + i, random.nextInt(10) == 0, random.nextBoolean() ? "opt_in" : "opt_out", "opt_in",
          random.nextBoolean() ? "email" : "ads", random.nextInt(4), random.nextBoolean(), random.nextBoolean(),
          random.nextInt(5) == 0, random.nextDouble());
      List<Object> values = new ArrayList<>(List.of(random.nextDouble(), (double) random.nextInt(4)));
      values.add(random.nextBoolean() ? "x" : null);
      values.add(random.nextDouble() * 20);
      values.add(random.nextBoolean());
      for (int f = 0; f < c.size(); f++) {
        values.add(c.get(f));
      }
      rows.add(RowFactory.create(values.toArray()));
    }
    Dataset<Row> base = spark.createDataFrame(rows, wide);
    List<Campaign> campaigns = List.of(
        // Each of these is the only reader of its column, through a rule the optimiser would simplify away.
        new Campaign("paused", "", 1, "false", Optional.empty(), Optional.empty(), List.of("email"), 0.1, List.of(),
            List.of(new Segment("big", "spend > 10", Optional.empty(), Optional.empty(), Optional.empty(), "spend")),
            List.of(), new QualityGate(0.5, false)),
        new Campaign("after_true", "", 2, "true", Optional.empty(), Optional.empty(), List.of("email", "ads"), 0.1,
            List.of(), List.of(new Segment("all", "true", Optional.empty(), Optional.empty(), Optional.empty(), "1"),
                new Segment("late", "VIP", Optional.empty(), Optional.empty(), Optional.empty(), "1")),
            List.of(), new QualityGate(0.5, false)),
        new Campaign("folded", "", 3, "Visits_30D > 0 or true", Optional.empty(), Optional.empty(),
            List.of("ads"), 0.2, List.of(new Suppression("odd", Suppression.RULE,
                "`odd name` is null and false")),
            List.of(new Segment("all", "climber or hiker", Optional.empty(), Optional.empty(), Optional.of(20L),
                "SCORE")), List.of(), new QualityGate(0.5, false)));
    SegmentationSettings settings = settings(1, campaigns);

    List<String> read = SegmentStage.columnsRead(spark, base, settings, SALT);
    assertEquals(List.of("visits_30d", "odd name", "spend", "vip"), read.subList(0, 4));
    Dataset<Row> narrowed = SegmentStage.narrowed(spark, base, settings, SALT);
    assertEquals(read, List.of(narrowed.columns()));
    for (Campaign campaign : campaigns) {
      List<Row> fromWhole = CampaignWaterfall.assign(base, campaign, settings, SALT).orderBy("customer_id")
          .collectAsList();
      assertEquals(fromWhole, CampaignWaterfall.assign(narrowed, campaign, settings, SALT).orderBy("customer_id")
          .collectAsList(), campaign.name());
      assertTrue(campaign.name().equals("paused") || fromWhole.size() > 100, campaign.name());
    }
  }

  @Test
  void firstMatchingSegmentWinsAfterSuppressionsInOrder() {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> base = spark.createDataFrame(List.of(
        customer("both", false, "opt_in", "opt_in", "email", 0, true, true, false, 0.5),
        customer("hiker", false, "opt_in", "opt_out", "email", 0, false, true, false, 0.5),
        customer("nobody", false, "opt_in", "opt_in", "email", 0, false, false, false, 0.5),
        customer("erased", true, "opt_in", "opt_in", "email", 0, true, true, false, 0.5),
        customer("no_consent", false, "opt_out", "unknown", "email", 0, true, true, false, 0.5),
        customer("capped", false, "opt_in", "unknown", "email", 3, true, true, false, 0.5),
        customer("unhappy", false, "opt_in", "opt_in", "email", 0, true, true, true, 0.5),
        customer("ads_only", false, "opt_out", "opt_in", "email", 0, true, false, false, 0.5)), BASE);
    Campaign c = campaign("launch", 1, 0.0, Optional.empty());
    Map<String, Row> rows = byCustomer(Arbitration.resolve(CampaignWaterfall.assign(base, c, settings(1,
        List.of(c)), SALT), 1));

    assertEquals("exported/climbers", status(rows.get("both")));
    assertEquals("CLIMB10", rows.get("both").getString(rows.get("both").fieldIndex("offer")));
    assertEquals("exported/hikers", status(rows.get("hiker")));
    assertEquals("no_segment/null", status(rows.get("nobody")));
    assertEquals("suppressed/erased", status(rows.get("erased")));
    assertEquals("suppressed/no_consent", status(rows.get("no_consent")));
    assertEquals("suppressed/frequency_cap", status(rows.get("capped")));
    assertEquals("suppressed/unhappy", status(rows.get("unhappy")));
    // Preferred e-mail has no consent: the first eligible channel of the campaign takes it.
    assertEquals("ads", rows.get("ads_only").getString(rows.get("ads_only").fieldIndex("channel")));
    assertEquals("email", rows.get("both").getString(rows.get("both").fieldIndex("channel")));
  }

  @Test
  void segmentCapKeepsTheBestRankedAndArbitrationGivesTheCustomerToTheHigherPriority() {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> base = spark.createDataFrame(List.of(
        customer("best", false, "opt_in", "opt_in", "email", 0, true, false, false, 0.9),
        customer("second", false, "opt_in", "opt_in", "email", 0, true, false, false, 0.4),
        customer("third", false, "opt_in", "opt_in", "email", 0, true, false, false, 0.1)), BASE);
    Campaign launch = campaign("launch", 1, 0.0, Optional.of(1L));
    Campaign urgent = campaign("urgent", 9, 0.0, Optional.empty());
    SegmentationSettings s = settings(1, List.of(launch, urgent));
    Dataset<Row> launchRows = CampaignWaterfall.assign(base.where("customer_id != 'best'"), launch, s, SALT);
    Map<String, Row> capped = byCustomer(Arbitration.resolve(launchRows, 1));
    assertEquals("exported/climbers", status(capped.get("second")));
    assertEquals("over_cap/climbers", status(capped.get("third")));

    Dataset<Row> both = CampaignWaterfall.assign(base, launch, s, SALT)
        .unionByName(CampaignWaterfall.assign(base, urgent, s, SALT));
    List<Row> best = Arbitration.resolve(both, 1).where("customer_id = 'best'").orderBy("campaign").collectAsList();
    assertEquals("arbitrated/climbers", status(best.get(0)));
    assertEquals("urgent", best.get(0).getString(best.get(0).fieldIndex("lost_to")));
    assertEquals("exported/climbers", status(best.get(1)));
    // Two messages a night allowed: both campaigns take the customer.
    assertEquals(2, Arbitration.resolve(both, 2).where("customer_id = 'best' and status = 'exported'").count());
  }

  @Test
  void nobodyWithoutConsentOrErasedIsEverExportedOnAChannel() {
    SparkSession spark = SharedSpark.session();
    Random random = new Random(7);
    String[] consents = {"opt_in", "opt_out", "unknown", null};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      rows.add(RowFactory.create("c" + i, random.nextInt(10) == 0, consents[random.nextInt(4)],
          consents[random.nextInt(4)], random.nextBoolean() ? "c" + i + "@example.com" : null,
          random.nextBoolean() ? "+1555000" + i : null, random.nextBoolean() ? "email" : "ads",
          (long) random.nextInt(5), (long) random.nextInt(7), random.nextBoolean(), random.nextBoolean(), false,
          random.nextDouble()));
    }
    Dataset<Row> base = spark.createDataFrame(rows, BASE);
    // No consent or cap suppression configured: the code must still refuse to send without them.
    Campaign bare = new Campaign("bare", "", 1, "true", Optional.empty(), Optional.empty(), List.of("email", "ads"),
        0.2, List.of(), List.of(new Segment("all", "true", Optional.empty(), Optional.empty(), Optional.empty(),
        "score")), List.of(), new QualityGate(0.5, false));
    Dataset<Row> result = Arbitration.resolve(CampaignWaterfall.assign(base, bare, settings(1, List.of(bare)),
        SALT), 1).join(base.select("customer_id", "erased", "consent_email", "consent_ads", "email", "phone",
        "recent_email_messages", "recent_ads_messages"), "customer_id");
    long sent = result.where("status in ('exported', 'holdout')").count();
    assertTrue(sent > 50, "the property must be exercised on many sent customers, got " + sent);
    assertEquals(0, result.where("status in ('exported', 'holdout') and (erased"
        + " or (channel = 'email' and (consent_email is distinct from 'opt_in' or email is null"
        + "     or recent_email_messages >= 3))"
        + " or (channel = 'ads' and (consent_ads is distinct from 'opt_in' or coalesce(email, phone) is null"
        + "     or recent_ads_messages >= 5)))").count());
  }

  @Test
  void holdoutIsStableForACustomerWhateverElseIsInTheRun() {
    SparkSession spark = SharedSpark.session();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(customer("c" + i, false, "opt_in", "opt_in", "email", 0, true, false, false, i));
    }
    Dataset<Row> base = spark.createDataFrame(rows, BASE);
    Campaign c = campaign("launch", 1, 0.1, Optional.empty());
    SegmentationSettings s = settings(1, List.of(c));
    Dataset<Row> all = Arbitration.resolve(CampaignWaterfall.assign(base, c, s, SALT), 1);
    Dataset<Row> half = Arbitration.resolve(CampaignWaterfall.assign(base.where("score % 2 = 0"), c, s, SALT), 1);
    long holdout = all.where("status = 'holdout'").count();
    assertTrue(holdout > 150 && holdout < 250, "about 10% of 2,000 held out, got " + holdout);
    Dataset<Row> compared = all.select("customer_id", "holdout")
        .join(half.selectExpr("customer_id", "holdout as holdout_in_smaller_run"), "customer_id");
    assertEquals(1000, compared.count());
    assertEquals(0, compared.where("holdout != holdout_in_smaller_run").count());
  }
}
