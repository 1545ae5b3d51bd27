package io.audiencepipeline.models.targets;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Labels for an as-of date A: what happened in the window (A, A + horizon], from the timeline only.
 * Features use events dated A or earlier, labels events dated after A, so a row never sees its label.
 */
public final class Labels {
  public static final String LABEL = "label";

  private Labels() {
  }

  /**
   * @param events the timeline (customer_id, event_date, event_type, category, details)
   * @param population the rows to label (customer_id, ...), e.g. the features as of A
   * @param purchaseEventTypes the event types that count as a purchase
   * @return the population rows that have a label, with an int {@code label} column
   */
  public static Dataset<Row> attach(Dataset<Row> events, Dataset<Row> population, LocalDate asOf,
      TargetSpec target, List<String> purchaseEventTypes) {
    Column day = lit(Date.valueOf(asOf));
    Column inWindow = col("event_date").gt(day).and(col("event_date").leq(date_add(day, target.horizonDays())));
    Dataset<Row> window = events.where(inWindow);
    return switch (target.kind()) {
      case PURCHASE -> {
        Column bought = col("event_type").isin(purchaseEventTypes.toArray());
        if (target.category().isPresent()) {
          bought = bought.and(col("category").equalTo(target.category().get()));
        }
        Dataset<Row> buyers = window.where(bought).select("customer_id").distinct().withColumn(LABEL, lit(1));
        yield population.join(buyers, new String[] {"customer_id"}, "left").na().fill(0, new String[] {LABEL});
      }
      case OUTCOME -> {
        Column outcome = col("details").getItem(target.outcomeField()).try_cast(DataTypes.IntegerType);
        Dataset<Row> outcomes = window.where(col("event_type").equalTo(target.outcomeEventType())
                .and(outcome.isin(0, 1)))
            .groupBy("customer_id").agg(max(outcome).as(LABEL));
        yield population.join(outcomes, new String[] {"customer_id"}, "inner");
      }
    };
  }
}
