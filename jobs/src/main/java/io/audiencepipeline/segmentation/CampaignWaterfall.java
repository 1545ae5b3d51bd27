package io.audiencepipeline.segmentation;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.conv;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import io.audiencepipeline.config.SegmentationSettings;
import io.audiencepipeline.config.SegmentationSettings.Campaign;
import io.audiencepipeline.config.SegmentationSettings.Channel;
import io.audiencepipeline.config.SegmentationSettings.Segment;
import io.audiencepipeline.config.SegmentationSettings.Suppression;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * One campaign's waterfall over the audience base, in one pass: universe, the built-in erasure check, the
 * configured suppressions, then the segments (first match wins, as one CASE expression); then the
 * channel each taken customer can be reached on (consent and address are required in code, whatever the
 * campaign says), the segment caps by rank, and the stable control holdout. Arbitration across campaigns
 * comes after ({@link Arbitration}).
 */
public final class CampaignWaterfall {
  /** Statuses, in the order the waterfall report lists them. */
  public static final String SUPPRESSED = "suppressed";
  public static final String NO_SEGMENT = "no_segment";
  public static final String NO_ELIGIBLE_CHANNEL = "no_eligible_channel";
  public static final String OVER_CAP = "over_cap";
  public static final String SELECTED = "selected";
  public static final String ERASED_STEP = "erased";

  private CampaignWaterfall() {
  }

  /**
   * Every universe member of the campaign with: campaign, priority, customer_id, status, step (the
   * suppression or segment that took them), segment, offer, recommend_category, rank_score, segment_rank,
   * channel, channel_allowance (messages the channel's cap still allows tonight), holdout, reasons.
   */
  public static Dataset<Row> assign(Dataset<Row> base, Campaign campaign, SegmentationSettings settings,
      String salt) {
    List<Suppression> suppressions = campaign.suppressions();
    List<Segment> segments = campaign.segments();
    List<Channel> channels = settings.channels().values().stream()
        .filter(c -> campaign.channels().contains(c.name())).toList();

    List<Column> consented = new ArrayList<>();
    List<Column> eligible = new ArrayList<>();
    Column allowance = lit(0);
    for (Channel channel : channels) {
      Column reachable = coalesce(col("consent_" + channel.consent()).equalTo("opt_in"), lit(false))
          .and(expr(channel.address()).isNotNull());
      Column remaining = lit(channel.capMessages()).minus(col(AudienceBase.recentColumn(channel.name())));
      consented.add(when(reachable, lit(channel.name())));
      eligible.add(when(reachable.and(remaining.gt(0)), lit(channel.name())));
      allowance = when(col("_channel").equalTo(channel.name()), remaining).otherwise(allowance);
    }
    Column consentedChannels = filter(array(consented.toArray(Column[]::new)), Column::isNotNull);
    Column eligibleChannels = filter(array(eligible.toArray(Column[]::new)), Column::isNotNull);

    // Step 0 is the erasure check, 1..S the suppressions, S+1..S+G the segments.
    List<String> stepNames = new ArrayList<>(List.of(ERASED_STEP));
    Column step = when(col(AudienceBase.ERASED), lit(0));
    for (Suppression s : suppressions) {
      stepNames.add(s.name());
      Column hit = switch (s.kind()) {
        case Suppression.NO_CONSENT -> size(col("_consented")).equalTo(0);
        case Suppression.FREQUENCY_CAP -> size(col("_eligible")).equalTo(0);
        default -> expr(s.when());
      };
      step = step.when(hit, lit(stepNames.size() - 1));
    }
    int firstSegment = stepNames.size();
    for (Segment s : segments) {
      stepNames.add(s.name());
      step = step.when(expr(s.when()), lit(stepNames.size() - 1));
    }

    Column segmentIndex = col("_step").minus(firstSegment);
    Column isSegment = col("_step").geq(firstSegment);
    Column rankScore = lit(null).cast(DataTypes.DoubleType);
    Column cap = lit(null).cast(DataTypes.LongType);
    Column offer = lit(null).cast(DataTypes.StringType);
    Column recommend = lit(null).cast(DataTypes.StringType);
    Column matchedRule = lit(null).cast(DataTypes.StringType);
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      Column here = segmentIndex.equalTo(i);
      rankScore = when(here, expr(s.rankBy()).cast(DataTypes.DoubleType)).otherwise(rankScore);
      cap = when(here, s.cap().map(v -> lit(v)).orElse(lit(null)).cast(DataTypes.LongType)).otherwise(cap);
      offer = when(here, s.offer().map(v -> lit(v)).orElse(lit(null)).cast(DataTypes.StringType))
          .otherwise(offer);
      recommend = when(here, s.recommend().map(v -> lit(v)).orElse(lit(null)).cast(DataTypes.StringType))
          .otherwise(recommend);
      matchedRule = when(here, lit("segment " + s.name() + ": " + s.when())).otherwise(matchedRule);
    }
    Column preferred = col("preferred_channel");
    Column channel = when(array_contains(col("_eligible"), preferred), preferred)
        .otherwise(try_element_at(col("_eligible"), lit(1)));
    Column scoreReasons = campaign.target().map(t -> coalesce(col("reasons_" + t), array().cast("array<string>")))
        .orElse(array().cast("array<string>"));

    Dataset<Row> stepped = base.where(expr(campaign.universe()))
        .withColumn("_consented", consentedChannels)
        .withColumn("_eligible", eligibleChannels)
        .withColumn("_step", step)
        .withColumn("_channel", channel)
        .select(lit(campaign.name()).as("campaign"), lit(campaign.priority()).as("priority"), col("customer_id"),
            col("_step"), lit(stepNames.toArray(String[]::new)).as("_names"),
            when(isSegment, rankScore).as("rank_score"), when(isSegment, cap).as("_cap"),
            when(isSegment, offer).as("offer"), when(isSegment, recommend).as("recommend_category"),
            when(isSegment, concat(array(matchedRule), scoreReasons)).as("reasons"),
            when(isSegment, col("_channel")).as("channel"), allowance.as("_allowance"), col("_eligible"));

    Column stepName = element_at(col("_names"), col("_step").plus(1));
    Column reachable = size(col("_eligible")).gt(0);
    // Ranks within a segment count only customers who can be reached, so a cap is filled with sendable ones.
    Column segmentRank = row_number().over(Window.partitionBy(col("_step"), reachable)
        .orderBy(col("rank_score").desc_nulls_last(), col("customer_id")));
    Dataset<Row> ranked = stepped
        .withColumn("step", stepName)
        .withColumn("segment", when(isSegment, stepName))
        .withColumn("segment_rank", when(isSegment.and(reachable), segmentRank))
        .withColumn("status", when(col("_step").isNull(), lit(NO_SEGMENT))
            .when(col("_step").lt(firstSegment), lit(SUPPRESSED))
            .when(size(col("_eligible")).equalTo(0), lit(NO_ELIGIBLE_CHANNEL))
            .when(col("_cap").isNotNull().and(col("segment_rank").gt(col("_cap"))), lit(OVER_CAP))
            .otherwise(lit(SELECTED)));
    return ranked
        .withColumn("channel", when(col("status").equalTo(SELECTED), col("channel")))
        .withColumn("channel_allowance", when(col("status").equalTo(SELECTED), col("_allowance")))
        .withColumn("holdout", col("status").equalTo(SELECTED).and(inHoldout(campaign.name(), salt,
            campaign.holdout())))
        .select("campaign", "priority", "customer_id", "status", "step", "segment", "offer", "recommend_category",
            "rank_score", "segment_rank", "channel", "channel_allowance", "holdout", "reasons");
  }

  /**
   * The control holdout: the first 32 bits of SHA-256(salt|campaign|customer_id) as a fraction of 2^32, so
   * a customer stays in or out of a campaign's control group every night, whatever else changes.
   */
  public static Column inHoldout(String campaign, String salt, double fraction) {
    Column bits = conv(substring(sha2(concat_ws("|", lit(salt), lit(campaign), col("customer_id")), 256), 1, 8),
        16, 10).cast(DataTypes.DoubleType);
    return bits.divide(4294967296.0).lt(fraction);
  }

}
