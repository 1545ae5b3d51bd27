package io.audiencepipeline.models.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.models.evaluation.ModelMetrics;
import io.audiencepipeline.models.registry.ModelMetadata;
import io.audiencepipeline.models.registry.ModelRegistry;
import io.audiencepipeline.models.scoring.Explanation;
import io.audiencepipeline.models.scoring.Scorer;
import io.audiencepipeline.models.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on rows whose true probability is known: the chosen model ranks nearly as well as the truth,
 * its calibrated scores match observed rates, reasons name the feature that drives a score, and the
 * registry round-trips a model exactly.
 */
class TrainerTest {
  private static final StructType ROWS = StructType.fromDDL("customer_id string, as_of date, label int,"
      + " true_p double, visits_30d long, spend double, last_satisfaction int, region string");
  private static final List<String> FEATURES = List.of("visits_30d", "spend", "last_satisfaction", "region");
  private static final TrainingSettings SETTINGS = settings("platt", 0.01);

  private static Dataset<Row> training;
  private static Dataset<Row> validation;
  private static Trainer.Result platt;

  static TrainingSettings settings(String calibration, double tolerance) {
    return new TrainingSettings(3, 7, 2, 14, 1_000_000, "balanced", calibration, List.of(
        new TrainingSettings.Candidate("logistic", TrainingSettings.Candidate.LOGISTIC, 0.001, 0.0, 100, 0, 0),
        new TrainingSettings.Candidate("gbt", TrainingSettings.Candidate.GBT, 0, 0, 20, 3, 0.1)),
        tolerance, 7, 42, List.of());
  }

  /** A rare target (about 8%): log-odds linear in visits and spend, plus a region effect. */
  static Dataset<Row> rows(SparkSession spark, String asOf, int n, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long visits = random.nextInt(12);
      double spend = Math.round(random.nextDouble() * 300 * 100) / 100.0;
      String region = random.nextBoolean() ? "north" : "south";
      Integer satisfaction = random.nextInt(4) == 0 ? null : 1 + random.nextInt(5);
      double logit = -4.2 + 0.25 * visits + 0.006 * spend + (region.equals("north") ? 0.6 : 0.0);
      double p = 1 / (1 + Math.exp(-logit));
      int label = random.nextDouble() < p ? 1 : 0;
      rows.add(RowFactory.create("c" + seed + "-" + i, Date.valueOf(asOf), label, p, visits, spend, satisfaction,
          region));
    }
    return spark.createDataFrame(rows, ROWS);
  }

  @BeforeAll
  static void data() {
    SparkSession spark = SharedSpark.session();
    training = rows(spark, "2026-09-01", 4000, 1).unionByName(rows(spark, "2026-09-08", 4000, 2)).cache();
    validation = rows(spark, "2026-10-01", 8000, 3).cache();
    platt = Trainer.train(training, validation, FEATURES, SETTINGS);
  }

  @Test
  void choosesCalibratesAndJudgesOnRowsItDidNotFit() {
    Trainer.Result result = platt;
    assertEquals(Map.of("logistic", result.candidateAuc().get("logistic"), "gbt", result.candidateAuc().get("gbt")),
        result.candidateAuc());
    ModelMetrics m = result.metrics();
    double ceiling = ModelMetrics.rocAuc(result.testRows(), "true_p");
    // The truth is linear in the features, so the chosen model comes close to the true probabilities.
    assertTrue(m.rocAuc() > ceiling - 0.03, "model AUC " + m.rocAuc() + " vs true-probability AUC " + ceiling);
    // Calibrated despite class weights: mean prediction near the base rate, each populated bin near its rate.
    Dataset<Row> scored = Scorer.probabilities(result.model(), "platt", result.testRows());
    double meanScore = scored.agg(org.apache.spark.sql.functions.avg(Scorer.SCORE)).first().getDouble(0);
    assertEquals(m.baseRate(), meanScore, 0.015, "mean calibrated score vs base rate");
    for (ModelMetrics.ReliabilityBin bin : m.reliability()) {
      if (bin.rows() >= 300) {
        assertEquals(bin.observedRate(), bin.meanPredicted(), 0.05, "reliability bin " + bin);
      }
    }
    assertTrue(m.brier() < m.baseRate() * (1 - m.baseRate()), "better than predicting the base rate");
    assertEquals(10, m.deciles().size());
    assertEquals(1.0, m.deciles().get(9).cumulativeCapture(), 1e-12);
    assertTrue(m.deciles().get(0).lift() > 2.0, "top-decile lift " + m.deciles().get(0).lift());
    assertEquals(m.rows(), m.deciles().stream().mapToLong(ModelMetrics.Decile::rows).sum());
    assertEquals(8000, result.trainingRows());
    assertEquals(new Trainer.Sampling(8000, result.trainingPositives(), 1.0, 1.0), result.sampling());
  }

  @Test
  void isotonicCalibrationAlsoMatchesObservedRates() {
    Trainer.Result result = Trainer.train(training, validation, FEATURES, settings("isotonic", 0.01));
    Dataset<Row> scored = Scorer.probabilities(result.model(), "isotonic", result.testRows());
    double meanScore = scored.agg(org.apache.spark.sql.functions.avg(Scorer.SCORE)).first().getDouble(0);
    assertEquals(result.metrics().baseRate(), meanScore, 0.015);
  }

  /**
   * Once the session has observed a Dataset (its ObservationManager, which does not serialise, now exists), a
   * model that kept its training summary (which references the session) can no longer be applied: training and
   * scoring must not depend on what else ran in the session.
   */
  @Test
  void trainsAndScoresAfterTheSessionObservedADataset() throws InterruptedException {
    org.apache.spark.sql.Observation observation = new org.apache.spark.sql.Observation("rows");
    SharedSpark.session().range(3).observe(observation, org.apache.spark.sql.functions.count(
        org.apache.spark.sql.functions.lit(1)).as("rows")).collect();
    assertEquals(3L, observation.getAsJava().get("rows"));
    Trainer.Result result = Trainer.train(training, validation, FEATURES, SETTINGS);
    assertEquals(result.metrics().rows(), Scorer.probabilities(result.model(), "platt", result.testRows()).count());
  }

  @Test
  void samplesLargeTrainingSetsWithAStableHashKeepingTheRareClass() {
    TrainingSettings small = new TrainingSettings(3, 7, 2, 14, 4000, "balanced", "platt",
        List.of(SETTINGS.candidates().get(0)), 0.01, 7, 42, List.of());
    Trainer.Result first = Trainer.train(training, validation, FEATURES, small);
    Trainer.Result second = Trainer.train(training, validation, FEATURES, small);
    long positives = training.where("label = 1").count();
    assertEquals(Trainer.Sampling.plan(8000, positives, 4000), first.sampling());
    assertTrue(positives < 2000, "the test data's positives fit in half the budget: " + positives);
    assertEquals(1.0, first.sampling().positiveFraction());
    assertEquals(positives, first.trainingPositives(), "every positive is kept");
    assertTrue(first.trainingRows() > 3700 && first.trainingRows() < 4300, "sampled " + first.trainingRows());
    assertEquals(first.trainingRows(), second.trainingRows());
    assertEquals(first.metrics().rocAuc(), second.metrics().rocAuc(), 1e-9);
    // Reasons compare a customer with the average training row, not with the positive-heavy sample.
    int visits = first.explanation().names().indexOf("visits_30d");
    assertTrue(visits >= 0, "slots " + first.explanation().names());
    double populationMean = training.agg(org.apache.spark.sql.functions.avg("visits_30d")).first().getDouble(0);
    assertEquals(populationMean, first.explanation().means()[visits], 0.03 * populationMean);
    // Judged and calibrated on all validation rows: still calibrated.
    Dataset<Row> scored = Scorer.probabilities(first.model(), "platt", first.testRows());
    double meanScore = scored.agg(org.apache.spark.sql.functions.avg(Scorer.SCORE)).first().getDouble(0);
    assertEquals(first.metrics().baseRate(), meanScore, 0.015);
  }

  @Test
  void samplingKeepsPositivesWhileTheyFitInHalfTheBudget() {
    assertEquals(new Trainer.Sampling(1000, 10, 1.0, 1.0), Trainer.Sampling.plan(1000, 10, 2000));
    assertEquals(new Trainer.Sampling(10_000, 100, 1.0, 1900.0 / 9900), Trainer.Sampling.plan(10_000, 100, 2000));
    assertEquals(new Trainer.Sampling(10_000, 3000, 1000.0 / 3000, 1000.0 / 7000),
        Trainer.Sampling.plan(10_000, 3000, 2000));
    assertEquals(0.2, Trainer.Sampling.plan(10_000, 3000, 2000).fraction(), 1e-12);
    // Positives the majority: they take what the few negatives leave, so the whole budget is used.
    assertEquals(new Trainer.Sampling(300_000, 290_000, 240_000.0 / 290_000, 1.0),
        Trainer.Sampling.plan(300_000, 290_000, 250_000));
    assertEquals(1.0, Trainer.Sampling.plan(1000, 10, 2000).fraction(), 1e-12);
  }

  @Test
  void refusesTrainingRowsWithoutPositives() {
    Dataset<Row> none = training.withColumn("label", org.apache.spark.sql.functions.lit(0));
    TrainingDataException e = assertThrows(TrainingDataException.class,
        () -> Trainer.train(none, validation, FEATURES, SETTINGS));
    assertTrue(e.getMessage().contains("0 positives"), e.getMessage());
  }

  @Test
  void reasonsAreTheFeaturesThatPushedTheScoreUp() {
    Explanation explanation = new Explanation(Explanation.LINEAR, List.of("visits_30d", "spend", "region=north"),
        new double[] {0.25, 0.006, 0.6}, new double[] {5.5, 150.0, 0.5});
    SparkSession spark = SharedSpark.session();
    Dataset<Row> values = spark.createDataFrame(List.of(
        RowFactory.create("heavy_visitor", Vectors.dense(11, 150, 0)),   // +1.375 visits; region -0.3
        RowFactory.create("big_spender", Vectors.dense(6, 290, 1)),      // +0.84 spend, +0.3 north, +0.125 visits
        RowFactory.create("average", Vectors.dense(5.5, 150, 0.5)),      // nothing above average
        RowFactory.create("tied", Vectors.sparse(3, new int[] {0, 1, 2}, new double[] {6.7, 100, 1}))),
        // +0.3 visits = +0.3 north (equal once rounded): ordered by name
        new StructType().add("customer_id", "string").add("v", new VectorUDT()));
    Map<String, List<String>> reasons = new java.util.TreeMap<>();
    for (Row row : values.select(values.col("customer_id"), explanation.topReasons(values.col("v"), 3).as("r"))
        .collectAsList()) {
      reasons.put(row.getString(0), row.getList(1));
    }
    assertEquals(Map.of("heavy_visitor", List.of("visits_30d"), "big_spender",
        List.of("spend", "region=north", "visits_30d"), "average", List.of(), "tied",
        List.of("region=north", "visits_30d")), reasons);
  }

  @Test
  void registryRoundTripsVersionsAndTheChampion(@TempDir Path dir) throws IOException {
    Trainer.Result result = platt;
    FileSystem fs = FileSystem.getLocal(SharedSpark.session().sparkContext().hadoopConfiguration());
    ModelRegistry registry = new ModelRegistry(fs, new org.apache.hadoop.fs.Path(dir.toUri()));
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> registry.loadChampion("buys_x_30d"));
    assertTrue(missing.getMessage().contains("has no champion"), missing.getMessage());

    assertEquals(1, registry.versionFor("buys_x_30d", "2026-11-21"));
    ModelMetadata metadata = metadata(result, 1, "2026-11-21");
    registry.save(metadata, result.model(), result.metrics(), new org.apache.hadoop.fs.Path(dir.toUri().resolve(
        "_staging/v1")), (from, to) -> rename(fs, from, to));
    registry.promote("buys_x_30d", 1);
    assertEquals(1, registry.versionFor("buys_x_30d", "2026-11-21"), "a re-run replaces its date's version");
    assertEquals(2, registry.versionFor("buys_x_30d", "2026-11-22"));

    ModelRegistry.Loaded loaded = registry.loadChampion("buys_x_30d");
    assertEquals("v1", loaded.versionName());
    assertEquals(FEATURES, loaded.metadata().featureColumns());
    assertEquals(result.metrics(), loaded.metrics());
    assertArrayEquals(result.explanation().weights(), loaded.metadata().explanation().weights(), 0.0);
    List<Row> before = Scorer.score(validation, result.model(), "platt", result.explanation(), "buys_x_30d", "v1")
        .orderBy("customer_id").collectAsList();
    List<Row> after = Scorer.score(validation, loaded.model(), loaded.metadata().calibration(),
        loaded.metadata().explanation(), "buys_x_30d", "v1").orderBy("customer_id").collectAsList();
    assertEquals(before, after);
    Row top = before.stream().filter(r -> r.getInt(3) == 1).findFirst().orElseThrow();
    assertFalse(top.getList(5).isEmpty(), "a top-decile customer has reasons");
    assertTrue(Files.exists(dir.resolve("buys_x_30d/CHAMPION")));
  }

  @Test
  void promotionToleratesSmallLossesOnly() {
    assertTrue(ModelRegistry.shouldPromote(0.70, OptionalDouble.empty(), 0.005));
    assertTrue(ModelRegistry.shouldPromote(0.696, OptionalDouble.of(0.70), 0.005));
    assertFalse(ModelRegistry.shouldPromote(0.694, OptionalDouble.of(0.70), 0.005));
    assertTrue(ModelRegistry.shouldPromote(0.60, OptionalDouble.of(Double.NaN), 0.005));
  }

  static ModelMetadata metadata(Trainer.Result result, int version, String trainedFor) {
    return new ModelMetadata("buys_x_30d", "test", version, trainedFor, "run", "2026-11-21T00:00:00Z",
        result.algorithm(), result.candidateAuc(), result.calibration(), List.of("2026-09-01", "2026-09-08"),
        "2026-10-01", result.trainingRows(), result.trainingPositives(), result.sampling(), 42, FEATURES,
        "fingerprint", result.explanation(), new ModelMetadata.Promotion(true, 0, 0.7, Double.NaN, 0.005, "first"));
  }

  private static void rename(FileSystem fs, org.apache.hadoop.fs.Path from, org.apache.hadoop.fs.Path to) {
    try {
      fs.mkdirs(to.getParent());
      assertTrue(fs.rename(from, to));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
