package io.audiencepipeline.unify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.report.StageRecords;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incremental unify against the full one: the same landing zone is ingested and unified night by night into
 * two warehouses, one with {@code audience.unify.incremental} on, and every silver table must hold the same rows
 * after every night. The second night is incremental (a new customer, a record that merges two customers, a
 * record delivered again with a new name, an identifier that becomes over-shared, an untouched customer whose
 * preferred channel changes as the engagement window slides); the third carries an erasure request; the fourth
 * an over-shared identifier again and an order with the erased person's e-mail. Every night after the first is
 * incremental. The features stage follows each unify: after an incremental unify it carries the untouched
 * customers' features over (windows of 1 and 2 days, so counts leave them as the nights pass), and must give
 * the rows of building every customer.
 */
class UnifyIncrementalTest {
  private static final String CONFIG = """
      audience.unify.salt = "unify-incremental-salt-0123456789"
      audience.unify.preferred-channel.window-days = 2
      audience.unify.survivorship { first_name { rule = most-recent } }
      audience.features { windows-days = [1, 2], purchase-event-types = [order] }
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
        touches {
          system = marketing, format = csv, path = "marketing/touches", channel = email, max-bad-row-rate = 0.5
          columns = ["touch_id string", "email string", "kind string", "touched_at timestamp(iso)"]
          record-key = [touch_id]
          event-time = touched_at
          identifiers { email = email }
          event-type { column = kind, values { open = email_open, click = ad_click } }
        }
        consent {
          system = privacy, format = csv, path = "privacy/consent", max-bad-row-rate = 0.5
          columns = ["consent_id string", "email string", "channel string", "given_at timestamp(iso)"]
          record-key = [consent_id]
          event-time = given_at
          identifiers { email = email }
          fields { channel = channel }
          event-type = consent_opt_in
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
      """;
  private static final String ORDERS = "order_id,email,phone,country,first_name,ordered_at,amount\n";
  private static final String TOUCHES = "touch_id,email,kind,touched_at\n";
  private static final String CONSENT = "consent_id,email,channel,given_at\n";
  private static final List<String> TABLES = List.of("silver/identity_nodes/dt=%s", "silver/identity_map/dt=%s",
      "silver/identity_merges/dt=%s", "silver/identity_overshared/dt=%s", "silver/customer_profile/dt=%s",
      "silver/customer_events", "silver/erasure_suppression", "silver/erased_customers", "gold/features/as_of=%s");

  @TempDir
  Path dir;

  private void land(String path, String date, String content) throws IOException {
    Path folder = dir.resolve("landing").resolve(path).resolve("dt=" + date);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("part-0.csv"), content);
  }

  private void night(String warehouse, boolean incremental, String date) throws IOException {
    // Odd days join the incremental night's key sets by shuffling (0), even days broadcast them (the default).
    long broadcastRows = LocalDate.parse(date).getDayOfMonth() % 2 == 1 ? 0 : 5_000_000;
    for (String command : List.of("ingest", "unify", "features")) {
      run(command, warehouse, date, "-Daudience.unify.incremental=" + incremental,
          "-Daudience.unify.broadcast-rows=" + broadcastRows);
    }
  }

  private void run(String command, String warehouse, String date, String... settings) throws IOException {
    runWith(CONFIG, command, warehouse, date, settings);
  }

  private void runWith(String hocon, String command, String warehouse, String date, String... settings)
      throws IOException {
    Path config = dir.resolve("test.conf");
    Files.writeString(config, hocon);
    List<String> args = new ArrayList<>(List.of(command, "--run-date", date, "--config", config.toString(),
        "-Daudience.landing=" + dir.resolve("landing").toUri(),
        "-Daudience.warehouse=" + dir.resolve(warehouse).toUri()));
    args.addAll(List.of(settings));
    assertEquals(0, AudiencePipeline.execute(args.toArray(String[]::new), s -> SharedSpark.session(), false),
        command + " " + date);
  }

  /** Ingest and unify the date into both warehouses. */
  private void bothNights(String date) throws IOException {
    night("full", false, date);
    night("incremental", true, date);
  }

  /** Every row of a table as text, sorted (rows hold arrays and maps, so they are compared as strings). */
  private List<String> rows(String warehouse, String table) {
    Dataset<Row> rows = SharedSpark.session().read().parquet(dir.resolve(warehouse).resolve(table).toString());
    String[] columns = rows.columns();
    Arrays.sort(columns);
    return rows.selectExpr(columns).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  /** The unify stage's report of the night, from its stage record. */
  private UnifyReport report(String warehouse, String date) throws IOException {
    WarehouseLayout layout = new WarehouseLayout(dir.resolve(warehouse).toUri().toString());
    return StageRecords.read(FileSystem.getLocal(new Configuration()), layout, LocalDate.parse(date),
        AudiencePipeline.NIGHTLY_STAGES).stream().filter(r -> r.command().equals("unify")).findFirst()
        .orElseThrow().identity();
  }

  private String resolution(String warehouse, String date) throws IOException {
    return report(warehouse, date).resolution();
  }

  /** The features stage's summary of the night. */
  private String features(String warehouse, String date) throws IOException {
    WarehouseLayout layout = new WarehouseLayout(dir.resolve(warehouse).toUri().toString());
    return StageRecords.read(FileSystem.getLocal(new Configuration()), layout, LocalDate.parse(date),
        AudiencePipeline.NIGHTLY_STAGES).stream().filter(r -> r.command().equals("features")).findFirst()
        .orElseThrow().stages().stream().filter(s -> s.name().equals("features")).findFirst().orElseThrow()
        .summary();
  }

  /** The report's counts, without how the night was resolved. */
  private UnifyReport counts(String warehouse, String date) throws IOException {
    UnifyReport r = report(warehouse, date);
    return new UnifyReport(r.records(), r.attributedRecords(), r.unattributedRecords(), r.erasedRecords(),
        r.customers(), r.newCustomers(), r.merged(), r.split(), r.newlyErased(), r.events(), r.overSharedByGuard(),
        "");
  }

  private void assertSameOutputs(String date) throws IOException {
    for (String table : TABLES) {
      String relative = table.formatted(date);
      assertEquals(rows("full", relative), rows("incremental", relative), relative);
    }
    assertEquals(counts("full", date), counts("incremental", date), "the report's counts of " + date);
  }

  @Test
  void incrementalNightsGiveTheFullNightsOutputs() throws IOException {
    land("shop/orders", "2026-11-19", ORDERS
        + "o1,ann@x.com,555-201-0100,US,Ann,2026-11-18T10:00:00Z,25.00\n"
        + "o2,bob@x.com,,US,Bob,2026-11-18T11:00:00Z,40.00\n"
        + "o3,cat@x.com,555-201-0300,US,Cat,2026-11-19T09:00:00Z,12.50\n"
        + "o4,dan@x.com,,US,Dan,2026-11-17T09:00:00Z,30.00\n"
        // Customers no later night touches (an incremental night resolves at most half the customers again).
        + "f1,fay@x.com,,US,Fay,2026-11-10T09:00:00Z,1.00\nf2,gus@x.com,,US,Gus,2026-11-11T09:00:00Z,2.00\n"
        + "f3,hal@x.com,,US,Hal,2026-11-12T09:00:00Z,3.00\nf4,ida@x.com,,US,Ida,2026-11-13T09:00:00Z,4.00\n");
    land("marketing/touches", "2026-11-19", TOUCHES
        + "t1,dan@x.com,click,2026-11-18T12:00:00Z\n"
        + "t2,ann@x.com,open,2026-11-19T07:00:00Z\n");
    land("privacy/consent", "2026-11-19", CONSENT
        + "c1,dan@x.com,email,2026-11-01T00:00:00Z\nc2,dan@x.com,ads,2026-11-01T00:00:00Z\n"
        + "c3,ann@x.com,email,2026-11-01T00:00:00Z\nc4,eve@x.com,email,2026-11-19T00:00:00Z\n");
    bothNights("2026-11-19");
    assertSameOutputs("2026-11-19");
    assertTrue(resolution("incremental", "2026-11-19").startsWith("full (no published identity_nodes"),
        resolution("incremental", "2026-11-19"));

    // Eve is new, o6 joins Bob and Cat, Ann's first order comes again with a new name, Zed's order makes Ann's
    // phone over-shared (two first names), Dan has no new record.
    land("shop/orders", "2026-11-20", ORDERS
        + "o1,ann@x.com,555-201-0100,US,Anne,2026-11-18T10:00:00Z,25.00\n"
        + "o5,eve@x.com,,GB,Eve,2026-11-20T08:00:00Z,19.99\n"
        + "o6,bob@x.com,555-201-0300,US,Cat,2026-11-20T09:30:00Z,55.00\n"
        + "o9,zed@x.com,555-201-0100,US,Zed,2026-11-20T11:00:00Z,8.00\n");
    land("marketing/touches", "2026-11-20", TOUCHES + "t3,cat@x.com,open,2026-11-20T07:00:00Z\n");
    bothNights("2026-11-20");
    assertEquals("incremental from 2026-11-19", resolution("incremental", "2026-11-20"));
    assertEquals("full (audience.unify.incremental is off)", resolution("full", "2026-11-20"));
    String carried = features("incremental", "2026-11-20");
    Matcher counts = Pattern.compile("^(\\d+) customers x \\d+ features, (\\d+) built")
        .matcher(carried);
    assertTrue(carried.endsWith("(incremental from 2026-11-19)") && counts.find(), carried);
    assertTrue(Integer.parseInt(counts.group(2)) < Integer.parseInt(counts.group(1)), "some rows carried: " + carried);
    assertTrue(features("full", "2026-11-20").contains("(full (the timeline was not written by an incremental"),
        features("full", "2026-11-20"));
    assertSameOutputs("2026-11-20");
    List<String> merges = rows("incremental", "silver/identity_merges/dt=2026-11-20");
    assertEquals(1, merges.size(), "Bob and Cat became one customer: " + merges);
    assertTrue(rows("incremental", "silver/customer_profile/dt=2026-11-20").stream().anyMatch(r -> r.contains("Anne")));
    assertEquals(1, rows("incremental", "silver/identity_overshared/dt=2026-11-20").size(), "Ann's phone");
    List<String> danYesterday = rows("incremental", "silver/customer_profile/dt=2026-11-19").stream()
        .filter(r -> r.contains("dan@x.com")).toList();
    List<String> danToday = rows("incremental", "silver/customer_profile/dt=2026-11-20").stream()
        .filter(r -> r.contains("dan@x.com")).toList();
    assertEquals(1, danToday.size());
    assertNotEquals(danYesterday, danToday, "Dan's ad click left the engagement window: his preferred channel moved");

    // An erasure request erases only the customer it touches: resolved incrementally too.
    land("privacy/forget", "2026-11-21", "request_id,email,received_at\nf1,eve@x.com,2026-11-21T08:00:00Z\n");
    land("shop/orders", "2026-11-21", ORDERS + "o7,dan@x.com,,US,Dan,2026-11-21T10:00:00Z,5.00\n");
    // Fay's open is dated the next day: untouched on 2026-11-22, she has an event dated that day (built again).
    land("marketing/touches", "2026-11-21", TOUCHES + "t4,fay@x.com,open,2026-11-22T01:00:00Z\n");
    bothNights("2026-11-21");
    assertEquals("incremental from 2026-11-20", resolution("incremental", "2026-11-21"));
    assertTrue(features("incremental", "2026-11-21").endsWith("(incremental from 2026-11-20)"),
        features("incremental", "2026-11-21"));
    assertSameOutputs("2026-11-21");
    assertEquals(1, counts("incremental", "2026-11-21").newlyErased(), "Eve");

    // Ann's over-shared phone comes again (it keeps its guard), and Eve's suppressed e-mail on a new order (the
    // order is erased on arrival). Eve's erased first order and consent are delivered again, the order unchanged
    // (it stays erased), the consent with another address (it comes back, as a new customer).
    land("shop/orders", "2026-11-22", ORDERS + "o8,ann@x.com,555-201-0100,US,Anne,2026-11-22T10:00:00Z,7.00\n"
        + "o10,eve@x.com,,GB,Eve,2026-11-22T11:00:00Z,3.00\n"
        + "o5,eve@x.com,,GB,Eve,2026-11-20T08:00:00Z,19.99\n");
    land("privacy/consent", "2026-11-22", CONSENT + "c4,yan@x.com,email,2026-11-19T00:00:00Z\n");
    bothNights("2026-11-22");
    assertEquals("incremental from 2026-11-21", resolution("incremental", "2026-11-22"));
    assertTrue(features("incremental", "2026-11-22").endsWith("(incremental from 2026-11-21)"),
        features("incremental", "2026-11-22"));
    assertSameOutputs("2026-11-22");
    assertTrue(rows("incremental", "silver/customer_profile/dt=2026-11-22").stream().anyMatch(r -> r.contains("yan@x.com")),
        "the re-delivered consent with a new address lives");

    // Other feature settings build every customer; so do the features of 2026-11-22 once those of 2026-11-21 are
    // built again (in full: the timeline is the next night's), as they no longer come from the timeline the unify
    // of 2026-11-22 carried over.
    runWith(CONFIG + "audience.features.windows-days = [1, 3]\n", "features", "incremental", "2026-11-22");
    assertTrue(features("incremental", "2026-11-22").endsWith("(full (the feature settings, the time zone or the code"
        + " changed since 2026-11-21))"), features("incremental", "2026-11-22"));
    run("features", "incremental", "2026-11-21");
    assertTrue(features("incremental", "2026-11-21").endsWith("(full (the timeline was not written by an incremental"
        + " unify of 2026-11-21))"), features("incremental", "2026-11-21"));
    run("features", "incremental", "2026-11-22");
    assertTrue(features("incremental", "2026-11-22").endsWith("(full (the features of 2026-11-21 were not built from"
        + " the timeline tonight's unify carried over))"), features("incremental", "2026-11-22"));
    assertSameOutputs("2026-11-22");
  }
}
