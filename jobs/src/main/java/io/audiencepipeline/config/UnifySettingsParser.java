package io.audiencepipeline.config;

import io.audiencepipeline.identity.IdentifierKind;
import io.audiencepipeline.identity.LinkGuards;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Parses and checks {@code audience.unify}. */
final class UnifySettingsParser {
  /** A salt shorter than this is too easy to guess for hashes that stand in for personal data. */
  static final int MIN_SALT_LENGTH = 16;

  private UnifySettingsParser() {
  }

  static UnifySettings parse(ConfigReader unify, List<SourceSpec> sources, Set<String> eventTypes) {
    String salt = unify.has("salt") ? unify.string("salt") : "";
    if (salt.length() < MIN_SALT_LENGTH) {
      unify.fail("salt", "set a secret of at least " + MIN_SALT_LENGTH + " characters (e.g. salt = ${?AUDIENCE_SALT});"
          + " it keys customer ids and the erasure suppression list");
    }
    LinkGuards guards = guards(unify.child("guards"));

    ConfigReader fuzzyBlock = unify.child("fuzzy");
    UnifySettings.Fuzzy fuzzy = new UnifySettings.Fuzzy(fuzzyBlock.bool("enabled", false),
        fuzzyBlock.fraction("threshold"), fuzzyBlock.integer("max-block-size"));
    if (fuzzy.maxBlockSize() < 2) {
      fuzzyBlock.fail("max-block-size", "must be at least 2");
    }

    Set<String> sourceNames = new HashSet<>();
    Set<String> attributes = new HashSet<>();
    for (IdentifierKind kind : IdentifierKind.values()) {
      attributes.add(kind.column());
    }
    for (SourceSpec source : sources) {
      sourceNames.add(source.name());
      attributes.addAll(source.fields().keySet());
    }
    List<UnifySettings.Survivorship> survivorship = new ArrayList<>();
    for (Map.Entry<String, ConfigReader> entry : unify.children("survivorship").entrySet()) {
      String attribute = entry.getKey();
      ConfigReader rule = entry.getValue();
      if (!attributes.contains(attribute)) {
        rule.fail("", "no source provides a field or identifier named '" + attribute + "'");
      }
      String ruleText = rule.string("rule");
      UnifySettings.Rule kind = UnifySettings.Rule.MOST_RECENT;
      try {
        kind = UnifySettings.Rule.valueOf(ruleText.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        rule.fail("rule", "expected most-recent, most-frequent or source-priority, got '" + ruleText + "'");
      }
      List<String> ranked = rule.strings("sources", List.of());
      if (kind == UnifySettings.Rule.SOURCE_PRIORITY && ranked.isEmpty()) {
        rule.fail("sources", "source-priority needs the sources in order of trust");
      }
      for (String source : ranked) {
        if (!sourceNames.contains(source)) {
          rule.fail("sources", "unknown source '" + source + "'");
        }
      }
      survivorship.add(new UnifySettings.Survivorship(attribute, kind, ranked));
    }

    ConfigReader consent = unify.child("consent");
    List<String> channels = consent.strings("channels");
    if (channels.isEmpty()) {
      consent.fail("channels", "must name at least one channel");
    }
    Map<String, List<String>> optOuts = eventTypeLists(consent, "opt-out-event-types", channels, eventTypes);

    ConfigReader preferred = unify.child("preferred-channel");
    List<String> order = preferred.strings("order");
    for (String channel : order) {
      if (!channels.contains(channel)) {
        preferred.fail("order", "'" + channel + "' is not one of consent.channels " + channels);
      }
    }
    Map<String, List<String>> engagement = eventTypeLists(preferred, "engagement", channels, eventTypes);
    int windowDays = preferred.integer("window-days");
    if (windowDays < 1) {
      preferred.fail("window-days", "must be at least 1");
    }
    int keep = unify.integer("keep-identity-snapshots");
    if (keep < 2) {
      unify.fail("keep-identity-snapshots", "must be at least 2 (tonight's and the one it was built from)");
    }
    if (unify.has("incremental-broadcast-rows")) {
      unify.fail("incremental-broadcast-rows", "renamed to audience.unify.broadcast-rows (it now sizes a full run's"
          + " key sets too)");
    }
    long broadcastRows = unify.longValue("broadcast-rows");
    if (broadcastRows < 0) {
      unify.fail("broadcast-rows", "must be 0 (never broadcast) or more");
    }
    return new UnifySettings(salt, guards, fuzzy, List.copyOf(survivorship), channels, optOuts,
        new UnifySettings.PreferredChannel(order, engagement, windowDays), keep, unify.bool("incremental"),
        broadcastRows);
  }

  private static Map<String, List<String>> eventTypeLists(ConfigReader block, String key, List<String> channels,
      Set<String> eventTypes) {
    Map<String, List<String>> result = new TreeMap<>();
    for (String channel : block.objectKeys(key)) {
      String path = key + "." + ConfigReader.quoteIfNeeded(channel);
      if (!channels.contains(channel)) {
        block.fail(path, "'" + channel + "' is not one of consent.channels " + channels);
      }
      List<String> types = block.strings(path);
      for (String type : types) {
        if (!eventTypes.contains(type)) {
          block.fail(path, "'" + type + "' is not in audience.event-types");
        }
      }
      result.put(channel, types);
    }
    return result;
  }

  private static LinkGuards guards(ConfigReader guards) {
    List<String> roles = guards.strings("role-local-parts").stream()
        .map(r -> r.trim().toLowerCase(Locale.ROOT)).toList();
    Map<String, Integer> maxFirstNames = new TreeMap<>();
    for (String kind : guards.objectKeys("max-first-names")) {
      String key = "max-first-names." + kind;
      checkKind(guards, key, kind);
      maxFirstNames.put(kind, atLeastOne(guards, key));
    }
    Map<String, Map<String, Integer>> maxCoOccurring = new TreeMap<>();
    for (String kind : guards.objectKeys("max-co-occurring")) {
      String key = "max-co-occurring." + kind;
      checkKind(guards, key, kind);
      Map<String, Integer> limits = new TreeMap<>();
      for (String other : guards.objectKeys(key)) {
        checkKind(guards, key + "." + other, other);
        limits.put(other, atLeastOne(guards, key + "." + other));
      }
      maxCoOccurring.put(kind, limits);
    }
    return new LinkGuards(roles, maxFirstNames, maxCoOccurring);
  }

  private static void checkKind(ConfigReader block, String key, String kind) {
    if (IdentifierKind.fromColumn(kind).isEmpty()) {
      block.fail(key, "unknown identifier kind '" + kind + "'");
    }
  }

  private static int atLeastOne(ConfigReader block, String key) {
    int value = block.integer(key);
    if (value < 1) {
      block.fail(key, "must be at least 1");
    }
    return value;
  }
}
