package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.testing.ChildJvm;
import io.audiencepipeline.testing.TinyNight;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole night ({@code nightly}: ingest, unify, features, train, score, segment, export) on a real multi-JVM
 * Spark cluster on this machine ({@code local-cluster[2,1,1024]}: a master and two workers, each launching its
 * own executor JVM) publishes exactly what local mode publishes and reports the same night: this catches
 * closures that do not serialise and state that only exists on the driver. The cluster's SPARK_HOME is a
 * folder of links to the Maven runtime dependencies plus an empty RELEASE file. The local reference runs each
 * stage as a command of its own and then {@code report}, as the Airflow DAG does, so the test also shows that
 * the assembled report equals the one {@code nightly} writes. A second test reads checkpoint blocks from the other
 * executor on purpose ({@link CheckpointProbe}): the night does so only when tasks happen to land that way.
 */
class LocalClusterTest {
  @TempDir
  Path dir;

  @Test
  void theNightOnAMultiJvmClusterPublishesWhatLocalModeDoes() throws Exception {
    TinyNight.Outcome local = TinyNight.localReference();
    TinyNight night = new TinyNight(dir).land();

    Path sparkHome = runOnCluster(AudiencePipeline.class, night.args("nightly"), "nightly", 20);

    TinyNight.assertSameView(local.view(), night.publishedView(), "local-cluster against local mode");
    TinyNight.assertSameReport(local.report(), night.report(), "nightly on the cluster against local stages");

    // The work ran in executor JVMs the workers launched, one per worker.
    List<Path> executors;
    try (Stream<Path> found = Files.walk(sparkHome.resolve("work"), 2)) {
      executors = found.filter(p -> p.getParent().getFileName().toString().startsWith("app-")).toList();
    }
    assertEquals(2, executors.size(), "two executors, one per worker: " + executors);
  }

  @Test
  void emptyCheckpointBlocksAreReadFromAnotherExecutor() throws Exception {
    runOnCluster(CheckpointProbe.class, new String[0], "checkpoint-probe", 5);
  }

  /** Runs {@code main} in a driver JVM of its own on the cluster; returns the cluster's SPARK_HOME. */
  private Path runOnCluster(Class<?> main, String[] args, String name, int minutes) throws Exception {
    Path sparkHome = sparkHome();
    Path log = dir.resolve(name + ".log");
    Process child = ChildJvm.launch(main.getName(), args, log, clusterArgs(),
        Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.13"));
    assertTrue(child.waitFor(minutes, TimeUnit.MINUTES), name + " on the cluster did not finish");
    assertEquals(0, child.exitValue(),
        () -> name + " on the cluster failed:\n" + tail(log) + executorLogs(sparkHome));
    return sparkHome;
  }

  /**
   * The cluster: two workers of one core. Every task runs on whichever executor is free and has no second attempt,
   * so a task that reads another executor's cached or checkpointed blocks must work the first time (retries on the
   * executor holding the block once hid a failed remote read: {@link Checkpoints#LEVEL}).
   */
  private static List<String> clusterArgs() throws IOException {
    return List.of("-Dspark.master=local-cluster[2,1,1024]",
        "-Dspark.executor.extraClassPath=" + String.join(File.pathSeparator, ownClasses()),
        "-Dspark.executor.extraJavaOptions=" + String.join(" ", ChildJvm.jvmFlags())
            + " -Djava.net.preferIPv4Stack=true",
        "-Dspark.locality.wait=0", "-Dspark.task.maxFailures=1");
  }

  /** A SPARK_HOME for the workers: jars/ links to every runtime jar of the build, and an empty RELEASE file. */
  private Path sparkHome() throws Exception {
    Path home = dir.resolve("spark-home");
    Path jars = Files.createDirectories(home.resolve("jars"));
    Files.writeString(home.resolve("RELEASE"), "");
    for (String entry : Files.readString(Path.of("target", "launcher", "classpath.txt")).trim()
        .split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && !Files.exists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    return home;
  }

  /** This build's own classes (jobs, its tests, models), which the executors load from disk. */
  private static List<String> ownClasses() {
    List<String> classes = new ArrayList<>();
    for (Path path : List.of(Path.of("target", "classes"), Path.of("target", "test-classes"),
        Path.of("..", "models", "target", "classes"))) {
      classes.add(path.toAbsolutePath().normalize().toString());
    }
    return classes;
  }

  /**
   * The driver log's last WARN lines (lost tasks and executors), its first ERROR and Caused-by lines (the
   * reason; a stack trace alone fills the tail), then its last 40.
   */
  private static String tail(Path log) {
    List<String> lines = readLines(log);
    return String.join("\n", problems(lines)) + "\n...\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Each executor's WARN, ERROR and Caused-by lines: why an executor lost its blocks or died. */
  private static String executorLogs(Path sparkHome) {
    StringBuilder text = new StringBuilder();
    try (Stream<Path> found = Files.walk(sparkHome.resolve("work"), 3)) {
      for (Path stderr : found.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList()) {
        text.append("\n--- executor log ").append(sparkHome.relativize(stderr)).append(":\n")
            .append(String.join("\n", problems(readLines(stderr))));
      }
    } catch (IOException | UncheckedIOException e) {
      text.append("\n(executor logs unreadable: ").append(e).append(')');
    }
    return text.toString();
  }

  private static List<String> problems(List<String> lines) {
    // The last warnings: the first ones are start-up noise and remote reads of cached blocks that are recomputed.
    List<String> allWarnings = lines.stream().filter(l -> l.contains(" WARN ")).toList();
    List<String> warnings = allWarnings.subList(Math.max(0, allWarnings.size() - 20), allWarnings.size());
    List<String> errors = lines.stream().filter(l -> l.contains(" ERROR ") || l.startsWith("Caused by")).limit(20)
        .toList();
    List<String> problems = new ArrayList<>(warnings);
    problems.addAll(errors);
    return problems;
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of("(unreadable: " + e + ")");
    }
  }
}
