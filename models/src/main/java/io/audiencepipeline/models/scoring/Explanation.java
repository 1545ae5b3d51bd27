package io.audiencepipeline.models.scoring;

import static org.apache.spark.sql.functions.udf;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * Why a customer scored high: per feature slot, {@code weight x (value - training mean)}; the slots with
 * the largest positive contributions are the reasons.
 *
 * <ul>
 *   <li>{@code linear-contribution} (logistic regression): the weight is the coefficient, so the
 *       contribution is exactly the feature's share of the log-odds relative to an average customer
 *       (coefficient x standardised value x standard deviation).
 *   <li>{@code importance-direction} (tree ensembles, which have no per-row attribution in MLlib): the
 *       weight is the feature's importance x the sign of (mean among positives - mean among negatives) /
 *       its standard deviation, so customers far above average on important, positively associated features
 *       get those as reasons. An approximation, documented as such.
 * </ul>
 *
 * @param names readable feature slot names, in vector order (e.g. {@code cart_adds_climbing_7d},
 *     {@code age_band=25_34})
 */
public record Explanation(String method, List<String> names, double[] weights, double[] means) {
  public static final String LINEAR = "linear-contribution";
  public static final String IMPORTANCE = "importance-direction";
  /** More than rounding to 1e-9 can move a contribution (relative beyond 1, where doubles are coarser). */
  private static final double ROUNDING_MARGIN = 1e-6;

  /**
   * The top {@code k} reasons as an array of feature names, from the model's feature vector column; only
   * features that pushed the score up (positive contribution) are reasons, largest first, ties by name.
   *
   * <p>A Java function rather than Spark's array functions: those are higher-order functions (transform,
   * filter, a sort over ~200 slots per customer), which Spark evaluates without code generation, one
   * expression at a time, and they were most of the score stage's time at 1M customers (docs/PERFORMANCE.md).
   */
  public Column topReasons(Column vector, int k) {
    String[] slotNames = names.toArray(String[]::new);
    double[] slotWeights = weights.clone();
    double[] slotMeans = means.clone();
    UDF1<Vector, List<String>> top = v -> top(v, slotNames, slotWeights, slotMeans, k);
    return udf(top, DataTypes.createArrayType(DataTypes.StringType)).apply(vector);
  }

  /**
   * Contributions are rounded to 1e-9 (half up, as Spark's {@code round}) so that mathematically equal ones
   * (e.g. the two sides of a two-valued one-hot column under L2 regularisation) tie exactly and are ordered by
   * name, not by the last bits of the coefficients, which depend on the order in which tasks finish.
   */
  static List<String> top(Vector vector, String[] names, double[] weights, double[] means, int k) {
    if (k <= 0) {
      return List.of();
    }
    double[] values = vector.toArray();
    double[] raw = new double[names.length];
    // Rounding (BigDecimal) is most of the cost, so first the k-th largest unrounded contribution: a slot
    // below it by more than rounding can move two values (the margin) rounds strictly below at least k others.
    double[] largest = new double[k];
    int kept = 0;
    for (int i = 0; i < names.length; i++) {
      double r = (values[i] - means[i]) * weights[i];
      raw[i] = r;
      if (r > 0 && (kept < k || r > largest[k - 1])) {
        int at = Math.min(kept, k - 1);
        while (at > 0 && largest[at - 1] < r) {
          largest[at] = largest[at - 1];
          at--;
        }
        largest[at] = r;
        kept = Math.min(kept + 1, k);
      }
    }
    double threshold = kept < k ? 0 : largest[k - 1];
    int[] best = new int[k];
    double[] bestContribution = new double[k];
    int found = 0;
    for (int i = 0; i < names.length; i++) {
      if (!(raw[i] > 0) || raw[i] + ROUNDING_MARGIN * Math.max(1, raw[i]) < threshold) {
        continue;
      }
      double c = round9(raw[i]);
      if (!(c > 0)) {
        continue;
      }
      int at = found;
      while (at > 0 && before(c, names[i], bestContribution[at - 1], names[best[at - 1]])) {
        at--;
      }
      if (at >= k) {
        continue;
      }
      for (int j = Math.min(found, k - 1); j > at; j--) {
        best[j] = best[j - 1];
        bestContribution[j] = bestContribution[j - 1];
      }
      best[at] = i;
      bestContribution[at] = c;
      found = Math.min(found + 1, k);
    }
    List<String> reasons = new ArrayList<>(found);
    for (int j = 0; j < found; j++) {
      reasons.add(names[best[j]]);
    }
    return reasons;
  }

  private static boolean before(double c, String name, double otherC, String otherName) {
    return c > otherC || (c == otherC && name.compareTo(otherName) < 0);
  }

  private static double round9(double x) {
    return Double.isFinite(x) ? BigDecimal.valueOf(x).setScale(9, RoundingMode.HALF_UP).doubleValue() : x;
  }
}
