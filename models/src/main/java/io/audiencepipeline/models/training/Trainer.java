package io.audiencepipeline.models.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.audiencepipeline.models.evaluation.ModelMetrics;
import io.audiencepipeline.models.scoring.Explanation;
import io.audiencepipeline.models.scoring.Scorer;
import io.audiencepipeline.models.targets.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorSlicer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * Trains one propensity model version: every candidate on the training rows (past as-of dates, weighted
 * for rare positives), the best by ROC AUC on the calibration half of the validation rows (the latest
 * labelled as-of date), calibrated on that same half, and judged on the other half, which nothing was
 * fitted on.
 */
public final class Trainer {
  static final String WEIGHT = "weight";
  /** Each sampled row stands for 1/fraction rows of its class: the reasons' means are of all training rows. */
  static final String SAMPLE_WEIGHT = "sample_weight";
  private static final long HASH_BUCKETS = 1_000_000L;
  private static final long ROWS_PER_PARTITION = 250_000L;

  private Trainer() {
  }

  /**
   * @param model feature stages + classifier + calibration, one MLlib PipelineModel
   * @param candidateAuc validation (calibration half) ROC AUC of each candidate, before calibration
   * @param trainingRows rows the candidates were fitted on (after sampling)
   * @param sampling how the training rows were sampled
   */
  public record Result(PipelineModel model, String algorithm, Map<String, Double> candidateAuc,
      ModelMetrics metrics, Explanation explanation, List<String> featureColumns, long trainingRows,
      long trainingPositives, Sampling sampling, String calibration, Dataset<Row> testRows) {
  }

  /**
   * Which share of each class is kept. Up to {@code maxRows} every row is kept. Above it the rare class
   * matters most: all positives are kept while they fill at most half the budget (else half the budget is
   * spent on them, or all that the negatives leave), and negatives fill the rest. Rows are chosen by a stable
   * hash, so the expected number kept is {@code maxRows}.
   *
   * @param rows training rows before sampling
   * @param positives positive rows before sampling
   */
  public record Sampling(long rows, long positives, double positiveFraction, double negativeFraction) {
    static Sampling plan(long rows, long positives, long maxRows) {
      if (rows <= maxRows) {
        return new Sampling(rows, positives, 1.0, 1.0);
      }
      long negatives = rows - positives;
      // Half the budget for positives, or more when there are too few negatives to fill the other half.
      double positiveFraction = Math.min(1.0, Math.max(maxRows / 2.0, (double) (maxRows - negatives)) / positives);
      double keptPositives = positiveFraction * positives;
      double negativeFraction = Math.min(1.0, (maxRows - keptPositives) / negatives);
      return new Sampling(rows, positives, positiveFraction, negativeFraction);
    }

    public boolean samples() {
      return positiveFraction < 1.0 || negativeFraction < 1.0;
    }

    /** Share of all training rows kept (expected). */
    public double fraction() {
      return rows == 0 ? 1.0 : (positiveFraction * positives + negativeFraction * (rows - positives)) / rows;
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "%.4f of %,d positives and %.4f of %,d negatives",
          positiveFraction, positives, negativeFraction, rows - positives);
    }
  }

  private static long threshold(double fraction) {
    return (long) Math.floor(fraction * HASH_BUCKETS);
  }

  /**
   * Splits the validation rows in two by a stable hash of the customer: [0] calibration (choose and
   * calibrate), [1] test (metrics). The same customer is always on the same side.
   */
  public static List<Dataset<Row>> splitValidation(Dataset<Row> validation, long seed) {
    Column bucket = pmod(xxhash64(col("customer_id"), lit(seed), lit("validation-split")), lit(2L));
    return List.of(validation.where(bucket.equalTo(0)), validation.where(bucket.equalTo(1)));
  }

  /**
   * @param training rows of past as-of dates: customer_id, as_of, label and the feature columns
   * @param validation rows of the latest labelled as-of date, same columns
   */
  public static Result train(Dataset<Row> training, Dataset<Row> validation, List<String> featureColumns,
      TrainingSettings settings) {
    Row counts = training.agg(count(lit(1)), sum(col(Labels.LABEL).cast("long"))).first();
    long rows = counts.getLong(0);
    long positives = counts.isNullAt(1) ? 0 : counts.getLong(1);
    if (positives == 0 || positives == rows) {
      throw new TrainingDataException("the training rows (" + rows + ") have " + positives
          + " positives: a model needs both classes");
    }
    Sampling sampling = Sampling.plan(rows, positives, settings.maxTrainingRows());
    Dataset<Row> sampled = training;
    if (sampling.samples()) {
      // A stable hash, not sample(): the same rows whatever the partitioning. Each class has its own threshold.
      Column bucket = pmod(xxhash64(col("customer_id"), col("as_of"), lit(settings.seed())), lit(HASH_BUCKETS));
      Column keep = when(col(Labels.LABEL).equalTo(1), bucket.lt(lit(threshold(sampling.positiveFraction()))))
          .otherwise(bucket.lt(lit(threshold(sampling.negativeFraction()))));
      sampled = training.where(keep);
      Row sampledCounts = sampled.agg(count(lit(1)), sum(col(Labels.LABEL).cast("long"))).first();
      rows = sampledCounts.getLong(0);
      positives = sampledCounts.isNullAt(1) ? 0 : sampledCounts.getLong(1);
      if (positives == 0 || positives == rows) {
        throw new TrainingDataException("sampling the training rows (" + sampling + ") left " + positives
            + " positives in " + rows + " rows; raise audience.models.max-training-rows");
      }
    }
    // Each sampled row stands for 1/fraction rows of its class. Balanced weights give both classes the same
    // total weight whatever was sampled; without them the sampling weight is the training weight, so the model
    // still sees the unsampled mix.
    Column sampleWeight = when(col(Labels.LABEL).equalTo(1), lit(1.0 / sampling.positiveFraction()))
        .otherwise(lit(1.0 / sampling.negativeFraction()));
    Column weight = sampleWeight;
    if (settings.classWeights().equals("balanced")) {
      weight = when(col(Labels.LABEL).equalTo(1), lit(rows / (2.0 * positives)))
          .otherwise(lit(rows / (2.0 * (rows - positives))));
    }
    Dataset<Row> weighted = sampled.withColumn(Labels.LABEL, col(Labels.LABEL).cast(DataTypes.DoubleType))
        .withColumn(WEIGHT, weight)
        .withColumn(SAMPLE_WEIGHT, sampleWeight);

    List<PipelineStage> featureStages = FeatureStages.build(weighted, featureColumns);
    PipelineModel prep = new Pipeline().setStages(featureStages.toArray(PipelineStage[]::new)).fit(weighted);
    // Iterative learners run one Spark job per iteration over every partition: a partition per task
    // slot, or per ROWS_PER_PARTITION rows, not the hundreds the feature joins leave behind. coalesce, not
    // repartition: no shuffle, and the same rows in the same order on every run.
    int partitions = (int) Math.max(training.sparkSession().sparkContext().defaultParallelism(),
        Math.ceil((double) rows / ROWS_PER_PARTITION));
    Dataset<Row> prepared = prep.transform(weighted)
        .select(col("customer_id"), col(Labels.LABEL), col(WEIGHT), col(SAMPLE_WEIGHT), col(FeatureStages.VECTOR))
        .coalesce(partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<Dataset<Row>> halves = splitValidation(validation.withColumn(Labels.LABEL,
        col(Labels.LABEL).cast(DataTypes.DoubleType)), settings.seed());
    Dataset<Row> calibrationRows = prep.transform(halves.get(0)).coalesce(partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      prepared.count();
      Map<String, Double> candidateAuc = new LinkedHashMap<>();
      Transformer best = null;
      String bestName = null;
      double bestAuc = Double.NEGATIVE_INFINITY;
      for (TrainingSettings.Candidate candidate : settings.candidates()) {
        Transformer fitted = fit(candidate, prepared, settings.seed());
        Dataset<Row> predicted = fitted.transform(calibrationRows)
            .withColumn(Scorer.RAW, org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64")
                .getItem(1));
        double auc = ModelMetrics.rocAuc(predicted, Scorer.RAW);
        candidateAuc.put(candidate.name(), auc);
        if (auc > bestAuc) {
          bestAuc = auc;
          best = fitted;
          bestName = candidate.name();
        }
      }
      if (best == null) {
        throw new TrainingDataException("no candidate model could be evaluated");
      }
      Dataset<Row> calibrationScored = best.transform(calibrationRows);
      List<PipelineStage> stages = new ArrayList<>(List.of(prep, best));
      stages.addAll(calibration(settings.calibration(), calibrationScored));
      PipelineModel model = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(halves.get(0));

      Dataset<Row> test = Scorer.probabilities(model, settings.calibration(), halves.get(1));
      ModelMetrics metrics = ModelMetrics.compute(test, Scorer.SCORE, "customer_id");
      Explanation explanation = explain(best, prepared);
      String name = bestName;
      String algorithm = settings.candidates().stream().filter(c -> c.name().equals(name))
          .findFirst().map(TrainingSettings.Candidate::kind).orElse("?");
      return new Result(model, bestName + " (" + algorithm + ")", candidateAuc, metrics, explanation,
          featureColumns, rows, positives, sampling, settings.calibration(), halves.get(1));
    } finally {
      prepared.unpersist();
      calibrationRows.unpersist();
    }
  }

  /**
   * Drops a fitted model's training summary. MLlib keeps it on the model with a reference to the SparkSession, and
   * the model's prediction UDFs capture the model: once the session holds state that does not serialise (its
   * ObservationManager, after any {@code Dataset.observe} in the same session) every transform fails with "Task
   * not serializable". The pipeline never reads the summaries (metrics are computed on held-out rows).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <T extends Transformer> T withoutSummary(T model) {
    if (model instanceof org.apache.spark.ml.util.HasTrainingSummary summarised) {
      summarised.setSummary(scala.Option.empty());
    }
    return model;
  }

  private static Transformer fit(TrainingSettings.Candidate candidate, Dataset<Row> prepared, long seed) {
    return withoutSummary(switch (candidate.kind()) {
      case TrainingSettings.Candidate.LOGISTIC -> new LogisticRegression()
          .setLabelCol(Labels.LABEL).setFeaturesCol(FeatureStages.VECTOR).setWeightCol(WEIGHT)
          .setRegParam(candidate.regParam()).setElasticNetParam(candidate.elasticNetParam())
          .setMaxIter(candidate.maxIter()).setStandardization(true)
          .fit(prepared);
      case TrainingSettings.Candidate.GBT -> new GBTClassifier()
          .setLabelCol(Labels.LABEL).setFeaturesCol(FeatureStages.VECTOR).setWeightCol(WEIGHT)
          .setMaxIter(candidate.maxIter()).setMaxDepth(candidate.maxDepth()).setStepSize(candidate.stepSize())
          .setSeed(seed)
          .fit(prepared);
      default -> throw new IllegalArgumentException("unknown model kind '" + candidate.kind() + "'");
    });
  }

  /** Calibration stages fitted on the calibration half's classifier output. */
  private static List<PipelineStage> calibration(String method, Dataset<Row> scored) {
    return switch (method) {
      case Scorer.PLATT -> {
        // Platt scaling: a logistic regression on the classifier's margin (rawPrediction[1]).
        VectorSlicer margin = new VectorSlicer().setInputCol("rawPrediction").setOutputCol("margin")
            .setIndices(new int[] {1});
        LogisticRegressionModel platt = withoutSummary(new LogisticRegression().setFeaturesCol("margin")
            .setLabelCol(Labels.LABEL).setRegParam(0.0).setStandardization(false)
            .setProbabilityCol("calibrated_probability").setRawPredictionCol("calibrated_raw")
            .setPredictionCol("calibrated_prediction").fit(margin.transform(scored)));
        yield List.of(margin, platt);
      }
      case Scorer.ISOTONIC -> List.of(new IsotonicRegression().setFeaturesCol("probability").setFeatureIndex(1)
          .setLabelCol(Labels.LABEL).setPredictionCol("calibrated_score").fit(scored));
      default -> throw new IllegalArgumentException("unknown calibration '" + method + "'");
    };
  }

  /** Reason weights and training means for the chosen classifier (see {@link Explanation}). */
  static Explanation explain(Transformer classifier, Dataset<Row> prepared) {
    Row summary = prepared.select(Summarizer.metrics("mean", "std")
            .summary(col(FeatureStages.VECTOR), col(SAMPLE_WEIGHT)).as("s"))
        .select("s.mean", "s.std").first();
    double[] means = ((Vector) summary.get(0)).toArray();
    double[] stds = ((Vector) summary.get(1)).toArray();
    List<String> names = slotNames(prepared, means.length);
    double[] weights = new double[means.length];
    if (classifier instanceof LogisticRegressionModel lr) {
      weights = lr.coefficients().toArray();
      return new Explanation(Explanation.LINEAR, names, weights, means);
    }
    if (classifier instanceof GBTClassificationModel gbt) {
      double[] importance = gbt.featureImportances().toArray();
      double[] positiveMeans = classMean(prepared, 1.0, means.length);
      double[] negativeMeans = classMean(prepared, 0.0, means.length);
      for (int i = 0; i < weights.length; i++) {
        double direction = Math.signum(positiveMeans[i] - negativeMeans[i]);
        weights[i] = stds[i] > 0 ? importance[i] * direction / stds[i] : 0.0;
      }
      return new Explanation(Explanation.IMPORTANCE, names, weights, means);
    }
    throw new IllegalArgumentException("no explanation for " + classifier.getClass().getSimpleName());
  }

  private static double[] classMean(Dataset<Row> prepared, double label, int size) {
    Row row = prepared.where(col(Labels.LABEL).equalTo(label))
        .select(Summarizer.mean(col(FeatureStages.VECTOR)).as("m")).first();
    return row.isNullAt(0) ? new double[size] : ((Vector) row.get(0)).toArray();
  }

  private static List<String> slotNames(Dataset<Row> prepared, int size) {
    AttributeGroup group = AttributeGroup.fromStructField(prepared.schema().apply(FeatureStages.VECTOR));
    List<String> names = new ArrayList<>();
    if (group.attributes().isDefined()) {
      for (Attribute attribute : group.attributes().get()) {
        names.add(FeatureStages.readableName(attribute.name().getOrElse(() -> "slot_" + names.size())));
      }
    }
    while (names.size() < size) {
      names.add("slot_" + names.size());
    }
    return List.copyOf(names);
  }
}
