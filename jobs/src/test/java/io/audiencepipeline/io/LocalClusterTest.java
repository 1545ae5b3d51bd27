package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.testing.ChildJvm;
import io.audiencepipeline.testing.TinyNight;
import java.io.File;
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
 * the assembled report equals the one {@code nightly} writes.
 */
class LocalClusterTest {
  @TempDir
  Path dir;

  @Test
  void theNightOnAMultiJvmClusterPublishesWhatLocalModeDoes() throws Exception {
    TinyNight.Outcome local = TinyNight.localReference();
    TinyNight night = new TinyNight(dir).land();

    Path sparkHome = sparkHome();
    List<String> cluster = List.of("-Dspark.master=local-cluster[2,1,1024]",
        "-Dspark.executor.extraClassPath=" + String.join(File.pathSeparator, ownClasses()),
        "-Dspark.executor.extraJavaOptions=" + String.join(" ", ChildJvm.jvmFlags())
            + " -Djava.net.preferIPv4Stack=true");
    Path log = dir.resolve("nightly-cluster.log");
    Process child = ChildJvm.launch(night.args("nightly"), log, cluster,
        Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.13"));
    assertTrue(child.waitFor(20, TimeUnit.MINUTES), "nightly on the cluster did not finish");
    assertEquals(0, child.exitValue(), "nightly on the cluster failed:\n" + tail(log));

    TinyNight.assertSameView(local.view(), night.publishedView(), "local-cluster against local mode");
    TinyNight.assertSameReport(local.report(), night.report(), "nightly on the cluster against local stages");

    // The work ran in executor JVMs the workers launched, one per worker.
    List<Path> executors;
    try (Stream<Path> found = Files.walk(sparkHome.resolve("work"), 2)) {
      executors = found.filter(p -> p.getParent().getFileName().toString().startsWith("app-")).toList();
    }
    assertEquals(2, executors.size(), "two executors, one per worker: " + executors);
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

  /** The log's ERROR and Caused-by lines (the reason; a stack trace alone fills the tail), then its last 40. */
  private static String tail(Path log) throws Exception {
    List<String> lines = Files.readAllLines(log);
    List<String> reasons = lines.stream().filter(l -> l.contains(" ERROR ") || l.startsWith("Caused by"))
        .limit(20).toList();
    return String.join("\n", reasons) + "\n...\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
