package io.audiencepipeline.config;

import java.time.LocalDate;

/**
 * Ingest-wide rules (config {@code audience.ingest}).
 *
 * @param earliestValidDate dates and timestamps before this are impossible and quarantined
 * @param maxDaysAfterRunDate dates more than this many days after the run date are impossible
 *     (the default for sources that do not set their own)
 * @param badRowRateMinRows the bad-row rate of a landing date is bad rows / max(rows in, this), so a
 *     handful of bad rows in a tiny delivery does not reject the night
 */
public record IngestSettings(LocalDate earliestValidDate, int maxDaysAfterRunDate, long badRowRateMinRows) {
}
