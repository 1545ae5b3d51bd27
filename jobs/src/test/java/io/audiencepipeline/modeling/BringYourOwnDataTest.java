package io.audiencepipeline.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.models.registry.ModelRegistry;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Random;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two bring-your-own-data configs in conf/examples/ work as documented, with no code change: a plain
 * order history gives a "buys again" model and scores, a labelled response table a response model.
 */
class BringYourOwnDataTest {
  private static final LocalDate RUN = LocalDate.of(2026, 11, 21);
  private static final Path EXAMPLES = Path.of("..", "conf", "examples");

  @TempDir
  Path dir;

  private int nightly(String config) {
    return AudiencePipeline.execute(new String[] {"nightly", "--run-date", RUN.toString(), "--config",
        EXAMPLES.resolve(config).toString(), "-Daudience.landing=" + dir.resolve("landing").toUri(),
        "-Daudience.warehouse=" + dir.resolve("warehouse").toUri()}, s -> SharedSpark.session(), false);
  }

  private void land(String feed, String csv) throws IOException {
    Path folder = dir.resolve("landing").resolve(feed).resolve("dt=" + RUN);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(feed + ".csv"), csv);
  }

  private Row champion(String target) throws IOException {
    FileSystem fs = FileSystem.getLocal(SharedSpark.session().sparkContext().hadoopConfiguration());
    ModelRegistry registry = new ModelRegistry(fs, new org.apache.hadoop.fs.Path(dir.resolve("warehouse/models")
        .toUri()));
    assertEquals(1, registry.champion(target).orElseThrow());
    double auc = registry.load(target, 1).metrics().rocAuc();
    return SharedSpark.session().read().parquet(dir.resolve("warehouse/gold/scores/as_of=" + RUN).toString())
        .where("target = '" + target + "'")
        .selectExpr("count(*)", "max(model_version)", "max(decile)", "CAST(" + auc + " AS DOUBLE)").first();
  }

  @Test
  void aPlainOrderHistoryGivesABuysAgainModel() throws IOException {
    Random random = new Random(11);
    StringBuilder csv = new StringBuilder("customer_id,ordered_at,amount,category\n");
    for (int c = 0; c < 500; c++) {
      double rate = Math.min(0.15, Math.exp(-4.5 + 1.5 * random.nextGaussian()));
      boolean first = true;
      for (LocalDate day = RUN.minusDays(160); !day.isAfter(RUN.minusDays(1)); day = day.plusDays(1)) {
        if (first || random.nextDouble() < rate) {
          csv.append(String.format(Locale.ROOT, "K-%04d,%sT%02d:15:00Z,%.2f,%s%n", c, day, 8 + random.nextInt(12),
              10 + random.nextDouble() * 90, random.nextBoolean() ? "kitchen" : ""));
          first = false;
        }
      }
    }
    land("orders", csv.toString());
    assertEquals(0, nightly("byo-orders.conf"));
    Row scores = champion("buys_again_30d");
    assertEquals(500L, scores.getLong(0));
    assertEquals("v1", scores.getString(1));
    assertEquals(10, scores.getInt(2));
    assertTrue(scores.getDouble(3) > 0.6, "ROC AUC " + scores.getDouble(3));
  }

  @Test
  void aLabelledResponseTableGivesAResponseModel() throws IOException {
    Random random = new Random(12);
    String[] segments = {"gold", "silver", "bronze"};
    StringBuilder csv = new StringBuilder("customer_id,responded_on,responded,region,segment,tenure_years\n");
    for (int c = 0; c < 1500; c++) {
      String segment = segments[random.nextInt(3)];
      int tenure = random.nextInt(10);
      String region = random.nextBoolean() ? "north" : "south";
      double logit = -2.0 + (segment.equals("gold") ? 1.8 : segment.equals("silver") ? 0.8 : 0) + 0.1 * tenure;
      for (int offer = 0; offer < 2; offer++) {
        LocalDate day = RUN.minusDays(1 + random.nextInt(130));
        int responded = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
        csv.append(String.format(Locale.ROOT, "R-%04d,%s,%d,%s,%s,%d%n", c, day, responded, region, segment,
            tenure));
      }
    }
    land("responses", csv.toString());
    assertEquals(0, nightly("byo-outcomes.conf"));
    Row scores = champion("responds_30d");
    assertEquals(1500L, scores.getLong(0));
    assertEquals("v1", scores.getString(1));
    assertTrue(scores.getDouble(3) > 0.6, "ROC AUC " + scores.getDouble(3));
  }
}
