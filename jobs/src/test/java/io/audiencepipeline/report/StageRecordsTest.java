package io.audiencepipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.testing.SharedSpark;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records stages leave when they run as commands of their own, and {@code report} over them: a failed stage
 * gives the night its exit code, a stage without a record counts as failed, and a stage starting again forgets
 * the records of itself and the stages after it (an earlier attempt's).
 */
class StageRecordsTest {
  private static final LocalDate NIGHT = LocalDate.of(2026, 11, 21);

  @TempDir
  Path dir;

  private WarehouseLayout layout() {
    return new WarehouseLayout(dir.resolve("warehouse").toUri().toString());
  }

  private FileSystem fs() throws Exception {
    return FileSystem.getLocal(new Configuration());
  }

  private void record(String stage, String status, int exit) throws Exception {
    RunLog log = new RunLog(stage);
    log.stage(stage, status, 1.5, status.equals("ok") ? "done" : null, status.equals("ok") ? null : "it broke");
    StageRecords.write(fs(), layout(), NIGHT, log.record("run-" + stage, exit));
  }

  private int report() throws URISyntaxException {
    String config = Path.of(StageRecordsTest.class.getResource("/tiny-night.conf").toURI()).toString();
    return AudiencePipeline.execute(new String[] {"report", "--run-date", NIGHT.toString(), "--config", config,
        "-Daudience.warehouse=" + dir.resolve("warehouse").toUri()}, s -> SharedSpark.session(), false);
  }

  private RunSummary summary() throws Exception {
    return RunReport.read(fs(), layout().report(NIGHT));
  }

  private static List<String> stages(RunSummary summary) {
    return summary.stages().stream().map(s -> s.name() + ":" + s.status()).toList();
  }

  @Test
  void theFirstStageThatDidNotSucceedGivesTheNightItsExitCode() throws Exception {
    record("ingest", "ok", 0);
    record("unify", "failed", 3);
    assertEquals(3, report());
    RunSummary summary = summary();
    assertEquals("failed", summary.status());
    assertEquals(3, summary.exitCode());
    assertEquals(List.of("ingest:ok", "unify:failed", "features:missing", "train:missing", "score:missing",
        "segment:missing", "export:missing"), stages(summary));
  }

  @Test
  void aStageWithoutARecordIsAFailure() throws Exception {
    for (String stage : List.of("ingest", "unify", "features", "train", "score", "segment")) {
      record(stage, "ok", 0);
    }
    assertEquals(1, report(), "export left no record (e.g. its driver was killed)");
    assertEquals("export:missing", stages(summary()).get(6));
    record("export", "ok", 0);
    assertEquals(0, report());
    assertEquals("ok", summary().status());
  }

  @Test
  void aStageStartingAgainForgetsItsOwnAndLaterRecords() throws Exception {
    for (String stage : AudiencePipeline.NIGHTLY_STAGES) {
      record(stage, "ok", 0);
    }
    StageRecords.clearFrom(fs(), layout(), NIGHT, "score", AudiencePipeline.NIGHTLY_STAGES);
    assertEquals(List.of("ingest", "unify", "features", "train"), StageRecords.read(fs(), layout(), NIGHT,
        AudiencePipeline.NIGHTLY_STAGES).stream().map(RunLog.Record::command).toList());
    StageRecords.clearAll(fs(), layout(), NIGHT);
    assertEquals(List.of(), StageRecords.read(fs(), layout(), NIGHT, AudiencePipeline.NIGHTLY_STAGES));
  }

  @Test
  void recordsSurviveTheJsonRoundTrip() throws Exception {
    RunLog log = new RunLog("export");
    log.stage("export", "held", 2.5, null, "held by the quality gate");
    log.unified(new io.audiencepipeline.unify.UnifyReport(10, 9, 1, 0, 5, 5, 0, 0, 0, 40, Map.of("email", 1L), "full"));
    RunLog.Record written = log.record("run-1", 4);
    StageRecords.write(fs(), layout(), NIGHT, written);
    assertEquals(List.of(written), StageRecords.read(fs(), layout(), NIGHT, AudiencePipeline.NIGHTLY_STAGES));
  }
}
