package io.audiencepipeline.models.features;

import java.util.List;

/**
 * Every feature the pipeline computes, declared once (config {@code audience.features}) and used by
 * both training and scoring. Adding a window, a category or an event counter is configuration.
 *
 * @param windowsDays look-back windows for the event counters, e.g. 7, 30, 90
 * @param categories product categories for per-category counters and recency/frequency/monetary
 * @param counters named groups of event types counted per window (and per category when asked)
 * @param purchaseEventTypes events that are purchases (with category and amount) for RFM and labels
 * @param appEventTypes events that mean the customer used the app (days since last app use)
 * @param closedCaseStatuses service case statuses that are not open
 * @param closedOpportunityStages sales opportunity stages that are not open
 * @param profileColumns profile attributes carried into the features as they are (categorical ones
 *     are encoded by the model pipeline)
 */
public record FeatureSpec(
    List<Integer> windowsDays,
    List<String> categories,
    List<Counter> counters,
    List<String> purchaseEventTypes,
    List<String> appEventTypes,
    List<String> closedCaseStatuses,
    List<String> closedOpportunityStages,
    List<String> profileColumns) {

  /**
   * @param name column stem, e.g. {@code product_views} gives {@code product_views_30d} and
   *     {@code product_views_climbing_30d}
   * @param eventTypes canonical event types counted
   * @param perCategory also count per category
   */
  public record Counter(String name, List<String> eventTypes, boolean perCategory) {
  }

  public int longestWindow() {
    return windowsDays.stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
