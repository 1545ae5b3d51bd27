package io.audiencepipeline.identity;

import java.util.List;
import java.util.Map;

/**
 * When an identifier is too common to link on (config {@code audience.unify.guards}): role mailboxes,
 * identifiers seen with several different-sounding first names, and identifiers seen together with too
 * many distinct values of another identifier (a household landline on several loyalty cards, a shared
 * computer's cookie logged in to several web accounts).
 *
 * @param roleLocalParts email local parts of role mailboxes (info, sales, ...) that never link
 * @param maxFirstNames per identifier kind column, most distinct Soundex codes of first names allowed
 * @param maxCoOccurring per identifier kind column, per other kind column, most distinct values of the
 *     other kind seen on the same records
 */
public record LinkGuards(List<String> roleLocalParts, Map<String, Integer> maxFirstNames,
    Map<String, Map<String, Integer>> maxCoOccurring) {
}
