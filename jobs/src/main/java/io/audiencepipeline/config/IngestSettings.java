package io.audiencepipeline.config;

import java.time.LocalDate;

/**
 * Ingest-wide rules (config {@code audience.ingest}).
 *
 * @param earliestValidDate dates and timestamps before this are impossible and quarantined
 * @param maxDaysAfterRunDate dates more than this many days after the run date are impossible
 */
public record IngestSettings(LocalDate earliestValidDate, int maxDaysAfterRunDate) {
}
