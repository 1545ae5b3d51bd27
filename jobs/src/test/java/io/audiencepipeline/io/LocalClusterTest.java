package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.testing.CampaignFixture;
import io.audiencepipeline.testing.ChildJvm;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment and export on a real multi-JVM Spark cluster on this machine ({@code local-cluster[2,1,1024]}: a
 * master and two workers, each launching its own executor JVM) publish exactly what local mode publishes:
 * this catches closures that do not serialise and state that only exists on the driver. The cluster's
 * SPARK_HOME is a folder of links to the Maven runtime dependencies plus an empty RELEASE file.
 */
class LocalClusterTest {
  private static final LocalDate NIGHT = LocalDate.of(2026, 11, 21);

  @TempDir
  Path dir;

  @Test
  void segmentAndExportOnAMultiJvmClusterPublishWhatLocalModeDoes() throws Exception {
    CampaignFixture fixture = new CampaignFixture(dir);
    fixture.night(NIGHT);
    assertEquals(0, fixture.segmentAndExport(NIGHT));
    Map<String, String> local = fixture.publishedView(NIGHT);
    for (String output : List.of("gold/segments", "gold/waterfall", "gold/contact_history", "outbox")) {
      delete(fixture.warehouse().resolve(output));
    }

    Path sparkHome = sparkHome();
    List<String> cluster = List.of("-Dspark.master=local-cluster[2,1,1024]",
        "-Dspark.executor.extraClassPath=" + String.join(File.pathSeparator, ownClasses()),
        "-Dspark.executor.extraJavaOptions=" + String.join(" ", ChildJvm.jvmFlags())
            + " -Djava.net.preferIPv4Stack=true");
    for (String stage : List.of("segment", "export")) {
      Path log = dir.resolve(stage + "-cluster.log");
      Process child = ChildJvm.launch(fixture.args(stage, NIGHT, "email"), log, cluster,
          Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.13"));
      assertTrue(child.waitFor(15, TimeUnit.MINUTES), stage + " on the cluster did not finish");
      assertEquals(0, child.exitValue(), stage + " on the cluster failed:\n" + tail(log));
    }
    CampaignFixture.assertSameView(local, fixture.publishedView(NIGHT), "local-cluster against local mode");

    // The work ran in executor JVMs the workers launched, one per worker and application.
    List<Path> executors;
    try (Stream<Path> found = Files.walk(sparkHome.resolve("work"), 2)) {
      executors = found.filter(p -> p.getParent().getFileName().toString().startsWith("app-")).toList();
    }
    assertEquals(4, executors.size(), "two executors for each of the two applications: " + executors);
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

  private static void delete(Path folder) throws Exception {
    if (Files.exists(folder)) {
      try (Stream<Path> paths = Files.walk(folder)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  private static String tail(Path log) throws Exception {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
