package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.export.Manifest;
import io.audiencepipeline.testing.CampaignFixture;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL during segment and export, at seeded random moments, several times: what was published stays
 * complete and readable (a folder is either the previous night's or absent for the instant between the two
 * renames of a replacement, with its previous version set aside for the next start to restore), no partial
 * folder is ever visible, the next start removes the leftover staging, and the re-run publishes exactly what
 * an uninterrupted run did.
 */
class CrashSafetyTest {
  private static final LocalDate NIGHT = LocalDate.of(2026, 11, 21);
  private static final List<String> DESTINATIONS = List.of("email_tool", "google_ads", "web", "table");

  @TempDir
  Path dir;

  @Test
  void killedRunsNeverExposeAPartialFolderAndTheRerunMatchesAnUninterruptedRun() throws Exception {
    CampaignFixture fixture = new CampaignFixture(dir);
    fixture.night(NIGHT);
    assertEquals(0, fixture.segmentAndExport(NIGHT));
    Map<String, String> published = snapshot(fixture);

    // How long each stage takes in a JVM of its own here, uninterrupted (and the same result as in-process).
    Map<String, Long> millis = new TreeMap<>();
    for (String stage : List.of("segment", "export")) {
      long started = System.nanoTime();
      Process child = launch(fixture.args(stage, NIGHT, "email"), dir.resolve("child-" + stage + ".log"));
      assertTrue(child.waitFor(10, TimeUnit.MINUTES), stage + " did not finish");
      assertEquals(0, child.exitValue(), stage + " in a JVM of its own");
      millis.put(stage, (System.nanoTime() - started) / 1_000_000);
    }
    assertSameView(published, snapshot(fixture), "a run in another JVM publishes the same");

    Random random = new Random(20261123L);
    int killed = 0;
    int setAside = 0;
    List<String> attempts = new ArrayList<>();
    for (int attempt = 0; attempt < 6; attempt++) {
      String stage = attempt % 2 == 0 ? "segment" : "export";
      // Anywhere from Spark's start-up to the last publication of the stage.
      long delayMillis = millis.get(stage) / 4 + (long) (random.nextDouble() * millis.get(stage) * 3 / 4);
      Path log = dir.resolve("child-" + attempt + ".log");
      Process child = launch(fixture.args(stage, NIGHT, "email"), log);
      if (!child.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
        child.destroyForcibly().waitFor();
        killed++;
      } else {
        assertEquals(0, child.exitValue(), "an uninterrupted child run");
      }
      setAside += assertNothingPartial(fixture, published);
      attempts.add(String.format("%s killed after %d of %d ms at: %s", stage, delayMillis, millis.get(stage),
          lastStep(log)));
    }
    assertTrue(killed >= 3, "most attempts must be killed mid-run, not finish first: " + killed + " of 6");

    // The next start repairs and cleans; the re-run gives the uninterrupted result.
    assertEquals(0, fixture.segmentAndExport(NIGHT));
    assertSameView(published, snapshot(fixture), "the re-run after the kills");
    try (Stream<Path> staging = Files.list(fixture.warehouse().resolve("_staging"))) {
      assertEquals(List.of(), staging.toList(), "no staging left behind");
    }
    System.out.printf("crash safety: %d of 6 runs killed, %d folder(s) caught between the renames%n  %s%n", killed,
        setAside, String.join("\n  ", attempts));
  }

  /**
   * Every published folder is complete and equal to the uninterrupted run's, or (only between the two renames
   * of a replacement) absent with its previous version set aside under _staging for the next start.
   *
   * @return how many folders were found set aside
   */
  private static int assertNothingPartial(CampaignFixture fixture, Map<String, String> published) throws Exception {
    Map<String, String> now = snapshot(fixture);
    int setAside = 0;
    for (Map.Entry<String, String> entry : published.entrySet()) {
      String folder = entry.getKey().substring(0, entry.getKey().indexOf(" :: "));
      if (now.containsKey(entry.getKey())) {
        assertEquals(entry.getValue(), now.get(entry.getKey()), entry.getKey());
      } else {
        assertTrue(setAsideExists(fixture.warehouse(), folder), folder + " is neither published nor set aside");
        setAside++;
      }
    }
    return setAside;
  }

  private static void assertSameView(Map<String, String> expected, Map<String, String> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what);
    for (String key : expected.keySet()) {
      assertEquals(expected.get(key), actual.get(key), what + ": " + key);
    }
  }

  /** The last line our code logged before the kill (which stage step it had reached). */
  private static String lastStep(Path log) throws IOException {
    List<String> ours = Files.readAllLines(log).stream().filter(l -> l.contains(" INFO ")).toList();
    return ours.isEmpty() ? "(before the first log line)" : ours.get(ours.size() - 1).replaceAll("^\\S+ \\S+ ", "");
  }

  private static boolean setAsideExists(Path warehouse, String folder) throws IOException {
    Path staging = warehouse.resolve("_staging");
    if (!Files.exists(staging)) {
      return false;
    }
    try (Stream<Path> runs = Files.list(staging)) {
      return runs.anyMatch(run -> Files.exists(run.resolve("replaced").resolve(folder).resolve("_SUCCESS")));
    }
  }

  /**
   * What readers see, per published folder: outbox manifests' files and diff (the run id and time differ by
   * design), segments and contact history rows, the waterfall report. Only complete folders are read: a
   * folder without _SUCCESS that readers could see fails the test.
   */
  private static Map<String, String> snapshot(CampaignFixture fixture) throws Exception {
    Path warehouse = fixture.warehouse();
    Map<String, String> view = new TreeMap<>();
    FileSystem fs = FileSystem.getLocal(new Configuration());
    for (String destination : DESTINATIONS) {
      Path folder = fixture.outbox(destination, NIGHT);
      if (complete(folder)) {
        Manifest manifest = Manifest.read(fs, new org.apache.hadoop.fs.Path(folder.toUri()));
        for (var file : manifest.files()) {
          assertEquals(file.sha256(), sha256(folder.resolve(file.name())), "the manifest describes the file");
        }
        String files;
        if (manifest.format().equals("parquet")) {
          // parquet-mr writes each column's encodings from a HashSet of enums, whose order (and so the footer's
          // bytes) can differ between JVMs; the rows, their order and the schema do not.
          files = manifest.files().stream().map(f -> f.name() + "/" + f.rows()).toList() + " "
              + SharedSpark.session().read().parquet(folder.resolve("audience-00001.parquet").toString())
                  .collectAsList();
        } else {
          files = manifest.files() + " " + manifest.diff();
        }
        view.put(relative(warehouse, folder) + " :: manifest", files + " " + manifest.totalRows() + " "
            + manifest.schema());
      }
    }
    for (String table : List.of("gold/segments/launch/dt=" + NIGHT, "gold/contact_history/dt=" + NIGHT)) {
      Path folder = warehouse.resolve(table);
      if (complete(folder)) {
        view.put(table + " :: rows", SharedSpark.session().read().parquet(folder.toString())
            .selectExpr("concat_ws('/', customer_id, coalesce(segment, '-'), coalesce(channel, '-'))")
            .collectAsList().stream().map(r -> r.getString(0)).sorted().collect(Collectors.joining(" ")));
      }
    }
    Path waterfall = warehouse.resolve("gold/waterfall/launch/dt=" + NIGHT);
    if (complete(waterfall)) {
      view.put(relative(warehouse, waterfall) + " :: csv", Files.readString(waterfall.resolve("waterfall.csv")));
    }
    return view;
  }

  private static boolean complete(Path folder) {
    if (!Files.exists(folder)) {
      return false;
    }
    assertTrue(Files.exists(folder.resolve("_SUCCESS")), "a partial folder is visible: " + folder);
    return true;
  }

  private static String relative(Path warehouse, Path folder) {
    return warehouse.relativize(folder).toString();
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** The CLI in a JVM of its own (the test JVM's class path and Spark's JVM flags), output to a log file. */
  private static Process launch(String[] args, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(Files.readString(Path.of("target", "launcher", "jvm-flags.txt")).trim()
        .split("\\s+")));
    command.addAll(List.of("-Xmx1g", "-Dspark.ui.enabled=false", "-Djava.net.preferIPv4Stack=true", "-cp",
        System.getProperty("java.class.path"), "io.audiencepipeline.cli.AudiencePipeline"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.start();
  }
}
