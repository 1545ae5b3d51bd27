package io.audiencepipeline.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.export.Manifest;
import io.audiencepipeline.report.RunReport;
import io.audiencepipeline.report.RunSummary;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A whole night in miniature, landing zone to outbox ({@code tiny-night.conf}): 150 customers' orders over 150
 * days as one CSV file, their accounts as JSON lines, their consent events as Parquet, all landed on the run
 * date. {@code nightly} over it ingests, unifies, builds features, trains a logistic regression, scores,
 * segments and exports in about a minute, so the cluster and HDFS tests can run every stage.
 */
public final class TinyNight {
  public static final LocalDate NIGHT = LocalDate.of(2026, 11, 21);
  private static final int CUSTOMERS = 150;
  private final Path dir;

  public TinyNight(Path dir) {
    this.dir = dir;
  }

  public Path landing() {
    return dir.resolve("landing");
  }

  public Path warehouse() {
    return dir.resolve("warehouse");
  }

  /** Writes the landing zone (the same bytes, rows and order every time, whatever the seed of the JVM). */
  public TinyNight land() throws IOException {
    Random random = new Random(21);
    StringBuilder orders = new StringBuilder("customer_id,ordered_at,amount,category\n");
    StringBuilder accounts = new StringBuilder();
    List<Row> consent = new ArrayList<>();
    for (int c = 0; c < CUSTOMERS; c++) {
      String id = String.format(Locale.ROOT, "K-%04d", c);
      double rate = Math.min(0.15, Math.exp(-4.0 + 1.2 * random.nextGaussian()));
      boolean first = true;
      for (LocalDate day = NIGHT.minusDays(150); !day.isAfter(NIGHT.minusDays(1)); day = day.plusDays(1)) {
        if (first || random.nextDouble() < rate) {
          orders.append(String.format(Locale.ROOT, "%s,%sT%02d:15:00Z,%.2f,%s%n", id, day, 8 + random.nextInt(12),
              10 + random.nextDouble() * 90, random.nextBoolean() ? "kitchen" : ""));
          first = false;
        }
      }
      accounts.append(String.format(Locale.ROOT, "{\"account_id\":\"%s\",\"email\":\"k%04d@example.com\","
          + "\"first_name\":\"Name %d\",\"country\":\"%s\",\"updated_at\":\"2026-06-%02dT10:00:00Z\"}%n", id, c, c,
          c % 3 == 0 ? "GB" : "US", 1 + c % 28));
      if (c % 10 != 9) {
        consent.add(RowFactory.create("CE-" + c, id, "email", c % 10 == 8 ? "opt_out" : "opt_in",
            java.sql.Timestamp.valueOf(NIGHT.minusDays(100 - c % 50).atTime(9, 0))));
      }
    }
    write(landing().resolve("shop/orders/dt=" + NIGHT + "/orders.csv"), orders.toString());
    write(landing().resolve("shop/accounts/dt=" + NIGHT + "/accounts.jsonl"), accounts.toString());
    SharedSpark.session().createDataFrame(consent, StructType.fromDDL("consent_event_id string, account_id string, "
        + "channel string, action string, recorded_at timestamp"))
        .coalesce(1).write().parquet(landing().resolve("consent/events/dt=" + NIGHT).toString());
    return this;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  /** The CLI arguments of {@code command} for the night; extra arguments (e.g. -D overrides) go last. */
  public String[] args(String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(command, "--run-date", NIGHT.toString(), "--config", config(),
        "-Daudience.landing=" + landing().toUri(), "-Daudience.warehouse=" + warehouse().toUri()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** Runs a command on the shared session; returns its exit code. */
  public int run(String command, String... extra) {
    return AudiencePipeline.execute(args(command, extra), s -> SharedSpark.session(), false);
  }

  private static String config() {
    try {
      return Path.of(TinyNight.class.getResource("/tiny-night.conf").toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Tables whose rows the view compares (relative to the warehouse). */
  private static final List<String> TABLES = List.of("silver/customer_profile/dt=" + NIGHT, "silver/customer_events",
      "silver/identity_map/dt=" + NIGHT, "gold/features/as_of=" + NIGHT, "gold/scores/as_of=" + NIGHT,
      "gold/segments/winback/dt=" + NIGHT, "gold/contact_history/dt=" + NIGHT);

  /** Columns that record when or by which run a row was written, not what it says. */
  private static final List<String> RUN_COLUMNS = List.of("run_id", "ingested_at", "ingest_run_id", "scored_at",
      "published_at", "origin_file");

  /**
   * What readers see after the night, per published folder: every row of the silver and gold tables (doubles
   * rounded to 9 decimals: MLlib sums partial gradients in the order tasks finish, which moves the last bits),
   * the outbox files and the model registry's champion. Only complete folders are read; a visible folder
   * without _SUCCESS fails the test.
   */
  public Map<String, String> publishedView() throws Exception {
    Map<String, String> view = new TreeMap<>();
    for (String table : TABLES) {
      Path folder = warehouse().resolve(table);
      assertTrue(Files.exists(folder.resolve("_SUCCESS")), "published and complete: " + table);
      view.put(table, canonical(SharedSpark.session().read().parquet(folder.toString())));
    }
    FileSystem fs = FileSystem.getLocal(new Configuration());
    for (String destination : List.of("email_list", "table")) {
      Path folder = warehouse().resolve("outbox/winback/" + destination + "/dt=" + NIGHT);
      assertTrue(Files.exists(folder.resolve("_SUCCESS")), "published and complete: " + folder);
      Manifest manifest = Manifest.read(fs, new org.apache.hadoop.fs.Path(folder.toUri()));
      assertTrue(manifest.totalRows() > 0, "an audience was exported to " + destination);
      String files = manifest.format().equals("parquet")
          ? canonical(SharedSpark.session().read().parquet(folder.resolve("audience-00001.parquet").toString()))
          : manifest.files().toString();
      view.put("outbox " + destination, files + " " + manifest.totalRows() + " " + manifest.schema());
    }
    Path models = warehouse().resolve("models/buys_again_30d");
    view.put("champion", Files.readString(models.resolve("CHAMPION")).trim());
    return view;
  }

  /** Every row as JSON, doubles rounded, run bookkeeping dropped, sorted. */
  private static String canonical(Dataset<Row> table) {
    List<Column> columns = new ArrayList<>();
    for (StructField field : table.schema().fields()) {
      if (RUN_COLUMNS.contains(field.name())) {
        continue;
      }
      Column column = functions.col("`" + field.name() + "`");
      if (field.dataType().equals(DataTypes.DoubleType) || field.dataType().equals(DataTypes.FloatType)) {
        column = functions.round(column, 9).as(field.name());
      }
      columns.add(column);
    }
    List<String> rows = new ArrayList<>(table.select(functions.to_json(functions.struct(columns.toArray(Column[]::new))))
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    rows.sort(null);
    return rows.size() + " rows " + String.join("\n", rows);
  }

  /** A night's published view and its run report. */
  public record Outcome(Map<String, String> view, RunSummary report) {
  }

  private static Outcome reference;

  /**
   * The reference night, computed once per test JVM: local mode on the shared session, every stage run as a
   * command of its own (as the Airflow DAG runs them), then {@code report} assembling the run report.
   */
  public static synchronized Outcome localReference() throws Exception {
    if (reference == null) {
      Path dir = Files.createTempDirectory("tiny-night-reference");
      // Read by tests until the JVM ends; removed then, so test runs do not fill the temporary folder.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile())));
      TinyNight night = new TinyNight(dir).land();
      for (String stage : AudiencePipeline.NIGHTLY_STAGES) {
        // As the Airflow DAG runs them (train only when a champion is missing or stale).
        String[] extra = stage.equals("train") ? new String[] {"--if-stale"} : new String[0];
        assertEquals(0, night.run(stage, extra), stage + " in local mode");
      }
      assertEquals(0, night.run("report"), "report in local mode");
      reference = new Outcome(night.publishedView(), night.report());
    }
    return reference;
  }

  public RunSummary report() {
    FileSystem fs;
    try {
      fs = FileSystem.getLocal(new Configuration());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return RunReport.read(fs, new org.apache.hadoop.fs.Path(warehouse().resolve("reports/dt=" + NIGHT).toUri()));
  }

  /**
   * What two run reports of the same night must share: each stage's name and status, data quality, identity
   * counts, the champions' versions, each campaign's waterfall, gate and published rows (not run ids, times,
   * paths or the command that wrote it).
   */
  public static void assertSameReport(RunSummary expected, RunSummary actual, String what) {
    assertEquals(expected.status(), actual.status(), what);
    assertEquals(expected.exitCode(), actual.exitCode(), what);
    assertEquals(expected.stages().stream().map(s -> s.name() + ":" + s.status()).toList(),
        actual.stages().stream().map(s -> s.name() + ":" + s.status()).toList(), what + ": stages");
    assertEquals(expected.dataQuality(), actual.dataQuality(), what + ": data quality");
    assertEquals(expected.identity(), actual.identity(), what + ": identity");
    assertEquals(expected.models().stream().map(m -> m.target() + " " + m.version() + " " + m.algorithm() + " "
        + m.trainedTonight()).toList(), actual.models().stream().map(m -> m.target() + " " + m.version() + " "
        + m.algorithm() + " " + m.trainedTonight()).toList(), what + ": models");
    assertEquals(campaigns(expected), campaigns(actual), what + ": campaigns");
  }

  private static List<String> campaigns(RunSummary report) {
    return report.campaigns().stream().map(c -> c.campaign() + " " + c.waterfall() + " " + c.qualityGate() + " "
        + c.exported() + " " + c.holdout() + " " + c.published().stream().map(p -> p.destination() + " " + p.rows()
        + " +" + p.added() + " -" + p.removed()).toList()).toList();
  }

  public static void assertSameView(Map<String, String> expected, Map<String, String> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what);
    for (String key : expected.keySet()) {
      assertEquals(expected.get(key), actual.get(key), what + ": " + key);
    }
  }
}
