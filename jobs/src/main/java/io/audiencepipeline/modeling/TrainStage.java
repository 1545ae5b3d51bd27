package io.audiencepipeline.modeling;


import io.audiencepipeline.config.Settings;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.models.evaluation.ModelMetrics;
import io.audiencepipeline.models.features.FeatureBuilder;
import io.audiencepipeline.models.registry.ModelMetadata;
import io.audiencepipeline.models.registry.ModelRegistry;
import io.audiencepipeline.models.scoring.Scorer;
import io.audiencepipeline.models.targets.Labels;
import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.models.training.Trainer;
import io.audiencepipeline.models.training.TrainingDataException;
import io.audiencepipeline.models.training.TrainingSettings;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.run.RunContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Train: per target, a new model version from past as-of dates (see {@link TrainingData}), chosen,
 * calibrated and judged by {@link Trainer}, saved in the registry, and promoted to champion unless it
 * does worse than the current champion on the same test rows by more than the configured tolerance.
 */
public final class TrainStage {
  private static final Logger LOG = LoggerFactory.getLogger(TrainStage.class);

  /** What happened to one target. */
  public record Outcome(String target, int version, boolean promoted, int champion, ModelMetrics metrics,
      String algorithm, String reason) {
  }

  private TrainStage() {
  }

  /** Trains every configured target that {@code which} selects. */
  public static List<Outcome> run(SparkSession spark, Settings settings, RunContext run,
      Predicate<TargetSpec> which) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), run.runId());
    ModelRegistry registry = new ModelRegistry(publisher.fileSystem(), layout.models());
    List<Outcome> outcomes = new ArrayList<>();
    try (TrainingData data = new TrainingData(spark, settings, layout, publisher.fileSystem(), run.runDate())) {
      for (TargetSpec target : settings.models().targets()) {
        if (which.test(target)) {
          outcomes.add(train(settings, run, publisher, registry, data, target));
        }
      }
    } finally {
      publisher.cleanUp();
    }
    return outcomes;
  }

  /** Targets whose champion is missing or older than {@code retrain-after-days} before the run date. */
  public static Predicate<TargetSpec> stale(SparkSession spark, Settings settings, LocalDate runDate) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), "probe");
    ModelRegistry registry = new ModelRegistry(publisher.fileSystem(), layout.models());
    int maxAge = settings.models().training().retrainAfterDays();
    return target -> {
      Optional<Integer> champion = registry.champion(target.name());
      if (champion.isEmpty()) {
        LOG.info("target {}: no champion yet, training", target.name());
        return true;
      }
      LocalDate trainedFor = LocalDate.parse(registry.metadata(target.name(), champion.get()).trainedFor());
      long age = ChronoUnit.DAYS.between(trainedFor, runDate);
      if (age > maxAge || age < 0) {
        LOG.info("target {}: champion v{} was trained for {} ({} days before the run date, limit {}), retraining",
            target.name(), champion.get(), trainedFor, age, maxAge);
        return true;
      }
      LOG.info("target {}: champion v{} trained for {} is fresh (limit {} days), not retraining", target.name(),
          champion.get(), trainedFor, maxAge);
      return false;
    };
  }

  private static Outcome train(Settings settings, RunContext run, Publisher publisher, ModelRegistry registry,
      TrainingData data, TargetSpec target) {
    TrainingSettings training = settings.models().training();
    List<String> purchases = settings.features().purchaseEventTypes();
    TrainingData.Dates dates;
    Trainer.Result result;
    List<String> featureColumns;
    try {
      dates = data.dates(target, training);
      LOG.info("target {} ({}): training as of {}, validation as of {}", target.name(), target.describe(),
          dates.training(), dates.validation());
      Dataset<Row> trainingRows = null;
      for (LocalDate asOf : dates.training()) {
        Dataset<Row> labelled = Labels.attach(data.events(), data.trainingFeaturesAsOf(asOf, target), asOf,
            target, purchases);
        trainingRows = trainingRows == null ? labelled : trainingRows.unionByName(labelled);
      }
      Dataset<Row> validation = Labels.attach(data.events(), data.featuresAsOf(dates.validation(), target),
          dates.validation(), target, purchases);
      featureColumns = FeatureBuilder.featureColumns(data.featuresAsOf(dates.validation(), target));
      result = Trainer.train(trainingRows, validation, featureColumns, training);
    } catch (TrainingDataException e) {
      throw PipelineFailure.inputRejected("cannot train target " + target.name() + ": " + e.getMessage(), e);
    }

    int version = registry.versionFor(target.name(), run.runDate().toString());
    Optional<Integer> champion = registry.champion(target.name());
    ModelMetadata.Promotion promotion = decide(registry, target, version, champion, result, training);
    ModelMetadata metadata = new ModelMetadata(target.name(), target.describe(), version,
        run.runDate().toString(), run.runId(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        result.algorithm(), result.candidateAuc(), result.calibration(),
        dates.training().stream().map(LocalDate::toString).toList(), dates.validation().toString(),
        result.trainingRows(), result.trainingPositives(), result.sampling(), training.seed(),
        featureColumns, settings.fingerprint(), result.explanation(), promotion);
    registry.save(metadata, result.model(), result.metrics(),
        publisher.staging("models/" + target.name() + "/v" + version), publisher::replace);
    if (promotion.promoted()) {
      registry.promote(target.name(), version);
    }
    if (result.sampling().samples()) {
      LOG.info(String.format(Locale.ROOT, "target %s: %,d training rows above max-training-rows %,d: fitted on %,d"
          + " rows (%s)", target.name(), result.sampling().rows(), training.maxTrainingRows(), result.trainingRows(),
          result.sampling()));
    }
    LOG.info(String.format(Locale.ROOT, "target %s v%d: %s; candidates %s; %s; %s", target.name(), version,
        result.algorithm(), result.candidateAuc(), result.metrics().summary(), promotion.reason()));
    return new Outcome(target.name(), version, promotion.promoted(),
        promotion.promoted() ? version : champion.orElse(0), result.metrics(), result.algorithm(),
        promotion.reason());
  }

  /** Compares with the current champion on the same test rows (when there is another champion). */
  private static ModelMetadata.Promotion decide(ModelRegistry registry, TargetSpec target, int version,
      Optional<Integer> champion, Trainer.Result result, TrainingSettings training) {
    double auc = result.metrics().rocAuc();
    double tolerance = training.promotionTolerance();
    if (champion.isEmpty()) {
      return new ModelMetadata.Promotion(true, 0, auc, Double.NaN, tolerance, "promoted: no champion yet");
    }
    if (champion.get() == version) {
      return new ModelMetadata.Promotion(true, version, auc, Double.NaN, tolerance,
          "promoted: replaces the champion v" + version + " trained for the same run date");
    }
    OptionalDouble championAuc;
    String comparable = "";
    try {
      ModelRegistry.Loaded loaded = registry.load(target.name(), champion.get());
      Dataset<Row> scored = Scorer.probabilities(loaded.model(), loaded.metadata().calibration(),
          result.testRows().withColumn(Labels.LABEL, result.testRows().col(Labels.LABEL).cast("double")));
      championAuc = OptionalDouble.of(ModelMetrics.rocAuc(scored, Scorer.SCORE));
    } catch (Exception e) {
      // E.g. the feature definitions changed since the champion was trained: it cannot score these rows.
      championAuc = OptionalDouble.empty();
      comparable = " (champion v" + champion.get() + " cannot score the current features: " + e.getMessage() + ")";
    }
    boolean promote = ModelRegistry.shouldPromote(auc, championAuc, tolerance);
    double other = championAuc.orElse(Double.NaN);
    String reason = promote
        ? String.format(Locale.ROOT, "promoted over v%d: ROC AUC %.4f vs champion %.4f (tolerance %.4f)%s",
            champion.get(), auc, other, tolerance, comparable)
        : String.format(Locale.ROOT, "kept, not promoted: ROC AUC %.4f is more than %.4f below champion v%d's %.4f"
            + " on the same test rows", auc, tolerance, champion.get(), other);
    return new ModelMetadata.Promotion(promote, champion.get(), auc, other, tolerance, reason);
  }
}
