package io.audiencepipeline.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segment command on a hand-made warehouse: published assignments, the waterfall report, rule checks. */
class SegmentStageTest {
  private static final LocalDate RUN = LocalDate.of(2026, 11, 21);

  @TempDir
  Path dir;

  private Path warehouse() {
    return dir.resolve("warehouse");
  }

  private void publish(Dataset<Row> rows, String relative) throws IOException {
    Path target = warehouse().resolve(relative);
    rows.write().parquet(target.toString());
    Files.createDirectories(target);
    Files.writeString(target.resolve("_SUCCESS"), "");
  }

  private int segment(String campaignBlock) throws IOException {
    Path config = dir.resolve("test.conf");
    Files.writeString(config, "include \"" + Path.of("..", "conf", "sources.conf").toAbsolutePath() + "\"\n"
        + "audience.unify.salt = \"segment-stage-test-salt\"\n"
        + "audience.features.categories = [climbing]\n"
        + campaignBlock);
    return AudiencePipeline.execute(new String[] {"segment", "--run-date", RUN.toString(), "--config",
        config.toString(), "-Daudience.warehouse=" + warehouse().toUri()}, s -> SharedSpark.session(), false);
  }

  private void warehouseWithFourCustomers() throws IOException {
    SparkSession spark = SharedSpark.session();
    publish(spark.createDataFrame(List.of(
        RowFactory.create("C1", "ann@example.com", null, List.of("ann@example.com"), List.of(), "opt_in", "unknown",
            "unknown", "unknown", "email", RUN),
        RowFactory.create("C2", "bob@example.com", null, List.of("bob@example.com"), List.of(), "opt_in", "unknown",
            "unknown", "unknown", "email", RUN),
        RowFactory.create("C3", "cy@example.com", null, List.of("cy@example.com"), List.of(), "opt_out", "unknown",
            "unknown", "unknown", "email", RUN),
        RowFactory.create("C4", "di@example.com", null, List.of("di@example.com"), List.of(), "opt_in", "unknown",
            "unknown", "unknown", "email", RUN)),
        StructType.fromDDL("customer_id string, email string, phone string, emails array<string>, "
            + "phones array<string>, consent_email string, consent_sms string, consent_ads string, "
            + "consent_phone string, preferred_channel string, dt date")).drop("dt"),
        "silver/customer_profile/dt=" + RUN);
    publish(spark.createDataFrame(List.of(
        RowFactory.create("C1", RUN, 3L, 365, "email"),
        RowFactory.create("C2", RUN, 0L, 365, "email"),
        RowFactory.create("C3", RUN, 5L, 365, "email"),
        RowFactory.create("C4", RUN, 2L, 10, "email")),
        StructType.fromDDL("customer_id string, as_of date, product_views_climbing_30d bigint, "
            + "days_since_purchase_climbing int, preferred_channel string")),
        "gold/features/as_of=" + RUN);
    publish(spark.createDataFrame(List.of(), StructType.fromDDL("customer_id string, event_time timestamp, "
        + "event_type string, category string, sku string, event_date date")), "silver/customer_events");
  }

  private static final String CAMPAIGN = """
      audience.campaigns.launch {
        priority = 1
        category = climbing
        channels = [email]
        holdout = 0.0
        suppressions = [
          { name = no_consent, kind = no-consent }
          { name = bought_recently, when = "days_since_purchase_climbing < 30" }
        ]
        segments = [
          { name = climbers, offer = CLIMB10, when = "%s" }
          { name = everyone, when = "true" }
        ]
        destinations = []
      }
      """;

  @Test
  void publishesEveryConsideredCustomerAndTheWaterfall() throws IOException {
    warehouseWithFourCustomers();
    assertEquals(0, segment(String.format(CAMPAIGN, "product_views_climbing_30d > 0")));
    assertEquals(0, segment(String.format(CAMPAIGN, "product_views_climbing_30d > 0")), "a re-run replaces");

    Path published = warehouse().resolve("gold/segments/launch/dt=" + RUN);
    assertTrue(Files.exists(published.resolve("_SUCCESS")));
    String rows = SharedSpark.session().read().parquet(published.toString())
        .selectExpr("concat_ws('/', customer_id, status, step, coalesce(offer, '-'), coalesce(channel, '-'))")
        .collectAsList().stream().map(r -> r.getString(0)).sorted().collect(Collectors.joining(" "));
    assertEquals("C1/exported/climbers/CLIMB10/email C2/exported/everyone/-/email "
        + "C3/suppressed/no_consent/-/- C4/suppressed/bought_recently/-/-", rows);

    List<String> waterfall = Files.readAllLines(warehouse().resolve("gold/waterfall/launch/dt=" + RUN)
        .resolve("waterfall.csv"));
    assertEquals(List.of("step,kind,entering,taken,remaining", "universe,universe,4,0,4",
        "erased,suppression,4,0,4", "no_consent,suppression,4,1,3", "bought_recently,suppression,3,1,2",
        "climbers,segment,2,1,1", "everyone,segment,1,1,0", "no segment,unmatched,0,0,0",
        "no_eligible_channel,after-segmentation,2,0,2", "over_cap,after-segmentation,2,0,2",
        "arbitrated,after-segmentation,2,0,2", "holdout,after-segmentation,2,0,2",
        "exported,after-segmentation,2,0,2"), waterfall);
  }

  @Test
  void aRuleNamingAnUnknownColumnIsABadConfigNamingCampaignAndRule() throws IOException {
    warehouseWithFourCustomers();
    assertEquals(2, segment(String.format(CAMPAIGN, "product_viewz_climbing_30d > 0")));
    assertFalse(Files.exists(warehouse().resolve("gold/segments/launch")));
    assertEquals(2, segment(String.format(CAMPAIGN, "product_views_climbing_30d >")), "malformed SQL");
  }
}
