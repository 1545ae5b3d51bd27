package io.audiencepipeline.unify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest + unify end to end through the CLI over three nights: an erasure request removes every record
 * of that person from silver (including the earlier profile), keeps only salted hashes, and a
 * re-delivered old file or a new record with one of their identifiers does not bring them back.
 */
class UnifyStageTest {
  private static final String CONFIG = """
      audience.unify.salt = "unify-test-salt-0123456789"
      audience.sources {
        shop_orders {
          system = shop, format = csv, path = "shop/orders", channel = web, max-bad-row-rate = 0.5
          columns = ["order_id string", "email string", "phone string", "country string", "first_name string",
                     "ordered_at timestamp(iso)", "amount decimal(10,2)"]
          record-key = [order_id]
          required-columns = [ordered_at]
          event-time = ordered_at
          identifiers { email = email, phone { column = phone, region-column = country } }
          fields { first_name = first_name, amount = amount, country = country }
          event-type = order
        }
        forget_me {
          system = privacy, format = csv, path = "privacy/forget", max-bad-row-rate = 0.5
          columns = ["request_id string", "email string", "received_at timestamp(iso)"]
          record-key = [request_id]
          event-time = received_at
          identifiers { email = email }
          event-type = erasure_request
        }
      }
      audience.unify.survivorship { first_name { rule = most-recent } }
      """;
  private static final String ORDERS = "order_id,email,phone,country,first_name,ordered_at,amount\n";
  private static final String ANN_ORDER = "o1,Ann@X.com,(555) 201-0100,US,Ann,2026-11-19T10:00:00Z,25.00\n";

  @TempDir
  Path dir;
  private Path landing;
  private Path warehouse;
  private Path config;

  @BeforeEach
  void setUp() throws IOException {
    landing = dir.resolve("landing");
    warehouse = dir.resolve("warehouse");
    config = dir.resolve("test.conf");
    Files.writeString(config, CONFIG);
  }

  private void land(String path, String date, String content) throws IOException {
    Path folder = landing.resolve(path).resolve("dt=" + date);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("part-0.csv"), content);
  }

  private int nightly(String date) {
    return AudiencePipeline.execute(new String[] {"nightly", "--run-date", date, "--config", config.toString(),
        "-Daudience.landing=" + landing.toUri(), "-Daudience.warehouse=" + warehouse.toUri()},
        s -> SharedSpark.session(), false);
  }

  private Dataset<Row> table(String relative) {
    return SharedSpark.session().read().parquet(warehouse.resolve(relative).toString());
  }

  private List<String> names(String profilePartition) {
    return table("silver/customer_profile/" + profilePartition).orderBy("first_name").collectAsList().stream()
        .map(r -> r.<String>getAs("first_name")).toList();
  }

  private List<String> eventKeys() {
    return table("silver/customer_events").orderBy("record_key").collectAsList().stream()
        .map(r -> r.<String>getAs("record_key")).toList();
  }

  @Test
  void erasureRemovesThePersonEverywhereAndKeepsThemOut() throws IOException {
    land("shop/orders", "2026-11-20", ORDERS + ANN_ORDER
        + "o2,bob@x.com,,US,Bob,2026-11-19T11:00:00Z,40.00\n");
    assertEquals(0, nightly("2026-11-20"));
    assertEquals(List.of("Ann", "Bob"), names("dt=2026-11-20"));
    String annId = table("silver/identity_map/dt=2026-11-20").where("record_key = 'o1'").first().getAs("customer_id");
    String bobId = table("silver/identity_map/dt=2026-11-20").where("record_key = 'o2'").first().getAs("customer_id");
    // Later stages' outputs of that night, which must forget Ann too.
    for (String relative : List.of("gold/segments/launch/dt=2026-11-20", "gold/contact_history/dt=2026-11-20")) {
      SharedSpark.session().createDataFrame(List.of(RowFactory.create(annId, "launch"),
          RowFactory.create(bobId, "launch")), StructType.fromDDL("customer_id string, campaign string"))
          .write().parquet(warehouse.resolve(relative).toString());
    }

    land("privacy/forget", "2026-11-21", "request_id,email,received_at\nf1, ann@x.com ,2026-11-21T08:00:00Z\n");
    land("shop/orders", "2026-11-21", ORDERS + "o3,bob@x.com,,US,Bob,2026-11-20T12:00:00Z,15.00\n");
    assertEquals(0, nightly("2026-11-21"));
    assertEquals(List.of("Bob"), names("dt=2026-11-21"));
    assertEquals(List.of("Bob"), names("dt=2026-11-20"), "the earlier profile is purged too");
    for (String relative : List.of("gold/segments/launch/dt=2026-11-20", "gold/contact_history/dt=2026-11-20")) {
      assertEquals(List.of(bobId), table(relative).collectAsList().stream().map(r -> r.<String>getAs("customer_id"))
          .toList(), relative);
    }
    assertEquals(List.of("o2", "o3"), eventKeys());
    assertEquals(List.of("o2", "o3"), table("silver/identity_map/dt=2026-11-21").orderBy("record_key")
        .collectAsList().stream().map(r -> r.<String>getAs("record_key")).toList());
    assertEquals(List.of(annId), table("silver/erased_customers").collectAsList().stream()
        .map(r -> r.<String>getAs("customer_id")).toList());
    List<String> hashes = table("silver/erasure_suppression").collectAsList().stream()
        .map(r -> r.<String>getAs("identifier_hash")).toList();
    assertEquals(2, hashes.size(), "Ann's e-mail and phone");
    assertTrue(hashes.stream().allMatch(h -> h.matches("[0-9a-f]{64}")), "salted hashes only");

    // nightly writes the run report: stage outcomes, data quality and identity counts.
    io.audiencepipeline.report.RunSummary report = io.audiencepipeline.report.RunReport.read(
        org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
        new org.apache.hadoop.fs.Path(warehouse.resolve("reports/dt=2026-11-21").toUri()));
    assertEquals("ok", report.status());
    assertEquals(List.of("ingest/ok", "unify/ok", "features/ok"), report.stages().stream()
        .map(st -> st.name() + "/" + st.status()).toList());
    assertEquals(1, report.identity().customers());
    assertEquals(1, report.identity().newlyErased());
    assertTrue(Files.readString(warehouse.resolve("reports/dt=2026-11-21/report.html"))
        .contains("Identity resolution"));

    List<Row> profileOnce = table("silver/customer_profile/dt=2026-11-21").collectAsList();
    assertEquals(0, nightly("2026-11-21"), "re-running a date");
    assertEquals(profileOnce, table("silver/customer_profile/dt=2026-11-21").collectAsList());
    assertEquals(List.of("o2", "o3"), eventKeys(), "re-running replaces, never duplicates");

    // An old file delivered again, and a new order carrying only Ann's phone number.
    land("shop/orders", "2026-11-22", ORDERS + ANN_ORDER + "o4,,555-201-0100,US,,2026-11-21T09:00:00Z,9.00\n");
    assertEquals(0, nightly("2026-11-22"));
    assertEquals(List.of("Bob"), names("dt=2026-11-22"));
    assertEquals(List.of("o2", "o3"), eventKeys());
    assertFalse(table("silver/identity_map/dt=2026-11-22").where("record_key in ('o1', 'o4')").count() > 0);
  }

  /**
   * The timeline's files: one per event date, its rows in customer, time, source and record order (a sort that
   * did not begin with the date was replaced by Spark's sort on the date alone, leaving the shuffle's order).
   */
  @Test
  void eachTimelineDateIsOneFileSortedByCustomerAndTime() throws IOException {
    org.apache.spark.sql.SparkSession spark = SharedSpark.session();
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 240; i++) {
      // Descending customers and times, three dates, ties on customer and time broken by source and record.
      String customer = String.format("C%03d", 40 - i % 40);
      java.sql.Timestamp time = java.sql.Timestamp.valueOf("2026-11-2" + (i % 3) + " 1" + (9 - i % 7) + ":00:00");
      rows.add(RowFactory.create(customer, time, i % 2 == 0 ? "web" : "app", String.format("r%03d", 999 - i),
          time.toLocalDateTime().toLocalDate()));
    }
    Dataset<Row> timeline = spark.createDataFrame(rows, StructType.fromDDL(
        "customer_id string, event_time timestamp, source string, record_key string, event_date date")).repartition(5);
    io.audiencepipeline.io.Publisher publisher = new io.audiencepipeline.io.Publisher(
        new io.audiencepipeline.io.WarehouseLayout(warehouse.toUri().toString()),
        spark.sparkContext().hadoopConfiguration(), "sorted-timeline");
    Path staged = Path.of(UnifyStage.stageTimeline(timeline, publisher).toUri());

    int dates = 0;
    try (java.util.stream.Stream<Path> folders = Files.list(staged)) {
      for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
        List<Path> files;
        try (java.util.stream.Stream<Path> listed = Files.list(folder)) {
          files = listed.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
        }
        assertEquals(1, files.size(), folder + " holds one file");
        List<Row> written = spark.read().parquet(files.get(0).toString()).select("customer_id", "event_time", "source", "record_key").collectAsList();
        List<Row> sorted = spark.read().parquet(files.get(0).toString()).select("customer_id", "event_time", "source", "record_key")
            .orderBy("customer_id", "event_time", "source", "record_key").collectAsList();
        assertEquals(80, written.size(), folder.toString());
        assertEquals(sorted, written, folder + " in customer and time order");
        dates++;
      }
    }
    assertEquals(3, dates);
  }
}
