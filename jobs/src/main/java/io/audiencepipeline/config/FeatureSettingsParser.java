package io.audiencepipeline.config;

import io.audiencepipeline.models.features.FeatureSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses and checks {@code audience.features} into the models module's {@link FeatureSpec}. */
final class FeatureSettingsParser {
  /** snake_case without doubled or trailing underscores: "__" separates a counter from its category in column names. */
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

  private FeatureSettingsParser() {
  }

  static FeatureSpec parse(ConfigReader features, Set<String> eventTypes) {
    List<Integer> windows = new ArrayList<>();
    for (String text : features.strings("windows-days")) {
      try {
        int days = Integer.parseInt(text.trim());
        if (days < 1) {
          throw new NumberFormatException();
        }
        windows.add(days);
      } catch (NumberFormatException e) {
        features.fail("windows-days", "'" + text + "' is not a positive number of days");
      }
    }
    List<String> categories = features.strings("categories");
    categories.forEach(c -> checkName(features, "categories", c));
    List<FeatureSpec.Counter> counters = new ArrayList<>();
    for (Map.Entry<String, ConfigReader> entry : features.children("counters").entrySet()) {
      checkName(entry.getValue(), "", entry.getKey());
      List<String> types = entry.getValue().strings("event-types");
      checkEventTypes(entry.getValue(), "event-types", types, eventTypes);
      counters.add(new FeatureSpec.Counter(entry.getKey(), types, entry.getValue().bool("per-category", false)));
    }
    List<String> purchases = features.strings("purchase-event-types");
    checkEventTypes(features, "purchase-event-types", purchases, eventTypes);
    List<String> app = features.strings("app-event-types");
    checkEventTypes(features, "app-event-types", app, eventTypes);
    return new FeatureSpec(List.copyOf(windows), categories, List.copyOf(counters), purchases, app,
        features.strings("closed-case-statuses"), features.strings("closed-opportunity-stages"),
        features.strings("profile-columns"));
  }

  private static void checkName(ConfigReader block, String key, String name) {
    if (!NAME.matcher(name).matches()) {
      block.fail(key, "'" + name + "' must be snake_case without doubled or trailing underscores (it becomes part of"
          + " column names)");
    }
  }

  private static void checkEventTypes(ConfigReader block, String key, List<String> types, Set<String> known) {
    for (String type : types) {
      if (!known.contains(type)) {
        block.fail(key, "'" + type + "' is not in audience.event-types");
      }
    }
  }
}
