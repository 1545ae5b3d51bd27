package io.audiencepipeline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.testing.CampaignFixture;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment + export through the CLI on a hand-made warehouse of five customers over two nights: the published
 * files and their manifests, consent per destination, the diff, contact history feeding the next night's
 * frequency caps, the quality gate and its override, identical re-runs, and failures that publish nothing.
 */
class ExportStageTest {
  private static final LocalDate NIGHT1 = LocalDate.of(2026, 11, 21);
  private static final LocalDate NIGHT2 = NIGHT1.plusDays(1);

  @TempDir
  Path dir;

  private CampaignFixture fixture() {
    return new CampaignFixture(dir);
  }

  private Path warehouse() {
    return fixture().warehouse();
  }

  private Path outbox(String destination, LocalDate night) {
    return fixture().outbox(destination, night);
  }

  private void night(LocalDate night) throws IOException {
    fixture().night(night);
  }

  private int run(String command, LocalDate night, String tableEmailColumn, String... extra) throws IOException {
    return fixture().run(command, night, tableEmailColumn, extra);
  }

  private int segmentAndExport(LocalDate night, String... extra) throws IOException {
    return fixture().segmentAndExport(night, extra);
  }

  @Test
  void publishesFilesWhoseManifestsMatchThemAndFeedsTheNextNight() throws Exception {
    night(NIGHT1);
    Path expired = outbox("email_tool", NIGHT1.minusDays(31));
    Path kept = outbox("email_tool", NIGHT1.minusDays(30));
    for (Path old : List.of(expired, kept)) {
      Files.createDirectories(old);
      Files.writeString(old.resolve("_SUCCESS"), "");
    }
    assertEquals(0, segmentAndExport(NIGHT1));
    assertFalse(Files.exists(expired), "older than outbox-retention-days (30)");
    assertTrue(Files.exists(kept));
    Files.walk(kept).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());

    // Exactly the consented customers of each channel, in key order, RFC 4180 quoting.
    assertEquals(List.of("email,First Name,segment,offer", "ann@example.com,Ann,climbers,\"CLIMB10, \"\"indoor\"\"\"",
        "bob@example.com,\"Bob, Jr.\",everyone,"), lines(outbox("email_tool", NIGHT1).resolve("audience-00001.csv")));
    // Google: Gmail dots removed, lower-cased, then SHA-256 (vector from coreutils sha256sum).
    List<String> ads = lines(outbox("google_ads", NIGHT1).resolve("audience-00001.csv"));
    assertEquals(2, ads.size());
    assertEquals(sha256("evesmith@gmail.com") + ",", ads.get(1));
    // The website feed needs ads consent: C2 (email only) is left out and counted.
    assertEquals(List.of(
        "{\"customer_id\":\"C1\",\"slots\":{\"segment\":\"climbers\",\"offer\":\"CLIMB10, \\\"indoor\\\"\"}}",
        "{\"customer_id\":\"C5\",\"slots\":{\"segment\":\"everyone\",\"offer\":null}}"),
        lines(outbox("web", NIGHT1).resolve("audience-00001.jsonl")));
    Manifest web = Manifest.read(fs(), new org.apache.hadoop.fs.Path(outbox("web", NIGHT1).toUri()));
    assertEquals(new Manifest.Excluded(1, 0), web.excluded());
    assertEquals(List.of("ads"), web.consentsRequired());

    for (String destination : List.of("email_tool", "google_ads", "web", "table")) {
      assertManifestMatchesFiles(outbox(destination, NIGHT1), destination);
    }
    Manifest email = Manifest.read(fs(), new org.apache.hadoop.fs.Path(outbox("email_tool", NIGHT1).toUri()));
    assertEquals(new Manifest.Audience(3, 0), email.audience());
    assertEquals("first_publication", email.qualityGate().status());
    assertEquals(new Manifest.Diff(null, 2, 0, email.diff().files()), email.diff());
    assertEquals(List.of(new Manifest.SchemaColumn("email", "string"), new Manifest.SchemaColumn("First Name",
        "string"), new Manifest.SchemaColumn("segment", "string"), new Manifest.SchemaColumn("offer", "string")),
        email.schema());
    assertEquals("C1/email C2/email C5/ads", contactHistory(NIGHT1));

    // Night 2: C1 has had its one e-mail this week, so goes out on ads; C2 (e-mail only) and C5 (ads only)
    // are at their caps. 3 -> 1 exported is a 67% drop: held, nothing of night 2 is published.
    night(NIGHT2);
    assertEquals(0, run("segment", NIGHT2, "email"));
    assertEquals("C1/exported/ads C2/suppressed/- C5/suppressed/-", segments(NIGHT2));
    assertEquals(4, run("export", NIGHT2, "email"));
    assertFalse(Files.exists(outbox("email_tool", NIGHT2)));
    assertFalse(Files.exists(warehouse().resolve("gold/contact_history/dt=" + NIGHT2)));

    assertEquals(0, run("export", NIGHT2, "email", "--allow-size-change"));
    Manifest google = Manifest.read(fs(), new org.apache.hadoop.fs.Path(outbox("google_ads", NIGHT2).toUri()));
    assertEquals("overridden", google.qualityGate().status());
    assertEquals(3L, google.qualityGate().previousExported());
    assertEquals(NIGHT1.toString(), google.diff().previousRunDate());
    assertEquals(1, google.diff().addedRows(), "C1 joins the ads audience");
    assertEquals(1, google.diff().removedRows(), "C5 leaves it");
    assertEquals(List.of("Email,Phone", sha256("ann@example.com") + "," + sha256("+14155550101")),
        lines(outbox("google_ads", NIGHT2).resolve("_diff/added-00001.csv")));
    assertEquals(List.of("Email,Phone", sha256("evesmith@gmail.com") + ","),
        lines(outbox("google_ads", NIGHT2).resolve("_diff/removed-00001.csv")));
    Manifest emailNight2 = Manifest.read(fs(), new org.apache.hadoop.fs.Path(outbox("email_tool", NIGHT2).toUri()));
    assertEquals(0, emailNight2.totalRows());
    assertEquals(2, emailNight2.diff().removedRows());
    assertEquals("C1/ads", contactHistory(NIGHT2));
    assertManifestMatchesFiles(outbox("google_ads", NIGHT2), "google_ads");
  }

  @Test
  void aRerunOfTheSameDateGivesTheSameFilesAndAFailedRunPublishesNothing() throws Exception {
    night(NIGHT1);
    assertEquals(0, segmentAndExport(NIGHT1));
    Manifest first = Manifest.read(fs(), new org.apache.hadoop.fs.Path(outbox("email_tool", NIGHT1).toUri()));
    assertEquals(0, run("export", NIGHT1, "email"));
    Manifest second = Manifest.read(fs(), new org.apache.hadoop.fs.Path(outbox("email_tool", NIGHT1).toUri()));
    assertEquals(first.files(), second.files(), "same bytes, same hashes");
    assertEquals(first.diff(), second.diff(), "still compared with the night before, not with itself");
    assertEquals(first.configFingerprint(), second.configFingerprint());
    assertFalse(first.runId().equals(second.runId()));

    // A value that fails at run time while the last destination is written: nothing of the campaign moves.
    assertEquals(1, run("export", NIGHT1, "case when customer_id = 'C5' then raise_error('boom') else email end"));
    Manifest after = Manifest.read(fs(), new org.apache.hadoop.fs.Path(outbox("email_tool", NIGHT1).toUri()));
    assertEquals(second.runId(), after.runId(), "the published folder is the previous run's");
    assertManifestMatchesFiles(outbox("email_tool", NIGHT1), "email_tool");
    try (Stream<Path> staging = Files.list(warehouse().resolve("_staging"))) {
      assertEquals(0, staging.count(), "the failed run's staging is removed");
    }
  }

  @Test
  void destinationColumnsAreCheckedBeforeAnythingIsWritten() throws Exception {
    night(NIGHT1);
    assertEquals(0, run("segment", NIGHT1, "email"));
    assertEquals(2, run("export", NIGHT1, "emial"), "unknown column");
    assertEquals(2, run("export", NIGHT1, "array(email"), "malformed SQL fails at load");
    assertFalse(Files.exists(warehouse().resolve("outbox")));
  }

  @Test
  void aTruncatedInputFileIsRejectedInputNamingTheFile() throws Exception {
    night(NIGHT1);
    Path features = warehouse().resolve("gold/features/as_of=" + NIGHT1);
    Path file;
    try (Stream<Path> files = Files.list(features)) {
      file = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    assertEquals(3, run("segment", NIGHT1, "email"));
    assertFalse(Files.exists(warehouse().resolve("gold/segments")), "nothing published");
  }

  private static void assertManifestMatchesFiles(Path folder, String destination) throws Exception {
    Manifest manifest = Manifest.read(fs(), new org.apache.hadoop.fs.Path(folder.toUri()));
    assertEquals(destination, manifest.destination());
    assertEquals(64, manifest.configFingerprint().length());
    assertTrue(Files.exists(folder.resolve("_SUCCESS")));
    List<String> listed = manifest.files().stream().map(AudienceFiles.FileEntry::name).sorted().toList();
    List<String> present;
    try (Stream<Path> files = Files.list(folder)) {
      present = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("_")).sorted().toList();
    }
    assertEquals(present, listed, "every audience file is listed, and only those");
    assertTrue(present.stream().noneMatch(n -> n.endsWith(".crc")));
    long total = 0;
    for (AudienceFiles.FileEntry entry : Stream.concat(manifest.files().stream(),
        manifest.diff().files().stream()).toList()) {
      byte[] bytes = Files.readAllBytes(folder.resolve(entry.name()));
      assertEquals(bytes.length, entry.bytes(), entry.name());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), entry.sha256());
      long rows = AudienceFiles.read(SharedSpark.session(), manifest.format(),
          List.of(new org.apache.hadoop.fs.Path(folder.resolve(entry.name()).toUri())), null).count();
      assertEquals(rows, entry.rows(), entry.name());
    }
    for (AudienceFiles.FileEntry entry : manifest.files()) {
      total += entry.rows();
    }
    assertEquals(manifest.totalRows(), total);
  }

  private String contactHistory(LocalDate night) {
    return SharedSpark.session().read().parquet(warehouse().resolve("gold/contact_history/dt=" + night).toString())
        .selectExpr("concat_ws('/', customer_id, channel)").collectAsList().stream().map(r -> r.getString(0))
        .sorted().collect(Collectors.joining(" "));
  }

  private String segments(LocalDate night) {
    return SharedSpark.session().read().parquet(warehouse().resolve("gold/segments/launch/dt=" + night).toString())
        .where("customer_id in ('C1', 'C2', 'C5')")
        .selectExpr("concat_ws('/', customer_id, status, coalesce(channel, '-'))").collectAsList().stream()
        .map(r -> r.getString(0)).sorted().collect(Collectors.joining(" "));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file);
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
        text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static FileSystem fs() throws IOException {
    return FileSystem.getLocal(new Configuration());
  }
}
