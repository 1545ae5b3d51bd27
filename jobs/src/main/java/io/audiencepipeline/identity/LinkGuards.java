package io.audiencepipeline.identity;

import java.util.List;
import java.util.Map;

/**
 * When an identifier is too common to link on (config {@code audience.identity}): role mailboxes,
 * emails or phones seen with several different-sounding first names (household landlines, shared
 * addresses), cookies or devices seen with several web accounts (shared computers).
 *
 * @param roleLocalParts email local parts of role mailboxes (info, sales, ...) that never link
 * @param maxFirstNames per identifier kind column, most distinct Soundex codes of first names allowed
 * @param maxAccounts per identifier kind column, most distinct web accounts allowed
 */
public record LinkGuards(List<String> roleLocalParts, Map<String, Integer> maxFirstNames,
    Map<String, Integer> maxAccounts) {
}
