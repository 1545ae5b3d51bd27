package io.audiencepipeline.config;

import io.audiencepipeline.identity.IdentifierKind;
import io.audiencepipeline.models.features.FeatureSpec;
import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.models.training.TrainingSettings;
import io.audiencepipeline.unify.Profiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses and checks {@code audience.models}. */
final class ModelSettingsParser {
  private static final String LONGEST_WINDOW = "longest-window";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Set<String> KINDS = Set.of("purchase", "outcome");
  private static final Set<String> MODEL_KINDS = Set.of(TrainingSettings.Candidate.LOGISTIC,
      TrainingSettings.Candidate.GBT);

  private ModelSettingsParser() {
  }

  static ModelSettings parse(ConfigReader models, FeatureSpec features, Set<String> eventTypes) {
    List<TargetSpec> targets = new ArrayList<>();
    for (Map.Entry<String, ConfigReader> entry : models.children("targets").entrySet()) {
      String name = entry.getKey();
      ConfigReader target = entry.getValue();
      if (!NAME.matcher(name).matches()) {
        target.fail("", "target name '" + name + "' must be snake_case (it names folders and columns)");
      }
      String kind = target.string("kind");
      int horizon = target.integer("horizon-days");
      if (horizon < 1) {
        target.fail("horizon-days", "must be at least 1");
      }
      if (!KINDS.contains(kind)) {
        target.fail("kind", "'" + kind + "' is not one of " + KINDS);
      } else if (kind.equals("purchase")) {
        Optional<String> category = Optional.ofNullable(target.optionalString("category"));
        category.filter(c -> !features.categories().contains(c)).ifPresent(c -> target.fail("category",
            "'" + c + "' is not in audience.features.categories " + features.categories()));
        targets.add(TargetSpec.purchase(name, category, horizon));
      } else {
        String eventType = target.string("event-type");
        if (!eventType.isEmpty() && !eventTypes.contains(eventType)) {
          target.fail("event-type", "'" + eventType + "' is not in audience.event-types");
        }
        targets.add(TargetSpec.outcome(name, eventType, target.string("outcome-field"), horizon));
      }
    }

    List<TrainingSettings.Candidate> candidates = new ArrayList<>();
    Map<String, ConfigReader> declared = models.children("candidates");
    List<String> tried = models.strings("try");
    if (tried.isEmpty()) {
      models.fail("try", "names no candidate model");
    }
    for (String name : tried) {
      ConfigReader c = declared.get(name);
      if (c == null) {
        models.fail("try", "'" + name + "' is not declared in audience.models.candidates " + declared.keySet());
        continue;
      }
      String kind = c.string("kind");
      if (!MODEL_KINDS.contains(kind)) {
        c.fail("kind", "'" + kind + "' is not one of " + MODEL_KINDS);
        continue;
      }
      boolean logistic = kind.equals(TrainingSettings.Candidate.LOGISTIC);
      int maxIter = c.integer("max-iter");
      if (maxIter < 1) {
        c.fail("max-iter", "must be at least 1");
      }
      candidates.add(new TrainingSettings.Candidate(name, kind,
          logistic ? c.nonNegative("reg-param") : 0, logistic ? c.fraction("elastic-net-param") : 0, maxIter,
          logistic ? 0 : c.positiveInt("max-depth"), logistic ? 0 : c.fraction("step-size")));
    }
    String classWeights = models.string("class-weights");
    if (!Set.of("balanced", "none").contains(classWeights)) {
      models.fail("class-weights", "'" + classWeights + "' is not one of [balanced, none]");
    }
    String calibration = models.string("calibration");
    if (!Set.of("platt", "isotonic").contains(calibration)) {
      models.fail("calibration", "'" + calibration + "' is not one of [platt, isotonic]");
    }
    int maxRows = models.positiveInt("max-training-rows");
    TrainingSettings training = new TrainingSettings(models.positiveInt("training-dates"),
        models.positiveInt("step-days"), nonNegativeInt(models, "label-delay-days"),
        minHistoryDays(models, features), maxRows, classWeights, calibration,
        List.copyOf(candidates), models.fraction("promotion-tolerance"),
        nonNegativeInt(models, "retrain-after-days"), models.integer("seed"),
        trainingIdentifiers(models));
    return new ModelSettings(List.copyOf(targets), training);
  }

  /**
   * {@code min-history-days}: days of timeline before a training as-of date, or {@code longest-window}: the longest
   * of {@code audience.features.windows-days} less one (a window includes its as-of date), so that every window
   * is fully observed at each training as-of date.
   */
  private static int minHistoryDays(ConfigReader models, FeatureSpec features) {
    String key = "min-history-days";
    String value = models.string(key);
    if (value.equals(LONGEST_WINDOW)) {
      return Math.max(0, features.longestWindow() - 1);
    }
    try {
      int days = Integer.parseInt(value);
      if (days >= 0) {
        return days;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    models.fail(key, "'" + value + "' is not a number of days (0 or more) or " + LONGEST_WINDOW);
    return 0;
  }

  /** {@code training-identifiers}: identifier kinds (bronze column names) a training customer must have one of. */
  private static List<String> trainingIdentifiers(ConfigReader models) {
    String key = "training-identifiers";
    List<String> kinds = models.strings(key);
    for (String kind : kinds) {
      if (IdentifierKind.fromColumn(kind).filter(Profiles.LISTED::contains).isEmpty()) {
        models.fail(key, "'" + kind + "' is not an identifier kind the profile lists "
            + Profiles.LISTED.stream().map(IdentifierKind::column).toList());
      }
    }
    return List.copyOf(kinds);
  }

  private static int nonNegativeInt(ConfigReader block, String key) {
    int value = block.integer(key);
    if (value < 0) {
      block.fail(key, "must not be negative");
    }
    return value;
  }
}
