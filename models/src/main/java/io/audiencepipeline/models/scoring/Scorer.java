package io.audiencepipeline.models.scoring;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.ntile;

import io.audiencepipeline.models.training.FeatureStages;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/** Applies a saved model: raw and calibrated probabilities, deciles and reasons. */
public final class Scorer {
  /** The classifier's probability of the positive class, before calibration. */
  public static final String RAW = "raw_score";
  /** The calibrated probability. */
  public static final String SCORE = "probability";
  public static final String PLATT = "platt";
  public static final String ISOTONIC = "isotonic";
  /** Output columns of the calibration stages. */
  static final String CALIBRATED_PROBABILITY = "calibrated_probability";
  static final String CALIBRATED_SCORE = "calibrated_score";

  private Scorer() {
  }

  /** {@code rows} plus the feature vector, {@link #RAW} and {@link #SCORE}. */
  public static Dataset<Row> probabilities(PipelineModel model, String calibration, Dataset<Row> rows) {
    Dataset<Row> out = model.transform(rows);
    Column calibrated = switch (calibration) {
      case PLATT -> vector_to_array(col(CALIBRATED_PROBABILITY), "float64").getItem(1);
      case ISOTONIC -> col(CALIBRATED_SCORE);
      default -> throw new IllegalArgumentException("unknown calibration '" + calibration + "'");
    };
    return out.withColumn(RAW, vector_to_array(col("probability"), "float64").getItem(1))
        .withColumn(SCORE, calibrated);
  }

  /**
   * The published scores: customer_id, target, probability, decile (1 = highest 10%), model_version,
   * reasons (up to 3 feature names that pushed this customer's score up most). {@link #unranked} then
   * {@link #withDeciles}; callers scoring several targets union the unranked rows and rank them once.
   */
  public static Dataset<Row> score(Dataset<Row> features, PipelineModel model, String calibration,
      Explanation explanation, String target, String version) {
    return withDeciles(unranked(features, model, calibration, explanation, target, version));
  }

  /**
   * The scores without deciles: customer_id, target, probability, {@link #RAW} (the tie-breaker of the
   * deciles), model_version, reasons. Row-wise, so it runs in as many tasks as the features have partitions.
   */
  public static Dataset<Row> unranked(Dataset<Row> features, PipelineModel model, String calibration,
      Explanation explanation, String target, String version) {
    Dataset<Row> scored = probabilities(model, calibration, features);
    return scored.select(
        col("customer_id"),
        lit(target).as("target"),
        col(SCORE).as("probability"),
        col(RAW),
        lit(version).as("model_version"),
        explanation.topReasons(vector_to_array(col(FeatureStages.VECTOR), "float64"), 3).as("reasons"));
  }

  /**
   * Adds each target's deciles to {@link #unranked} rows and drops {@link #RAW}. The ranking is exact and
   * deterministic (ties are broken by the raw score, then the customer id); it sorts one target's rows in one
   * task, so only the four ranking columns go through that task, and the deciles are joined back to the wide
   * rows. The input is read twice: persist it when it is expensive to compute.
   */
  public static Dataset<Row> withDeciles(Dataset<Row> unranked) {
    Dataset<Row> deciles = unranked.select(col("target"), col("customer_id"), col("probability"), col(RAW))
        .select(col("target"), col("customer_id"), ntile(10).over(Window.partitionBy(col("target"))
            .orderBy(col("probability").desc(), col(RAW).desc(), col("customer_id"))).as("decile"));
    return unranked.join(deciles, new String[] {"target", "customer_id"})
        .select("customer_id", "target", "probability", "decile", "model_version", "reasons");
  }
}
