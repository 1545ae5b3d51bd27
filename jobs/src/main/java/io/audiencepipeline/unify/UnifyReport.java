package io.audiencepipeline.unify;

import java.util.Map;

/**
 * What the unify stage did, for logs and the run report. Counts only: never identifiers.
 *
 * @param records distinct source records read from bronze
 * @param attributedRecords records that belong to a living customer
 * @param unattributedRecords records without any linkable identifier (not erased)
 * @param erasedRecords records of people who asked to be forgotten (tonight or earlier)
 * @param customers customers in tonight's profile
 * @param newCustomers customers whose id was created tonight
 * @param merged customer ids merged into another tonight
 * @param split identifier groups split off a customer tonight
 * @param newlyErased customer ids retired by erasure tonight
 * @param events events in the timeline
 * @param overSharedByGuard identifiers that link nothing, per guard
 * @param resolution {@code incremental} when only the customers tonight's records touch were resolved again,
 *     else {@code full} and why the night could not be incremental
 */
public record UnifyReport(long records, long attributedRecords, long unattributedRecords, long erasedRecords,
    long customers,
    long newCustomers, long merged, long split, long newlyErased, long events, Map<String, Long> overSharedByGuard,
    String resolution) {
}
