package io.audiencepipeline.segmentation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.audiencepipeline.config.SegmentationSettings.Campaign;
import io.audiencepipeline.config.SegmentationSettings.Segment;
import io.audiencepipeline.config.SegmentationSettings.Suppression;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * A campaign's waterfall as analysts read it: for each step in order, how many customers entered it, how
 * many it took, how many remained. First the first-match steps over the universe (erasure, suppressions,
 * segments, no segment), then what happened to the customers the segments took (no eligible channel,
 * over the segment cap, arbitrated to another campaign, control holdout), ending with those exported.
 */
public final class WaterfallReport {
  /** kind: universe, suppression, segment, unmatched, or after-segmentation. */
  public record Step(String name, String kind, long entering, long taken, long remaining) {
  }

  private WaterfallReport() {
  }

  /** @param counts rows (campaign, status, step, count) of the night's assignments */
  public static List<Step> steps(Campaign campaign, List<Row> counts) {
    Map<String, Long> byStep = new LinkedHashMap<>();
    Map<String, Long> byStatus = new LinkedHashMap<>();
    long universe = 0;
    for (Row row : counts) {
      if (!row.getString(0).equals(campaign.name())) {
        continue;
      }
      long n = row.getLong(3);
      universe += n;
      byStatus.merge(row.getString(1), n, Long::sum);
      if (!row.getString(1).equals(CampaignWaterfall.NO_SEGMENT)) {
        byStep.merge(row.getString(2), n, Long::sum);
      }
    }
    List<Step> steps = new ArrayList<>();
    long remaining = universe;
    steps.add(new Step("universe", "universe", universe, 0, universe));
    List<String> suppressions = new ArrayList<>(List.of(CampaignWaterfall.ERASED_STEP));
    campaign.suppressions().stream().map(Suppression::name).forEach(suppressions::add);
    for (String name : suppressions) {
      long taken = byStep.getOrDefault(name, 0L);
      steps.add(new Step(name, "suppression", remaining, taken, remaining - taken));
      remaining -= taken;
    }
    long matched = 0;
    for (Segment segment : campaign.segments()) {
      long taken = byStep.getOrDefault(segment.name(), 0L);
      steps.add(new Step(segment.name(), "segment", remaining, taken, remaining - taken));
      remaining -= taken;
      matched += taken;
    }
    long unmatched = byStatus.getOrDefault(CampaignWaterfall.NO_SEGMENT, 0L);
    steps.add(new Step("no segment", "unmatched", remaining, unmatched, remaining - unmatched));

    long left = matched;
    for (String status : List.of(CampaignWaterfall.NO_ELIGIBLE_CHANNEL, CampaignWaterfall.OVER_CAP,
        Arbitration.ARBITRATED, Arbitration.HOLDOUT)) {
      long taken = byStatus.getOrDefault(status, 0L);
      steps.add(new Step(status, "after-segmentation", left, taken, left - taken));
      left -= taken;
    }
    steps.add(new Step(Arbitration.EXPORTED, "after-segmentation", left, 0, left));
    return steps;
  }

  public static String csv(List<Step> steps) {
    StringBuilder out = new StringBuilder("step,kind,entering,taken,remaining\n");
    for (Step s : steps) {
      out.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d%n", s.name(), s.kind(), s.entering(), s.taken(),
          s.remaining()));
    }
    return out.toString();
  }

  public static String json(String campaign, LocalDate date, List<Step> steps) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("campaign", campaign);
    document.put("run_date", date.toString());
    document.put("steps", steps);
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a waterfall is plain data", e);
    }
  }

  /** A fixed-width table for logs and the console. */
  public static String table(List<Step> steps) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "  %-28s %-19s %10s %10s %10s%n", "step",
        "kind", "entering", "taken", "remaining"));
    for (Step s : steps) {
      out.append(String.format(Locale.ROOT, "  %-28s %-19s %,10d %,10d %,10d%n", s.name(), s.kind(), s.entering(),
          s.taken(), s.remaining()));
    }
    return out.toString();
  }
}
