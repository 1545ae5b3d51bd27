package io.audiencepipeline.models.evaluation;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.ntile;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * What a model version is judged by, on rows it was not trained or calibrated on: ranking (ROC AUC, PR
 * AUC, lift and capture by decile) and calibration (Brier score, reliability table), plus the base rate.
 * Computed with Spark aggregations; only the 10-row tables reach the driver.
 */
public record ModelMetrics(long rows, long positives, double baseRate, double rocAuc, double prAuc, double brier,
    List<Decile> deciles, List<ReliabilityBin> reliability) {

  /** Decile 1 holds the highest scores. Lift = the decile's positive rate / base rate; capture is cumulative. */
  public record Decile(int decile, long rows, long positives, double minScore, double maxScore, double rate,
      double lift, double cumulativeCapture) {
  }

  /** Rows whose calibrated score falls in [lower, upper): mean predicted vs observed positive rate. */
  public record ReliabilityBin(double lower, double upper, long rows, double meanPredicted, double observedRate) {
  }

  /**
   * @param scored rows with {@code label} (0/1), a probability column and a tie-breaking key
   * @param score the probability column (calibrated)
   * @param tieBreak a unique key ordering equal scores deterministically (e.g. customer_id)
   */
  public static ModelMetrics compute(Dataset<Row> scored, String score, String tieBreak) {
    Dataset<Row> rows = scored.select(col(score).cast(DataTypes.DoubleType).as("score"),
        col("label").cast(DataTypes.DoubleType).as("label"), col(tieBreak).as("key"));
    Row totals = rows.agg(count(lit(1)), sum("label"), avg(pow(col("score").minus(col("label")), 2))).first();
    long n = totals.getLong(0);
    if (n == 0) {
      throw new IllegalArgumentException("no rows to evaluate");
    }
    long positives = (long) totals.getDouble(1);
    double baseRate = (double) positives / n;
    double rocAuc = auc(rows, "areaUnderROC");
    double prAuc = auc(rows, "areaUnderPR");

    List<Decile> deciles = new ArrayList<>();
    Dataset<Row> byDecile = rows
        .withColumn("decile", ntile(10).over(Window.orderBy(col("score").desc(), col("key"))))
        .groupBy("decile").agg(count(lit(1)), sum("label"), min("score"), max("score"))
        .orderBy("decile");
    long captured = 0;
    for (Row r : byDecile.collectAsList()) {
      long decileRows = r.getLong(1);
      long decilePositives = (long) r.getDouble(2);
      captured += decilePositives;
      double rate = (double) decilePositives / decileRows;
      deciles.add(new Decile(r.getInt(0), decileRows, decilePositives, r.getDouble(3), r.getDouble(4), rate,
          baseRate == 0 ? 0 : rate / baseRate, positives == 0 ? 0 : (double) captured / positives));
    }

    List<ReliabilityBin> reliability = new ArrayList<>();
    Dataset<Row> bins = rows.withColumn("bin", least(floor(col("score").multiply(10)), lit(9)).cast("int"))
        .groupBy("bin").agg(count(lit(1)), avg("score"), avg("label")).orderBy("bin");
    for (Row r : bins.collectAsList()) {
      int bin = r.getInt(0);
      reliability.add(new ReliabilityBin(bin / 10.0, (bin + 1) / 10.0, r.getLong(1), r.getDouble(2), r.getDouble(3)));
    }
    return new ModelMetrics(n, positives, baseRate, rocAuc, prAuc, totals.getDouble(2), List.copyOf(deciles),
        List.copyOf(reliability));
  }

  /** ROC AUC of any score column against {@code label} (exact: no down-sampling of the curve). */
  public static double rocAuc(Dataset<Row> rows, String score) {
    return auc(rows.select(col(score).cast(DataTypes.DoubleType).as("score"),
        col("label").cast(DataTypes.DoubleType).as("label")), "areaUnderROC");
  }

  private static double auc(Dataset<Row> rows, String metric) {
    return new BinaryClassificationEvaluator().setRawPredictionCol("score").setLabelCol("label")
        .setMetricName(metric).setNumBins(0).evaluate(rows);
  }

  public String summary() {
    return String.format(Locale.ROOT, "ROC AUC %.4f, PR AUC %.4f, Brier %.4f, base rate %.4f, top-decile lift %.2f"
        + " (%,d rows, %,d positives)", rocAuc, prAuc, brier, baseRate, deciles.isEmpty() ? 0 : deciles.get(0).lift(),
        rows, positives);
  }
}
