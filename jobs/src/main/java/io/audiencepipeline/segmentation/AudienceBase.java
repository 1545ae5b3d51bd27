package io.audiencepipeline.segmentation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.audiencepipeline.config.SegmentationSettings;
import io.audiencepipeline.unify.IdentityResolution;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The one row per customer that campaign rules read: the golden profile, the features as of the run date,
 * every target's score as {@code score_<target>}, {@code decile_<target>} and {@code reasons_<target>},
 * the messages already sent per channel inside its cap window ({@code recent_<channel>_messages}), an
 * {@code erased} flag, and the deployment's named definitions (e.g. {@code region}).
 */
public final class AudienceBase {
  public static final String ERASED = "erased";

  private AudienceBase() {
  }

  /**
   * @param scores gold/scores rows (customer_id, target, probability, decile, reasons)
   * @param contactHistory earlier nights' contact history (customer_id, channel, dt)
   * @param erasureSuppression silver/erasure_suppression (identifier_hash)
   */
  public static Dataset<Row> build(Dataset<Row> profile, Dataset<Row> features, Dataset<Row> scores,
      List<String> targets, Dataset<Row> contactHistory, Dataset<Row> erasureSuppression, String salt,
      SegmentationSettings settings, LocalDate runDate) {
    Set<String> featureColumns = Set.of(features.columns());
    List<Column> fromProfile = new ArrayList<>();
    for (String name : profile.columns()) {
      if (!featureColumns.contains(name) && !name.equals("dt")) {
        fromProfile.add(col(name));
      }
    }
    fromProfile.add(col("customer_id"));
    Dataset<Row> base = features.drop("as_of").join(profile.select(fromProfile.toArray(Column[]::new)),
        "customer_id");
    for (String target : targets) {
      Dataset<Row> score = scores.where(col("target").equalTo(target)).select(col("customer_id"),
          col("probability").as("score_" + target), col("decile").as("decile_" + target),
          col("reasons").as("reasons_" + target));
      base = base.join(score, new String[] {"customer_id"}, "left");
    }
    base = base.join(recentMessages(contactHistory, settings, runDate), new String[] {"customer_id"}, "left")
        .na().fill(0L, settings.channels().keySet().stream().map(AudienceBase::recentColumn).toArray(String[]::new));
    base = base.join(erasedCustomers(profile, erasureSuppression, salt), new String[] {"customer_id"}, "left")
        .withColumn(ERASED, functions.coalesce(col(ERASED), lit(false)));
    for (SegmentationSettings.Definition definition : settings.definitions()) {
      base = base.withColumn(definition.name(), expr(definition.sql()));
    }
    return base;
  }

  public static String recentColumn(String channel) {
    return "recent_" + channel + "_messages";
  }

  /** Messages per customer and channel on the nights before the run date inside each channel's cap window. */
  static Dataset<Row> recentMessages(Dataset<Row> contactHistory, SegmentationSettings settings,
      LocalDate runDate) {
    Column day = lit(Date.valueOf(runDate));
    List<Column> counts = new ArrayList<>();
    for (SegmentationSettings.Channel channel : settings.channels().values()) {
      // The window includes tonight: its own messages are limited by arbitration, not counted here.
      Column inWindow = col("channel").equalTo(channel.name())
          .and(col("dt").geq(date_sub(day, channel.capWindowDays() - 1))).and(col("dt").lt(day));
      counts.add(count(when(inWindow, lit(1))).as(recentColumn(channel.name())));
    }
    int longest = settings.channels().values().stream().mapToInt(SegmentationSettings.Channel::capWindowDays)
        .max().orElse(1);
    return contactHistory.where(col("dt").geq(date_sub(day, longest - 1)).and(col("dt").lt(day)))
        .groupBy("customer_id").agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new));
  }

  /**
   * Customers any of whose e-mails or phones is on the erasure suppression list. Unify already removes
   * erased people; this catches an erased identifier that comes back on a new record before it is
   * re-resolved, so the audience never depends on that alone.
   */
  static Dataset<Row> erasedCustomers(Dataset<Row> profile, Dataset<Row> erasureSuppression, String salt) {
    List<String> columns = Arrays.asList(profile.columns());
    Dataset<Row> keys = null;
    if (columns.contains("emails")) {
      keys = profile.select(col("customer_id"), explode(col("emails")).as("value"))
          .select(col("customer_id"), functions.concat(lit("email:"), functions.sha2(col("value"), 256)).as("node_key"));
    }
    if (columns.contains("phones")) {
      Dataset<Row> phones = profile.select(col("customer_id"), explode(col("phones")).as("value"))
          .select(col("customer_id"), functions.concat(lit("phone:"), col("value")).as("node_key"));
      keys = keys == null ? phones : keys.unionByName(phones);
    }
    if (keys == null) {
      return profile.select(col("customer_id"), lit(true).as(ERASED)).limit(0);
    }
    return keys.select(col("customer_id"), IdentityResolution.saltedHash(col("node_key"), salt).as("identifier_hash"))
        .join(erasureSuppression.select("identifier_hash"), "identifier_hash")
        .select(col("customer_id"), lit(true).as(ERASED)).distinct();
  }
}
