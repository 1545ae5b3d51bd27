package io.audiencepipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.run.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * scripts/airflow's DAG: Python parses it (Airflow itself is not installed here), its stages are the CLI's
 * nightly stages in order and are CLI commands, a last report task runs after them whatever their outcome, and its
 * exit codes are the CLI's.
 */
class AirflowDagTest {
  private static final Path DAG = Path.of("..", "scripts", "airflow", "audience_pipeline_dag.py");

  @Test
  void theDagParsesAsPython() throws IOException, InterruptedException {
    Process python = new ProcessBuilder("python3", "-c",
        "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])",
        DAG.toString()).redirectErrorStream(true).start();
    assertTrue(python.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, python.exitValue(), "python3 could not parse the DAG: " + output);
  }

  @Test
  void itRunsTheNightlyStagesInOrderWithTheCliExitCodes() throws IOException {
    String dag = Files.readString(DAG);
    Matcher stages = Pattern.compile("(?m)^STAGES = \\[([^]]*)]").matcher(dag);
    assertTrue(stages.find(), "STAGES = [...] not found");
    List<String> names = Arrays.stream(stages.group(1).split(",")).map(s -> s.strip().replace("\"", "")).toList();
    assertEquals(AudiencePipeline.NIGHTLY_STAGES, names);
    for (String stage : names) {
      assertTrue(CommandLine.USAGE.contains("\n  " + stage + " "), stage + " is not a CLI command");
    }
    for (ExitCode code : ExitCode.values()) {
      String constant = "EXIT_" + code.name() + " = " + code.code();
      assertTrue(dag.contains(constant), constant);
    }
    assertTrue(dag.contains("\"train\": [\"--if-stale\"]"));
    // The report task assembles the night's report after the stages, whatever their outcome, and is the only leaf.
    assertTrue(CommandLine.USAGE.contains("\n  report "), "report is not a CLI command");
    assertTrue(dag.contains("[LAUNCHER, \"report\", \"--run-date\", ds"), "the report task runs report");
    assertTrue(dag.contains("task_id=\"report\"") && dag.contains("trigger_rule=TriggerRule.ALL_DONE")
        && dag.contains("previous >> report"), "report runs last, after all stages are done");
    assertTrue(dag.contains("retries=0, depends_on_past=False"), "a failed night's report must not hold the next");
    assertEquals(2, Pattern.compile(">>").matcher(dag).results().count(), "one chain of stages, then report: "
        + "report is the only leaf");
    assertTrue(dag.contains("--allow-size-change"));
  }
}
