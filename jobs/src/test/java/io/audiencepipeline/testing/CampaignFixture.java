package io.audiencepipeline.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.export.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A hand-made warehouse of five customers, ready for {@code segment} and {@code export}: one campaign
 * ({@code launch}, channels email and ads, caps of one message a week) with four destinations (email CSV,
 * Google ads CSV, a website JSON-lines feed that needs ads consent, Parquet). The Parquet destination's third
 * column is a parameter, so tests can make a column fail to resolve or fail at run time.
 */
public final class CampaignFixture {
  private final Path dir;

  public CampaignFixture(Path dir) {
    this.dir = dir;
  }

  public Path warehouse() {
    return dir.resolve("warehouse");
  }

  public Path outbox(String destination, LocalDate night) {
    return warehouse().resolve("outbox/launch/" + destination + "/dt=" + night);
  }

  /** The CLI arguments of a command over this warehouse. */
  public String[] args(String command, LocalDate night, String tableEmailColumn, String... extra) throws IOException {
    Path config = dir.resolve("test.conf");
    Files.writeString(config, "include \"" + Path.of("..", "conf", "sources.conf").toAbsolutePath() + "\"\n"
        + String.format(CONFIG, tableEmailColumn));
    List<String> args = new ArrayList<>(List.of(command, "--run-date", night.toString(), "--config",
        config.toString(), "-Daudience.warehouse=" + warehouse().toUri()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** Runs a command in this JVM on the shared session; returns its exit code. */
  public int run(String command, LocalDate night, String tableEmailColumn, String... extra) throws IOException {
    return AudiencePipeline.execute(args(command, night, tableEmailColumn, extra), s -> SharedSpark.session(), false);
  }

  public int segmentAndExport(LocalDate night, String... extra) throws IOException {
    int segmented = run("segment", night, "email");
    return segmented != 0 ? segmented : run("export", night, "email", extra);
  }

  private void publish(Dataset<Row> rows, String relative) throws IOException {
    Path target = warehouse().resolve(relative);
    rows.write().parquet(target.toString());
    Files.writeString(target.resolve("_SUCCESS"), "");
  }

  private static final String CONFIG = """
      audience.unify.salt = "export-stage-test-salt"
      audience.features.categories = [climbing]
      audience.segmentation.channels.email.cap { messages = 1, window-days = 7 }
      audience.segmentation.channels.ads.cap { messages = 1, window-days = 7 }
      audience.segmentation.destinations {
        email_tool { format = csv, channel = email, key = email, columns = [
          { name = email, value = "email" }
          { name = "First Name", value = "first_name" }
          { name = segment, value = "segment" }
          { name = offer, value = "offer" } ] }
        google_ads { format = csv, channel = ads, key = [Email, Phone], columns = [
          { name = Email, value = "google_email" }
          { name = Phone, value = "google_phone" } ] }
        web { format = jsonl, channel = all, consents = [ads], key = customer_id, columns = [
          { name = customer_id, value = "customer_id" }
          { name = slots, value = "named_struct('segment', segment, 'offer', offer)" } ] }
        table { format = parquet, channel = all, key = customer_id, columns = [
          { name = customer_id, value = "customer_id" }
          { name = channel, value = "channel" }
          { name = email_column, value = "%s" } ] }
      }
      audience.campaigns.launch {
        priority = 1
        category = climbing
        channels = [email, ads]
        holdout = 0.0
        suppressions = [
          { name = no_consent, kind = no-consent }
          { name = frequency_cap, kind = frequency-cap }
          { name = bought_recently, when = "days_since_purchase_climbing < 30" }
        ]
        segments = [
          { name = climbers, offer = "CLIMB10, \\"indoor\\"", when = "product_views_climbing_30d > 0" }
          { name = everyone, when = "true" }
        ]
        destinations = [email_tool, google_ads, web, table]
      }
      """;

  /**
   * C1 climber (email + ads consent), C2 (email only), C3 no consent, C4 bought climbing gear recently, C5 ads
   * only (prefers ads).
   */
  public void night(LocalDate night) throws IOException {
    SparkSession spark = SharedSpark.session();
    publish(spark.createDataFrame(List.of(
        RowFactory.create("C1", "ann@example.com", "+14155550101", "Ann", "opt_in", "opt_in", "email"),
        RowFactory.create("C2", "bob@example.com", null, "Bob, Jr.", "opt_in", "opt_out", "email"),
        RowFactory.create("C3", "cy@example.com", null, "Cy", "opt_out", "opt_out", "email"),
        RowFactory.create("C4", "di@example.com", null, "Di", "opt_in", "unknown", "email"),
        RowFactory.create("C5", "Eve.Smith@gmail.com", null, "Eve", "opt_out", "opt_in", "ads")),
        StructType.fromDDL("customer_id string, email string, phone string, first_name string, "
            + "consent_email string, consent_ads string, preferred_channel string"))
        .selectExpr("*", "array(email) as emails", "array() :: array<string> as phones",
            "'unknown' as consent_sms", "'unknown' as consent_phone"),
        "silver/customer_profile/dt=" + night);
    publish(spark.createDataFrame(List.of(
        RowFactory.create("C1", night, 3L, 365), RowFactory.create("C2", night, 0L, 365),
        RowFactory.create("C3", night, 5L, 365), RowFactory.create("C4", night, 2L, 10),
        RowFactory.create("C5", night, 0L, 365)),
        StructType.fromDDL("customer_id string, as_of date, product_views_climbing_30d bigint, "
            + "days_since_purchase_climbing int")), "gold/features/as_of=" + night);
    if (!Files.exists(warehouse().resolve("silver/customer_events"))) {
      publish(spark.createDataFrame(List.of(), StructType.fromDDL("customer_id string, event_time timestamp, "
          + "event_type string, category string, sku string, event_date date")), "silver/customer_events");
    }
  }

  /** The destinations of the campaign, as named in its configuration. */
  public static final List<String> DESTINATIONS = List.of("email_tool", "google_ads", "web", "table");

  public static void assertSameView(Map<String, String> expected, Map<String, String> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what);
    for (String key : expected.keySet()) {
      assertEquals(expected.get(key), actual.get(key), what + ": " + key);
    }
  }

  /**
   * What readers see, per published folder: outbox manifests' files and diff (the run id and time differ by
   * design), segments and contact history rows, the waterfall report. Only complete folders are read: a
   * folder without _SUCCESS that readers could see fails the test.
   */
  public Map<String, String> publishedView(LocalDate night) throws Exception {
    Path warehouse = warehouse();
    Map<String, String> view = new TreeMap<>();
    FileSystem fs = FileSystem.getLocal(new Configuration());
    for (String destination : DESTINATIONS) {
      Path folder = outbox(destination, night);
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
    for (String table : List.of("gold/segments/launch/dt=" + night, "gold/contact_history/dt=" + night)) {
      Path folder = warehouse.resolve(table);
      if (complete(folder)) {
        view.put(table + " :: rows", SharedSpark.session().read().parquet(folder.toString())
            .selectExpr("concat_ws('/', customer_id, coalesce(segment, '-'), coalesce(channel, '-'))")
            .collectAsList().stream().map(r -> r.getString(0)).sorted().collect(Collectors.joining(" ")));
      }
    }
    Path waterfall = warehouse.resolve("gold/waterfall/launch/dt=" + night);
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

}
