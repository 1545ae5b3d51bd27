package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.testing.CampaignFixture;
import io.audiencepipeline.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

  @TempDir
  Path dir;

  @Test
  void killedRunsNeverExposeAPartialFolderAndTheRerunMatchesAnUninterruptedRun() throws Exception {
    CampaignFixture fixture = new CampaignFixture(dir);
    fixture.night(NIGHT);
    assertEquals(0, fixture.segmentAndExport(NIGHT));
    Map<String, String> published = fixture.publishedView(NIGHT);

    // How long each stage takes in a JVM of its own here, uninterrupted (and the same result as in-process).
    Map<String, Long> millis = new TreeMap<>();
    for (String stage : List.of("segment", "export")) {
      long started = System.nanoTime();
      Process child = ChildJvm.launch(fixture.args(stage, NIGHT, "email"), dir.resolve("child-" + stage + ".log"));
      assertTrue(child.waitFor(10, TimeUnit.MINUTES), stage + " did not finish");
      assertEquals(0, child.exitValue(), stage + " in a JVM of its own");
      millis.put(stage, (System.nanoTime() - started) / 1_000_000);
    }
    CampaignFixture.assertSameView(published, fixture.publishedView(NIGHT), "a run in another JVM publishes the same");

    Random random = new Random(20261123L);
    int killed = 0;
    int setAside = 0;
    List<String> attempts = new ArrayList<>();
    for (int attempt = 0; attempt < 6; attempt++) {
      String stage = attempt % 2 == 0 ? "segment" : "export";
      // Anywhere from Spark's start-up to the last publication of the stage.
      long delayMillis = millis.get(stage) / 4 + (long) (random.nextDouble() * millis.get(stage) * 3 / 4);
      Path log = dir.resolve("child-" + attempt + ".log");
      Process child = ChildJvm.launch(fixture.args(stage, NIGHT, "email"), log);
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
    CampaignFixture.assertSameView(published, fixture.publishedView(NIGHT), "the re-run after the kills");
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
    Map<String, String> now = fixture.publishedView(NIGHT);
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
}
