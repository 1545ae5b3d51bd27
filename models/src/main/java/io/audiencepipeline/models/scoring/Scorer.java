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
   * reasons (up to 3 feature names that pushed this customer's score up most).
   *
   * <p>Deciles rank the whole population with one window (exact and deterministic: ties are broken by
   * the raw score, then the customer id), which sorts the scores in one task. So the model, the calibration
   * and the reasons are computed first, in parallel, and only the narrow scored rows (no feature vector)
   * reach that task: computed in the same projection as the window, the reasons would run after it, in that
   * one task, and every row's feature vector would be shuffled into it.
   */
  public static Dataset<Row> score(Dataset<Row> features, PipelineModel model, String calibration,
      Explanation explanation, String target, String version) {
    Dataset<Row> scored = probabilities(model, calibration, features).select(
        col("customer_id"),
        col(SCORE).as("probability"),
        col(RAW),
        explanation.topReasons(col(FeatureStages.VECTOR), 3).as("reasons"));
    return scored.select(
        col("customer_id"),
        lit(target).as("target"),
        col("probability"),
        ntile(10).over(Window.orderBy(col("probability").desc(), col(RAW).desc(), col("customer_id"))).as("decile"),
        lit(version).as("model_version"),
        col("reasons"));
  }
}
