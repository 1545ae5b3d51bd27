package io.audiencepipeline.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code audience.segmentation} and {@code audience.campaigns}: how customers are reached (channels, caps,
 * arbitration), the destinations audience files go to, and the campaigns themselves. See
 * docs/SEGMENTATION.md.
 *
 * @param channels message channels by name, in the order tried when the preferred one is not eligible
 * @param messagesPerNight most campaigns a customer is taken by in one night (cross-campaign arbitration)
 * @param definitions named SQL expressions over the audience base (e.g. region), in declaration order
 * @param recommendations how recommended products are found
 * @param qualityGate the default size-change limits of published audiences
 * @param maxRowsPerFile audience files are split above this many rows
 * @param outboxRetentionDays published outbox folders older than this many days before the run date are deleted
 * @param destinations destination formats by name
 * @param campaigns the campaigns, sorted by name
 */
public record SegmentationSettings(
    Map<String, Channel> channels,
    int messagesPerNight,
    List<Definition> definitions,
    Recommendations recommendations,
    QualityGate qualityGate,
    long maxRowsPerFile,
    int outboxRetentionDays,
    Map<String, Destination> destinations,
    List<Campaign> campaigns) {

  public Optional<Campaign> campaign(String name) {
    return campaigns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * A message channel.
   *
   * @param consent the profile's consent channel that must be {@code opt_in} (column consent_&lt;consent&gt;)
   * @param address SQL expression over the audience base that reaches the customer on it (null = unreachable)
   * @param capMessages at most this many messages per customer ...
   * @param capWindowDays ... in any window of this many days (today included), from the contact history
   */
  public record Channel(String name, String consent, String address, int capMessages, int capWindowDays) {
  }

  /** A named SQL expression over the audience base, usable by every campaign rule. */
  public record Definition(String name, String sql) {
  }

  public record Recommendations(int lookbackDays, int perCustomer, int maxItemsPerCustomer,
      long minPairCustomers) {
  }

  /**
   * @param maxChange largest allowed relative change of a campaign's exported audience from the previous
   *     published night (0.5 = half as many or 1.5 times as many)
   * @param allowEmpty whether an empty audience may be published
   */
  public record QualityGate(double maxChange, boolean allowEmpty) {
  }

  /**
   * Where and how an audience is delivered.
   *
   * @param format csv, jsonl or parquet
   * @param channel a message channel (only customers reached on it), or {@code all} (every exported customer,
   *     e.g. a website personalisation feed)
   * @param consents consent channels also required of every row (e.g. a website feed that needs ads consent)
   * @param keys the output columns that together identify a row for the added/removed diff (compared
   *     null-safely; a row whose keys are all null cannot be synced and is left out, counted in the manifest)
   * @param columns output columns in order
   */
  public record Destination(String name, String format, String channel, List<String> consents,
      List<String> keys, List<OutputColumn> columns) {
    public static final String ALL_CHANNELS = "all";
  }

  /** One output column: its header and a SQL expression over the export row. */
  public record OutputColumn(String name, String sql) {
  }

  /**
   * A campaign: universe -> suppressions -> segments (first match wins) -> channel -> caps -> holdout.
   *
   * @param priority higher wins when several campaigns want the same customer the same night
   * @param target optional propensity target whose score ranks segments by default and explains picks
   * @param category optional promoted category: the default for recommended products
   */
  public record Campaign(String name, String description, int priority, String universe,
      Optional<String> target, Optional<String> category, List<String> channels, double holdout,
      List<Suppression> suppressions, List<Segment> segments, List<String> destinations,
      QualityGate qualityGate) {
  }

  /**
   * A suppression: kind {@code no-consent} (no consent on any of the campaign's channels),
   * {@code frequency-cap} (every consented channel at its cap) or {@code rule} (a SQL predicate).
   */
  public record Suppression(String name, String kind, String when) {
    public static final String NO_CONSENT = "no-consent";
    public static final String FREQUENCY_CAP = "frequency-cap";
    public static final String RULE = "rule";
  }

  /**
   * A segment of the waterfall.
   *
   * @param when SQL predicate; the first segment whose predicate holds takes the customer
   * @param offer optional offer or content key sent with the customer
   * @param recommend category of the recommended products (empty: none; "any": any category)
   * @param cap optional largest size; the best by {@code rankBy} are kept
   * @param rankBy SQL expression, higher is better
   */
  public record Segment(String name, String when, Optional<String> offer, Optional<String> recommend,
      Optional<Long> cap, String rankBy) {
  }
}
