package io.audiencepipeline.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.models.registry.ModelMetadata;
import io.audiencepipeline.models.registry.ModelRegistry;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.io.FileUtils;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train and score through the CLI on a published timeline whose customers buy at a hidden rate: the first
 * version becomes champion, a weaker challenger is kept but not promoted, a re-run of the same date
 * replaces its version instead of adding one, scoring always uses the champion, and a target without a
 * champion is a clear error.
 */
class ModelStagesTest {
  private static final LocalDate RUN = LocalDate.of(2026, 11, 21);
  private static final LocalDate START = LocalDate.of(2026, 8, 1);
  private static final String CONFIG = """
      audience.unify.salt = "model-test-salt-0123456789"
      audience.sources {
        orders {
          system = shop, format = csv, path = "shop/orders", channel = web, max-bad-row-rate = 0.01
          columns = ["order_id string", "email string", "ordered_at timestamp(iso)"]
          record-key = [order_id]
          event-time = ordered_at
          identifiers { email = email }
          event-type = order_line
        }
      }
      audience.features.categories = [climbing, hiking]
      audience.models.targets {
        buys_climbing_30d { kind = purchase, category = climbing, horizon-days = 30 }
      }
      audience.models.candidates.gbt.max-iter = 10
      audience.models.training-dates = 2
      # 112 days of timeline: too short for a 90-day window at 2026-09-13 (longest-window is tested below).
      audience.models.min-history-days = 14
      audience.models.candidates.stump { kind = gradient-boosted-trees, max-iter = 1, max-depth = 1, step-size = 0.1 }
      """;

  @TempDir
  static Path dir;
  private static Path warehouse;
  private static Path config;
  private static long customers;

  /** 600 customers, a hidden daily climbing rate; views and visits follow it, purchases happen at it. */
  @BeforeAll
  static void publishTimeline() throws IOException {
    SparkSession spark = SharedSpark.session();
    warehouse = dir.resolve("warehouse");
    config = dir.resolve("test.conf");
    Files.writeString(config, CONFIG);
    Random random = new Random(7);
    List<Row> events = new ArrayList<>();
    List<Row> profiles = new ArrayList<>();
    for (int c = 0; c < 600; c++) {
      String id = String.format("C%04d", c);
      double rate = Math.exp(-6 + 2.2 * random.nextGaussian());
      rate = Math.min(rate, 0.2);
      // Every third customer is an identity fragment: no e-mail (as a cookie seen browsing would be).
      profiles.add(RowFactory.create(id, Timestamp.valueOf(START.atStartOfDay()), Date.valueOf("1980-05-01"),
          c % 2 == 0 ? "US" : "GB", c % 3 == 0 ? List.of() : List.of(id.toLowerCase() + "@example.com")));
      for (LocalDate day = START; day.isBefore(RUN.plusDays(1)); day = day.plusDays(1)) {
        if (random.nextDouble() < rate) {
          events.add(event(id, day, "order_line", "climbing", "80.00"));
        }
        if (random.nextDouble() < Math.min(0.9, rate * 6)) {
          events.add(event(id, day, "product_view", "climbing", null));
        }
        if (random.nextDouble() < 0.02) {
          events.add(event(id, day, "order_line", "hiking", "40.00"));
        }
      }
    }
    customers = profiles.size();
    Dataset<Row> timeline = spark.createDataFrame(events, StructType.fromDDL("customer_id string,"
        + " event_time timestamp, event_type string, category string, amount decimal(12,2),"
        + " details map<string,string>, event_date date"));
    timeline.write().mode(SaveMode.Overwrite).partitionBy("event_date")
        .parquet(warehouse.resolve("silver/customer_events").toString());
    published(warehouse.resolve("silver/customer_events"));
    Path profile = warehouse.resolve("silver/customer_profile/dt=" + RUN);
    spark.createDataFrame(profiles, StructType.fromDDL("customer_id string, first_seen timestamp,"
        + " birth_date date, country string, emails array<string>")).write().mode(SaveMode.Overwrite)
        .parquet(profile.toString());
    published(profile);
  }

  /** Marks a folder published the way the pipeline's publisher does (the test session writes no markers). */
  private static void published(Path folder) throws IOException {
    if (!Files.exists(folder.resolve("_SUCCESS"))) {
      Files.createFile(folder.resolve("_SUCCESS"));
    }
  }

  private static Row event(String id, LocalDate day, String type, String category, String amount) {
    return RowFactory.create(id, Timestamp.valueOf(day.atTime(12, 0)), type, category,
        amount == null ? null : new java.math.BigDecimal(amount),
        scala.collection.immutable.Map$.MODULE$.empty(), Date.valueOf(day));
  }

  private static int run(String... args) {
    return runIn(warehouse, args);
  }

  private static int runIn(Path warehouse, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--config", config.toString(), "-Daudience.warehouse=" + warehouse.toUri(),
        "-Daudience.landing=" + dir.resolve("landing").toUri()));
    return AudiencePipeline.execute(all.toArray(String[]::new), s -> SharedSpark.session(), false);
  }

  private static ModelRegistry registry() throws IOException {
    return registry(warehouse);
  }

  private static ModelRegistry registry(Path warehouse) throws IOException {
    FileSystem fs = FileSystem.getLocal(SharedSpark.session().sparkContext().hadoopConfiguration());
    return new ModelRegistry(fs, new org.apache.hadoop.fs.Path(warehouse.resolve("models").toUri()));
  }

  @Test
  void trainPromoteKeepScore() throws IOException {
    assertEquals(0, run("features", "--run-date", RUN.toString()));
    assertEquals(3, run("score", "--run-date", RUN.toString()), "no champion yet: input rejected");

    assertEquals(0, run("train", "--run-date", RUN.toString()));
    ModelRegistry registry = registry();
    assertEquals(List.of(1), registry.versions("buys_climbing_30d"));
    assertEquals(1, registry.champion("buys_climbing_30d").orElseThrow());
    ModelMetadata first = registry.metadata("buys_climbing_30d", 1);
    // Validation: run date - 30 days horizon - 2 days label delay; training labels end where it starts.
    assertEquals("2026-10-20", first.validationAsOfDate());
    assertEquals(List.of("2026-09-20", "2026-09-13"), first.trainingAsOfDates());
    assertEquals(2 * customers, first.trainingRows(), "every customer known on each training date");
    assertTrue(first.promotion().promoted());
    assertTrue(registry.load("buys_climbing_30d", 1).metrics().rocAuc() > 0.75,
        "the hidden rate is learnable from views and purchases");

    // A one-split challenger for the next day: registered, compared on the same test rows, not promoted
    // (no tolerance: any loss keeps the champion).
    String next = RUN.plusDays(1).toString();
    assertEquals(0, run("train", "--run-date", next, "-Daudience.models.try.0=stump",
        "-Daudience.models.promotion-tolerance=0"));
    assertEquals(List.of(1, 2), registry.versions("buys_climbing_30d"));
    ModelMetadata second = registry.metadata("buys_climbing_30d", 2);
    assertFalse(second.promotion().promoted(), second.promotion().reason());
    assertEquals(1, second.promotion().championVersion());
    assertTrue(second.promotion().championRocAuc() > second.promotion().rocAuc(), second.promotion().reason());
    assertTrue(second.promotion().reason().startsWith("kept, not promoted"), second.promotion().reason());
    assertEquals(1, registry.champion("buys_climbing_30d").orElseThrow());
    // Re-running a date replaces its version.
    assertEquals(0, run("train", "--run-date", next, "-Daudience.models.try.0=stump"));
    assertEquals(List.of(1, 2), registry.versions("buys_climbing_30d"));

    assertEquals(0, run("score", "--run-date", RUN.toString()));
    Dataset<Row> scores = SharedSpark.session().read().parquet(warehouse.resolve("gold/scores/as_of=" + RUN)
        .toString());
    assertEquals(List.of("customer_id", "target", "probability", "decile", "model_version", "reasons"),
        List.of(scores.columns()));
    assertEquals(customers, scores.count());
    Row summary = scores.selectExpr("min(probability)", "max(probability)", "min(decile)", "max(decile)",
        "count(distinct model_version)", "max(model_version)", "count(distinct customer_id)",
        "sum(CASE WHEN decile = 1 AND size(reasons) > 0 THEN 1 ELSE 0 END)").first();
    assertTrue(summary.getDouble(0) >= 0 && summary.getDouble(1) <= 1, summary.toString());
    assertEquals(1, summary.getInt(2));
    assertEquals(10, summary.getInt(3));
    assertEquals(1L, summary.getLong(4));
    assertEquals("v1", summary.getString(5), "scoring uses the champion, not the newest version");
    assertEquals(customers, summary.getLong(6));
    assertEquals(customers / 10, summary.getLong(7), "every top-decile customer has reasons");

    // Feature definitions changed under the champion: a clear error, not a crash.
    assertEquals(0, run("features", "--run-date", RUN.toString(), "-Daudience.features.windows-days.0=7"));
    assertEquals(3, run("score", "--run-date", RUN.toString(), "-Daudience.features.windows-days.0=7"));
  }

  /**
   * training-identifiers: only customers whose profile (a snapshot on or before the training date) holds an
   * e-mail give training rows; the validation date (calibration and every metric) keeps all customers, the
   * population scoring serves. Separate warehouse.
   */
  @Test
  void trainsOnIdentifiedCustomersAndJudgesOnAll() throws IOException {
    Path other = dir.resolve("identified-warehouse");
    FileUtils.copyDirectory(warehouse.resolve("silver").toFile(), other.resolve("silver").toFile());
    // Only the run date's profile: identifiers seen after the training dates must not choose who trains.
    assertEquals(3, runIn(other, "train", "--run-date", RUN.toString(), "-Daudience.models.try.0=logistic",
        "-Daudience.models.training-identifiers.0=email"));
    Path profiles = other.resolve("silver/customer_profile");
    FileUtils.copyDirectory(profiles.resolve("dt=" + RUN).toFile(), profiles.resolve("dt=2026-09-01").toFile());
    assertEquals(0, runIn(other, "train", "--run-date", RUN.toString(), "-Daudience.models.try.0=logistic",
        "-Daudience.models.training-identifiers.0=email"));
    ModelRegistry identified = registry(other);
    long withEmail = customers - (customers + 2) / 3;
    assertEquals(2 * withEmail, identified.metadata("buys_climbing_30d", 1).trainingRows(),
        "customers with an e-mail x 2 training dates");
    assertEquals(0, runIn(other, "train", "--run-date", RUN.plusDays(1).toString(),
        "-Daudience.models.try.0=logistic"));
    assertEquals(2 * customers, identified.metadata("buys_climbing_30d", 2).trainingRows());
    assertEquals(identified.load("buys_climbing_30d", 2).metrics().rows(),
        identified.load("buys_climbing_30d", 1).metrics().rows(), "the same test half of all customers");

    // The default min-history-days (longest-window: 89 days before a date, so a 90-day window ends on it) needs
    // more timeline than these 112 days give.
    assertEquals(3, runIn(other, "train", "--run-date", RUN.toString(),
        "-Daudience.models.min-history-days=longest-window"));
  }
}
