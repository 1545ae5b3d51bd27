package io.audiencepipeline.models.scoring;

import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;

import java.util.List;
import org.apache.spark.sql.Column;

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

  /**
   * The top {@code k} reasons as an array of feature names, from an array column of the vector's
   * values; only features that pushed the score up (positive contribution) are reasons.
   */
  public Column topReasons(Column values, int k) {
    Column weightArray = lit(weights);
    Column meanArray = lit(means);
    Column nameArray = lit(names.toArray(String[]::new));
    // Rounded to 1e-9 so that mathematically equal contributions (e.g. the two sides of a two-valued one-hot
    // column under L2 regularisation) tie exactly and are ordered by name, not by the last bits of the
    // coefficients, which depend on the order in which tasks finish.
    Column contributions = transform(values, (x, i) -> struct(
        org.apache.spark.sql.functions.round(x.minus(element_at(meanArray, i.plus(1)))
            .multiply(element_at(weightArray, i.plus(1))), 9).as("c"),
        element_at(nameArray, i.plus(1)).as("n")));
    // Largest contribution first, ties by name: an ascending sort of (-c, n). sort_array compares with Spark's
    // own ordering of structs; array_sort would call a lambda comparator for every comparison, which costs
    // far more over a vector of ~200 slots per customer.
    Column positive = filter(contributions, s -> s.getField("c").gt(0));
    Column sorted = sort_array(transform(positive, s -> struct(s.getField("c").unary_$minus().as("k"),
        s.getField("n").as("n"))), true);
    return transform(slice(sorted, 1, k), s -> s.getField("n"));
  }
}
