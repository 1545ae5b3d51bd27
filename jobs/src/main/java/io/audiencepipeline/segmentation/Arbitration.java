package io.audiencepipeline.segmentation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Cross-campaign arbitration of one night: a customer selected by several campaigns is taken by at most
 * {@code messagesPerNight} of them (the others are {@code arbitrated}, {@code lost_to} the winner), highest
 * priority first (then campaign name, so ties are
 * deterministic), and by no more on a channel than its frequency cap still allows. Control-holdout members
 * take their slot like everyone else, so the holdout stays comparable to the treated group; then they are
 * marked {@code holdout} and only the rest {@code exported}.
 */
public final class Arbitration {
  public static final String ARBITRATED = "arbitrated";
  public static final String HOLDOUT = "holdout";
  public static final String EXPORTED = "exported";

  private Arbitration() {
  }

  /** The union of every campaign's {@link CampaignWaterfall#assign} output, with final statuses. */
  public static Dataset<Row> resolve(Dataset<Row> assignments, int messagesPerNight) {
    Column selected = col("status").equalTo(CampaignWaterfall.SELECTED);
    WindowSpec perCustomer = Window.partitionBy(col("customer_id"), selected)
        .orderBy(col("priority").desc(), col("campaign"));
    WindowSpec perChannel = Window.partitionBy(col("customer_id"), selected, col("channel"))
        .orderBy(col("priority").desc(), col("campaign"));
    Column tooMany = row_number().over(perCustomer).gt(messagesPerNight);
    Column overChannelCap = row_number().over(perChannel).gt(col("channel_allowance"));
    Column winner = first(col("campaign")).over(perCustomer);
    return assignments
        .withColumn("_lost", selected.and(tooMany.or(overChannelCap)))
        .withColumn("_winner", winner)
        .withColumn("lost_to", when(col("_lost"), col("_winner")))
        .withColumn("status", when(col("_lost"), lit(ARBITRATED))
            .when(selected.and(col("holdout")), lit(HOLDOUT))
            .when(selected, lit(EXPORTED))
            .otherwise(col("status")))
        .withColumn("channel", when(col("status").isin(HOLDOUT, EXPORTED), col("channel")))
        .withColumn("holdout", col("status").equalTo(HOLDOUT))
        .drop("_lost", "_winner", "channel_allowance");
  }
}
