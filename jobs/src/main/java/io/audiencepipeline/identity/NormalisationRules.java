package io.audiencepipeline.identity;

import java.util.List;
import java.util.Map;

/**
 * How identifiers are normalised before matching (config {@code audience.identifiers}).
 *
 * @param emailDomainAliases domains that are the same mailbox provider, e.g. googlemail.com -> gmail.com
 * @param dotlessDomains domains whose local part ignores dots (Gmail)
 * @param plusTagDomains domains where {@code local+tag@} delivers to {@code local@}
 * @param defaultPhoneRegion ISO 3166 region for national phone numbers when a row carries no country
 */
public record NormalisationRules(
    Map<String, String> emailDomainAliases,
    List<String> dotlessDomains,
    List<String> plusTagDomains,
    String defaultPhoneRegion) {
}
