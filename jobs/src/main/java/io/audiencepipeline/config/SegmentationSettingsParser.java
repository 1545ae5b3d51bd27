package io.audiencepipeline.config;

import io.audiencepipeline.config.SegmentationSettings.Campaign;
import io.audiencepipeline.config.SegmentationSettings.Channel;
import io.audiencepipeline.config.SegmentationSettings.Definition;
import io.audiencepipeline.config.SegmentationSettings.Destination;
import io.audiencepipeline.config.SegmentationSettings.OutputColumn;
import io.audiencepipeline.config.SegmentationSettings.QualityGate;
import io.audiencepipeline.config.SegmentationSettings.Recommendations;
import io.audiencepipeline.config.SegmentationSettings.Segment;
import io.audiencepipeline.config.SegmentationSettings.Suppression;
import io.audiencepipeline.models.features.FeatureSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;

/**
 * Parses and checks {@code audience.segmentation} and {@code audience.campaigns}. SQL is only parsed here
 * (Spark is not running yet); whether its columns exist is checked against the inputs' schemas before the
 * segment stage reads any data ({@code segmentation.RuleCheck}).
 */
final class SegmentationSettingsParser {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Set<String> FORMATS = Set.of("csv", "jsonl", "parquet");
  private static final Set<String> SUPPRESSION_KINDS = Set.of(Suppression.NO_CONSENT, Suppression.FREQUENCY_CAP,
      Suppression.RULE);

  private SegmentationSettingsParser() {
  }

  static SegmentationSettings parse(ConfigReader root,
      List<String> consentChannels, FeatureSpec features, ModelSettings models) {
    ConfigReader segmentation = root.child("segmentation");
    Map<String, Channel> channels = new LinkedHashMap<>();
    for (String name : segmentation.strings("channel-order")) {
      ConfigReader c = segmentation.child("channels." + name);
      if (!segmentation.isObject("channels." + name)) {
        segmentation.fail("channel-order", "'" + name + "' is not declared in audience.segmentation.channels");
        continue;
      }
      String consent = c.string("consent");
      if (!consentChannels.contains(consent)) {
        c.fail("consent", "'" + consent + "' is not in audience.unify.consent.channels " + consentChannels);
      }
      int messages = c.integer("cap.messages");
      int window = c.integer("cap.window-days");
      if (messages < 1) {
        c.fail("cap.messages", "must be at least 1");
      }
      if (window < 1) {
        c.fail("cap.window-days", "must be at least 1");
      }
      channels.put(name, new Channel(name, consent, sql(c, "address"), messages, window));
    }
    for (String declared : segmentation.objectKeys("channels")) {
      if (!channels.containsKey(declared)) {
        segmentation.fail("channel-order", "does not list the declared channel '" + declared + "'");
      }
    }
    int perNight = segmentation.integer("messages-per-night");
    if (perNight < 1) {
      segmentation.fail("messages-per-night", "must be at least 1");
    }

    List<Definition> definitions = new ArrayList<>();
    for (ConfigReader d : segmentation.objects("definitions")) {
      definitions.add(new Definition(name(d, "name"), sql(d, "sql")));
    }

    ConfigReader r = segmentation.child("recommendations");
    Recommendations recommendations = new Recommendations(r.positiveInt("lookback-days"),
        r.positiveInt("per-customer"), r.positiveInt("max-items-per-customer"), r.positiveInt("min-pair-customers"));
    QualityGate gate = gate(segmentation.child("quality-gate"), null);
    long maxRows = segmentation.longValue("max-rows-per-file");
    if (maxRows < 1) {
      segmentation.fail("max-rows-per-file", "must be at least 1");
    }

    Map<String, Destination> destinations = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigReader> entry : segmentation.children("destinations").entrySet()) {
      destinations.put(entry.getKey(), destination(entry.getKey(), entry.getValue(), channels.keySet(),
          consentChannels));
    }

    List<Campaign> campaigns = new ArrayList<>();
    for (Map.Entry<String, ConfigReader> entry : root.children("campaigns").entrySet()) {
      campaigns.add(campaign(entry.getKey(), entry.getValue(), channels, destinations, gate, features, models));
    }
    int retention = segmentation.positiveInt("outbox-retention-days");
    return new SegmentationSettings(channels, perNight, List.copyOf(definitions), recommendations, gate, maxRows,
        retention,
        destinations, List.copyOf(campaigns));
  }

  private static Destination destination(String name, ConfigReader d, Set<String> channels,
      List<String> consentChannels) {
    if (!NAME.matcher(name).matches()) {
      d.fail("", "destination name '" + name + "' must be snake_case (it names folders)");
    }
    String format = d.string("format");
    if (!FORMATS.contains(format)) {
      d.fail("format", "'" + format + "' is not one of " + FORMATS);
    }
    String channel = d.string("channel");
    if (!channel.equals(Destination.ALL_CHANNELS) && !channels.contains(channel)) {
      d.fail("channel", "'" + channel + "' is neither 'all' nor one of audience.segmentation.channels "
          + channels);
    }
    List<String> consents = d.strings("consents", List.of());
    consents.stream().filter(c -> !consentChannels.contains(c)).forEach(c -> d.fail("consents",
        "'" + c + "' is not in audience.unify.consent.channels " + consentChannels));
    List<OutputColumn> columns = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader c : d.objects("columns")) {
      String header = c.string("name");
      if (header.isBlank() || !names.add(header)) {
        c.fail("name", "must be a non-empty header, unique in the destination");
      }
      columns.add(new OutputColumn(header, sql(c, "value")));
    }
    if (columns.isEmpty()) {
      d.fail("columns", "is required (a list of { name, value })");
    }
    List<String> keys = d.isList("key") ? d.strings("key") : List.of(d.string("key"));
    if (d.has("key") && keys.isEmpty()) {
      d.fail("key", "names no column");
    }
    keys.stream().filter(k -> !names.contains(k)).forEach(k -> d.fail("key",
        "'" + k + "' is not one of the destination's column names " + names));
    return new Destination(name, format, channel, consents, keys, List.copyOf(columns));
  }

  private static Campaign campaign(String name, ConfigReader c, Map<String, Channel> channels,
      Map<String, Destination> destinations, QualityGate defaultGate, FeatureSpec features, ModelSettings models) {
    if (!NAME.matcher(name).matches()) {
      c.fail("", "campaign name '" + name + "' must be snake_case (it names folders)");
    }
    Optional<String> target = Optional.ofNullable(c.optionalString("target"));
    target.filter(t -> models.target(t).isEmpty()).ifPresent(t -> c.fail("target",
        "'" + t + "' is not one of audience.models.targets"));
    Optional<String> category = Optional.ofNullable(c.optionalString("category"));
    category.filter(k -> !features.categories().contains(k)).ifPresent(k -> c.fail("category",
        "'" + k + "' is not in audience.features.categories " + features.categories()));
    List<String> campaignChannels = c.strings("channels");
    if (campaignChannels.isEmpty()) {
      c.fail("channels", "names no channel");
    }
    campaignChannels.stream().filter(ch -> !channels.containsKey(ch)).forEach(ch -> c.fail("channels",
        "'" + ch + "' is not one of audience.segmentation.channels " + channels.keySet()));

    Set<String> stepNames = new HashSet<>();
    List<Suppression> suppressions = new ArrayList<>();
    for (ConfigReader s : c.objects("suppressions")) {
      String stepName = step(s, stepNames);
      String kind = s.has("kind") ? s.string("kind") : Suppression.RULE;
      if (!SUPPRESSION_KINDS.contains(kind)) {
        s.fail("kind", "'" + kind + "' is not one of " + SUPPRESSION_KINDS);
      }
      String when = kind.equals(Suppression.RULE) ? sql(s, "when") : null;
      suppressions.add(new Suppression(stepName, kind, when));
    }
    String defaultRank = target.map(t -> "score_" + t).orElse("0");
    List<Segment> segments = new ArrayList<>();
    for (ConfigReader s : c.objects("segments")) {
      String stepName = step(s, stepNames);
      Optional<String> recommend = Optional.ofNullable(s.optionalString("recommend")).or(() -> category);
      recommend.filter(k -> !k.equals("any") && !k.equals("none") && !features.categories().contains(k))
          .ifPresent(k -> s.fail("recommend", "'" + k + "' is neither any, none nor one of audience.features"
              + ".categories " + features.categories()));
      Optional<Long> cap = s.has("cap") ? Optional.of(s.longValue("cap")) : Optional.empty();
      cap.filter(n -> n < 1).ifPresent(n -> s.fail("cap", "must be at least 1"));
      String rankBy = s.has("rank-by") ? sql(s, "rank-by") : defaultRank;
      segments.add(new Segment(stepName, sql(s, "when"), Optional.ofNullable(s.optionalString("offer")),
          recommend.filter(k -> !k.equals("none")), cap, rankBy));
    }
    if (segments.isEmpty()) {
      c.fail("segments", "is required (an ordered list of { name, when, ... })");
    }
    List<String> campaignDestinations = c.strings("destinations");
    for (String d : campaignDestinations) {
      Destination destination = destinations.get(d);
      if (destination == null) {
        c.fail("destinations", "'" + d + "' is not one of audience.segmentation.destinations "
            + destinations.keySet());
      } else if (!destination.channel().equals(Destination.ALL_CHANNELS)
          && !campaignChannels.contains(destination.channel())) {
        c.fail("destinations", "'" + d + "' delivers on channel '" + destination.channel()
            + "', which the campaign does not use " + campaignChannels);
      }
    }
    Set<String> delivered = new HashSet<>();
    campaignDestinations.stream().map(destinations::get).filter(java.util.Objects::nonNull)
        .map(Destination::channel).forEach(delivered::add);
    if (!campaignDestinations.isEmpty()) {
      // A customer assigned to a channel no destination delivers on would be selected but never sent ("all"
      // feeds, a table or the website, are not messages).
      campaignChannels.stream().filter(ch -> !delivered.contains(ch)).forEach(ch -> c.fail("destinations",
          "no destination delivers on the campaign's channel '" + ch + "' (add one, or drop the channel)"));
    }
    String universe = c.has("universe") ? sql(c, "universe") : "true";
    return new Campaign(name, c.has("description") ? c.string("description") : "", c.integer("priority"),
        universe, target, category, campaignChannels, c.fraction("holdout"), List.copyOf(suppressions),
        List.copyOf(segments), campaignDestinations, gate(c.child("quality-gate"), defaultGate));
  }

  private static String step(ConfigReader s, Set<String> names) {
    String name = name(s, "name");
    if (!names.add(name)) {
      s.fail("name", "'" + name + "' is used by another suppression or segment of the campaign");
    }
    return name;
  }

  private static QualityGate gate(ConfigReader g, QualityGate fallback) {
    if (fallback != null && !g.has("max-change") && !g.has("allow-empty")) {
      return fallback;
    }
    double maxChange = g.has("max-change") || fallback == null ? g.nonNegative("max-change") : fallback.maxChange();
    boolean allowEmpty = g.has("allow-empty") || fallback == null ? g.bool("allow-empty") : fallback.allowEmpty();
    return new QualityGate(maxChange, allowEmpty);
  }

  private static String name(ConfigReader r, String key) {
    String name = r.string(key);
    if (!NAME.matcher(name).matches()) {
      r.fail(key, "'" + name + "' must be snake_case (it names reports, columns and files)");
    }
    return name;
  }

  /** A SQL expression, parsed now so a typo fails before Spark starts. */
  private static String sql(ConfigReader r, String key) {
    String text = r.string(key);
    if (text.isBlank()) {
      r.fail(key, "is an empty SQL expression");
      return text;
    }
    try {
      CatalystSqlParser$.MODULE$.parseExpression(text);
    } catch (Exception e) {
      // ParseException is thrown from Scala, so Java does not see it as checked; catch it as Exception.
      r.fail(key, "is not a valid Spark SQL expression: " + firstLine(e.getMessage()) + " in \"" + text + "\"");
    }
    return text;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "parse error";
    }
    // Spark's parse errors start with a blank line: "\n[PARSE_SYNTAX_ERROR] Syntax error at ...".
    return message.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("parse error");
  }
}
