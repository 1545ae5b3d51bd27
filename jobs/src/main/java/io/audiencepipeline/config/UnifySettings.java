package io.audiencepipeline.config;

import io.audiencepipeline.identity.LinkGuards;
import java.util.List;
import java.util.Map;

/**
 * How the unify stage resolves identities and builds the golden profile (config {@code audience.unify}).
 *
 * @param salt secret mixed into new customer ids and the erasure suppression hashes, so neither can be
 *     reversed by hashing guessed e-mail addresses or phone numbers
 * @param guards when an identifier is too common to link records on
 * @param fuzzy optional name + postcode matching, off by default
 * @param survivorship per profile attribute, how the best value is chosen
 * @param consentChannels the channels a customer can consent to (the consent feed's channel values)
 * @param optOutEventTypes per channel, event types that also mean "opt out" (a newsletter unsubscribe)
 * @param preferredChannel how the preferred channel is chosen among consented ones
 * @param keepIdentitySnapshots how many nightly identity-map snapshots to keep (a run reads the latest
 *     one before its date, so re-running one of the last N dates stays exact)
 * @param incremental re-resolve only the customers tonight's records touch, on top of the previous night's
 *     outputs, when that night's state allows it (docs/PERFORMANCE.md, "Incremental unify"); otherwise, and
 *     when false, every night resolves all bronze records
 * @param broadcastRows unify joins bronze with small key sets: in a full run the record keys delivered more than
 *     once, on an incremental night also tonight's records, the touched customers and their records; a set of at
 *     most this many rows is broadcast to every task, so the large side is filtered where it is read instead of
 *     shuffled
 */
public record UnifySettings(
    String salt,
    LinkGuards guards,
    Fuzzy fuzzy,
    List<Survivorship> survivorship,
    List<String> consentChannels,
    Map<String, List<String>> optOutEventTypes,
    PreferredChannel preferredChannel,
    int keepIdentitySnapshots,
    boolean incremental,
    long broadcastRows) {

  /** How a profile attribute's value is chosen among a customer's records. */
  public enum Rule { MOST_RECENT, MOST_FREQUENT, SOURCE_PRIORITY }

  /**
   * @param attribute profile column, read from the bronze field or identifier column of the same name
   * @param rule how the value is chosen
   * @param sources for SOURCE_PRIORITY, sources in order of trust; unlisted sources come after them
   */
  public record Survivorship(String attribute, Rule rule, List<String> sources) {
  }

  /**
   * Scored edges between records with similar names in the same postcode.
   *
   * @param enabled off by default: deterministic rules only
   * @param threshold minimum similarity (1 - Levenshtein distance / length of the longer full name)
   * @param maxBlockSize postcode + last-name-Soundex blocks larger than this are skipped (too common to
   *     compare pairwise)
   */
  public record Fuzzy(boolean enabled, double threshold, int maxBlockSize) {
  }

  /**
   * @param order channels in order of preference when engagement does not decide
   * @param engagement per channel, the event types that count as engaging on it
   * @param windowDays engagement is counted over this many days before the run date
   */
  public record PreferredChannel(List<String> order, Map<String, List<String>> engagement, int windowDays) {
  }
}
