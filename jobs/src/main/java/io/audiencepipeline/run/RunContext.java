package io.audiencepipeline.run;

import java.time.LocalDate;
import java.util.Objects;

/**
 * What a stage needs to know about the run it is part of. The run date is the logical business date;
 * no stage reads the wall clock for business logic.
 *
 * @param runDate the logical date (Airflow's ds)
 * @param runId unique id of this process run, used only for staging paths and manifests
 * @param backfillFrom first landing date to ingest (equal to runDate for a normal night)
 */
public record RunContext(LocalDate runDate, String runId, LocalDate backfillFrom) {
  public RunContext {
    Objects.requireNonNull(runDate, "runDate");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(backfillFrom, "backfillFrom");
    if (backfillFrom.isAfter(runDate)) {
      throw PipelineFailure.badConfig("--from " + backfillFrom + " is after --run-date " + runDate);
    }
  }
}
