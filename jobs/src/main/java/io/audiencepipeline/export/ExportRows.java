package io.audiencepipeline.export;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.audiencepipeline.export.AdIdentifiers.Platform;
import io.audiencepipeline.segmentation.Arbitration;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The export row: one per customer a campaign exported tonight, with everything a destination's columns may
 * use (docs/SEGMENTATION.md lists the fields): the assignment (campaign, segment, offer, channel, rank,
 * reasons, recommendations), the campaign target's calibrated score and decile, every column of the golden
 * profile, and the customer's identifiers normalised and hashed for Google and Meta.
 */
public final class ExportRows {
  /** Assignment fields taken from gold/segments. */
  private static final String[] ASSIGNMENT = {"campaign", "customer_id", "segment", "offer", "channel",
      "segment_rank", "rank_score", "reasons", "recommendations", "run_date"};

  private ExportRows() {
  }

  /**
   * @param segments the night's gold/segments rows of the exporting campaigns, with a campaign column
   * @param profile the golden profile of the run date
   * @param scores the run date's scores (customer_id, target, probability, decile, model_version)
   * @param targets each campaign's target, if it has one
   */
  public static Dataset<Row> build(Dataset<Row> segments, Dataset<Row> profile, Dataset<Row> scores,
      Map<String, Optional<String>> targets) {
    Column target = lit(null).cast(DataTypes.StringType);
    for (Map.Entry<String, Optional<String>> entry : targets.entrySet()) {
      if (entry.getValue().isPresent()) {
        target = org.apache.spark.sql.functions.when(col("campaign").equalTo(entry.getKey()),
            lit(entry.getValue().get())).otherwise(target);
      }
    }
    Dataset<Row> exported = segments.where(col("status").equalTo(Arbitration.EXPORTED))
        .select(java.util.Arrays.stream(ASSIGNMENT).map(c -> col(c)).toArray(Column[]::new))
        .withColumn("target", target);
    Dataset<Row> scored = scores.select(col("customer_id"), col("target"), col("probability").as("score"),
        col("decile"), col("model_version"));
    Dataset<Row> withScores = exported.join(scored, exported.col("customer_id").equalTo(scored.col("customer_id"))
        .and(exported.col("target").equalTo(scored.col("target"))), "left")
        .select(exported.col("*"), scored.col("score"), scored.col("decile"), scored.col("model_version"));
    // Left: a customer missing from the profile (inconsistent inputs) has no consent, so every destination
    // counts them as excluded instead of losing them without a trace.
    Dataset<Row> rows = withScores.join(profile, new String[] {"customer_id"}, "left");
    return withAdIdentifiers(rows);
  }

  /**
   * The ad platforms' identifier columns (normalised and SHA-256 hashed as each platform requires). A profile
   * attribute the deployment does not have gives null columns, so destinations still resolve.
   */
  static Dataset<Row> withAdIdentifiers(Dataset<Row> rows) {
    java.util.List<String> have = java.util.List.of(rows.columns());
    java.util.function.Function<String, Column> in = name -> have.contains(name) ? col(name)
        : lit(null).cast(DataTypes.StringType);
    return rows
        .withColumn("google_email", AdIdentifiers.email(in.apply("email"), Platform.GOOGLE))
        .withColumn("google_phone", AdIdentifiers.phone(in.apply("phone"), Platform.GOOGLE))
        .withColumn("google_first_name", AdIdentifiers.name(in.apply("first_name"), Platform.GOOGLE))
        .withColumn("google_last_name", AdIdentifiers.name(in.apply("last_name"), Platform.GOOGLE))
        .withColumn("google_country", AdIdentifiers.country(in.apply("country"), Platform.GOOGLE))
        .withColumn("google_zip", AdIdentifiers.postcode(in.apply("postcode"), in.apply("country"),
            Platform.GOOGLE))
        .withColumn("meta_email", AdIdentifiers.email(in.apply("email"), Platform.META))
        .withColumn("meta_phone", AdIdentifiers.phone(in.apply("phone"), Platform.META))
        .withColumn("meta_fn", AdIdentifiers.name(in.apply("first_name"), Platform.META))
        .withColumn("meta_ln", AdIdentifiers.name(in.apply("last_name"), Platform.META))
        .withColumn("meta_zip", AdIdentifiers.postcode(in.apply("postcode"), in.apply("country"), Platform.META))
        .withColumn("meta_country", AdIdentifiers.country(in.apply("country"), Platform.META));
  }
}
