package io.audiencepipeline.models.targets;

import java.util.Optional;

/**
 * What a propensity model predicts, declared in {@code audience.models.targets}.
 *
 * <ul>
 *   <li>{@link Kind#PURCHASE}: the customer buys (category C, or anything) within {@code horizonDays}
 *       after the as-of date, from the purchase events of the timeline. Every customer known on the
 *       as-of date is a row; no purchase means 0.
 *   <li>{@link Kind#OUTCOME}: a labelled outcome table a source provides (one event per customer and
 *       date with a 0/1 field, e.g. campaign responses): rows are the customers with at least one
 *       outcome in the window, labelled 1 when any of them is 1.
 * </ul>
 */
public record TargetSpec(String name, Kind kind, Optional<String> category, int horizonDays,
    String outcomeEventType, String outcomeField) {

  public enum Kind {
    PURCHASE, OUTCOME
  }

  public static TargetSpec purchase(String name, Optional<String> category, int horizonDays) {
    return new TargetSpec(name, Kind.PURCHASE, category, horizonDays, null, null);
  }

  public static TargetSpec outcome(String name, String eventType, String field, int horizonDays) {
    return new TargetSpec(name, Kind.OUTCOME, Optional.empty(), horizonDays, eventType, field);
  }

  public String describe() {
    return switch (kind) {
      case PURCHASE -> "buys " + category.orElse("anything") + " within " + horizonDays + " days";
      case OUTCOME -> outcomeEventType + "." + outcomeField + " = 1 within " + horizonDays + " days";
    };
  }
}
