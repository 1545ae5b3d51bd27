package io.audiencepipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.cli.AudiencePipeline;
import io.audiencepipeline.run.ExitCode;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest end to end through the CLI on a tiny landing zone, for source systems the code has never
 * seen: everything about them is in the test's HOCON.
 */
class IngestStageTest {
  private static final String RUN_DATE = "2026-11-21";

  /** A club-membership CSV feed: wall-clock times in the row's own zone, phones in national formats. */
  private static final String CONFIG = """
      audience.unify.salt = "ingest-test-salt-0123456789"
      audience.sources {
        club_visits {
          system = club, format = csv, path = "club/visits", required = true, max-bad-row-rate = 0.9
          timezone-column = tz
          columns = ["visit_id string", "member_mail string", "mobile string", "country string",
                     "kind string", "tz string", "visited timestamp(dd.MM.yyyy HH:mm)", "spend decimal(8,2)"]
          record-key = [visit_id]
          required-columns = [kind, visited]
          event-time = visited
          identifiers { email = member_mail, phone { column = mobile, region-column = country } }
          fields { amount = spend }
          event-type { column = kind, values { view = page_view, buy = order } }
          constraints = ["spend >= 0"]
        }
        club_app {
          system = club, format = json, path = "club/app", max-bad-row-rate = 0.7
          columns = ["id string", "device string", "at timestamp(epoch-millis)"]
          record-key = [id]
          required-columns = [at]
          event-time = at
          identifiers { device_id = device }
          event-type = app_open
        }
      }
      """;

  private static final String VISITS_HEADER = "visit_id,member_mail,mobile,country,kind,tz,visited,spend\n";

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
    land("club/app", RUN_DATE, "part-0.json", """
        {"id":"a1","device":"D-1","at":1763683200000}
        {"id":"a2","device":"D-2","at":"soon"}
        {"id":"a3","device":"D-3",
        """);
  }

  private void land(String path, String date, String file, String content) throws IOException {
    Path folder = landing.resolve(path).resolve("dt=" + date);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(file), content);
  }

  private int ingest(String... extra) {
    List<String> args = new ArrayList<>(List.of("ingest", "--run-date", RUN_DATE,
        "--config", config.toString(),
        "-Daudience.landing=" + landing.toUri(), "-Daudience.warehouse=" + warehouse.toUri()));
    args.addAll(List.of(extra));
    return AudiencePipeline.execute(args.toArray(String[]::new), s -> SharedSpark.session(), false);
  }

  private static SparkSession spark() {
    return SharedSpark.session();
  }

  private List<String> rows(Path table, String... columns) {
    return spark().read().parquet(table.toString()).selectExpr(columns).orderBy("record_key").collectAsList()
        .stream().map(Row::toString).toList();
  }

  @Test
  void goodRowsAreTypedAndNormalisedAndBadRowsAreQuarantinedWithTheirReason() throws IOException {
    // Numbers no time can be: Spark's own conversion would overflow on the first and fail the whole run.
    land("club/app", RUN_DATE, "part-1.json", """
        {"id":"a4","device":"D-4","at":9223372036854775807}
        {"id":"a5","device":"D-5","at":1763683200000000}
        """);
    land("club/visits", RUN_DATE, "visits.csv", VISITS_HEADER
        + "v1, Ann.Lee@Example.com ,(415) 555-0132,US,buy,America/Chicago,20.11.2026 18:30,12.50\n"
        + "v2,,020 7946 0018,GB,view,Europe/London,20.11.2026 09:05,\n"
        + "v3,bob@example.com,,US,buy,America/Chicago\n"
        + "v4,bob@example.com,,US,,UTC,20.11.2026 10:00,1.00\n"
        + "v5,bob@example.com,,US,buy,UTC,31.02.2026 10:00,1.00\n"
        + "v6,bob@example.com,,US,buy,UTC,01.01.1899 10:00,1.00\n"
        + "v7,bob@example.com,,US,buy,UTC,20.11.2026 10:00,-5.00\n"
        + "v8,bob@example.com,,US,refund,UTC,20.11.2026 10:00,1.00\n"
        + "v9,not-an-email,,US,view,UTC,20.11.2026 10:00,\n"
        + "v10,bob@example.com,,US,buy,Mars/Base,20.11.2026 10:00,1.00\n"
        + ",bob@example.com,,US,view,UTC,20.11.2026 10:00,\n");

    assertEquals(ExitCode.OK.code(), ingest());

    Path bronze = warehouse.resolve("bronze/club_visits/dt=" + RUN_DATE);
    assertEquals(List.of(
            "[club_visits,v1,2026-11-21 00:30:00,order,ann.lee@example.com,+14155550132,12.50]",
            "[club_visits,v2,2026-11-20 09:05:00,page_view,null,+442079460018,null]"),
        rows(bronze, "source", "record_key", "cast(event_time as string)", "event_type", "email", "phone",
            "cast(amount as string)"));
    assertTrue(Files.exists(bronze.resolve("_SUCCESS")));

    Path quarantine = warehouse.resolve("quarantine/club_visits/dt=" + RUN_DATE);
    assertEquals(List.of(
            "[null,missing_required_column:visit_id]",
            "[v10,unparseable_value:visited]",
            "[v3,malformed_record]",
            "[v4,missing_required_column:kind]",
            "[v5,unparseable_value:visited]",
            "[v6,impossible_date:visited]",
            "[v7,constraint_failed:spend >= 0]",
            "[v8,unmapped_event_type:kind]",
            "[v9,no_identifier]"),
        rows(quarantine, "record_key", "reason"));
    Row malformed = spark().read().parquet(quarantine.toString()).where("record_key = 'v3'").first();
    assertTrue(malformed.<String>getAs("origin_file").endsWith("club/visits/dt=" + RUN_DATE + "/visits.csv"));
    assertEquals("v3,bob@example.com,,US,buy,America/Chicago", malformed.<String>getAs("raw_record"));

    assertEquals(List.of("[a1,2025-11-21 00:00:00,D-1,app_open]"),
        rows(warehouse.resolve("bronze/club_app/dt=" + RUN_DATE), "record_key", "cast(event_time as string)",
            "device_id", "event_type"));
    assertEquals(List.of("[null,malformed_record]", "[a2,unparseable_value:at]", "[a4,unparseable_value:at]",
            "[a5,unparseable_value:at]"),
        rows(warehouse.resolve("quarantine/club_app/dt=" + RUN_DATE), "record_key", "reason"));
  }

  /**
   * Every reason of a row, in the declared order; the identifiers a good row carried but could not normalise; the
   * raw record kept for bad rows only, as JSON of the declared columns' raw text; bronze's exact columns.
   */
  @Test
  void aBadRowKeepsEveryReasonInOrderAndItsRawRecordAndGoodRowsTheirInvalidIdentifiers() throws IOException {
    land("club/visits", RUN_DATE, "visits.csv", VISITS_HEADER
        + "v1,ann@example.com,12,US,buy,UTC,20.11.2026 10:00,1.00\n"
        + "v2,not-an-email,,US,,UTC,01.01.1899 10:00,-1.00\n"
        + "v3,x@@y,123,US,walk,UTC,20.11.2026 10:00,lots\n");

    assertEquals(ExitCode.OK.code(), ingest());

    Path bronze = warehouse.resolve("bronze/club_visits/dt=" + RUN_DATE);
    assertEquals(List.of("source", "record_key", "event_time", "event_type", "email", "phone", "account_id",
            "cookie_id", "device_id", "loyalty_id", "crm_contact_id", "hashed_email", "invalid_identifiers", "amount",
            "origin_file"),
        List.of(spark().read().parquet(bronze.toString()).columns()));
    assertEquals(List.of("[v1,ann@example.com,null,ArraySeq(phone)]"),
        rows(bronze, "record_key", "email", "phone", "invalid_identifiers"));
    Path quarantine = warehouse.resolve("quarantine/club_visits/dt=" + RUN_DATE);
    assertEquals(List.of(
            "[v2,ArraySeq(missing_required_column:kind, impossible_date:visited, constraint_failed:spend >= 0,"
                + " no_identifier),{\"visit_id\":\"v2\",\"member_mail\":\"not-an-email\",\"country\":\"US\","
                + "\"tz\":\"UTC\",\"visited\":\"01.01.1899 10:00\",\"spend\":\"-1.00\"}]",
            "[v3,ArraySeq(unparseable_value:spend, unmapped_event_type:kind, no_identifier),{\"visit_id\":\"v3\","
                + "\"member_mail\":\"x@@y\",\"mobile\":\"123\",\"country\":\"US\",\"kind\":\"walk\",\"tz\":\"UTC\","
                + "\"visited\":\"20.11.2026 10:00\",\"spend\":\"lots\"}]"),
        rows(quarantine, "record_key", "reasons", "raw_record"));
  }

  @Test
  void aBadRowRateOverTheLimitRejectsTheRunAndPublishesNoBronze() throws IOException {
    land("club/visits", RUN_DATE, "visits.csv", VISITS_HEADER
        + "v1,ann@example.com,,US,buy,UTC,20.11.2026 10:00,1.00\n");
    Files.writeString(config, CONFIG + "audience.sources.club_app.max-bad-row-rate = 0.5\n");
    // By default 2 bad rows of 3 are judged over 200 rows (1%): a tiny delivery passes ...
    assertEquals(ExitCode.OK.code(), ingest());

    // ... and with the floor at 1 row the same delivery is 67% bad, over its 50% limit.
    Files.writeString(config, CONFIG + "audience.sources.club_app.max-bad-row-rate = 0.5\n"
        + "audience.ingest.bad-row-rate-min-rows = 1\n");
    warehouse = dir.resolve("warehouse-strict");
    assertEquals(ExitCode.INPUT_REJECTED.code(), ingest());

    assertFalse(Files.exists(warehouse.resolve("bronze")), "no bronze may be published");
    assertTrue(Files.exists(warehouse.resolve("quarantine/club_app/dt=" + RUN_DATE + "/_SUCCESS")),
        "the rejected rows stay inspectable");
    assertFalse(Files.exists(warehouse.resolve("_staging/" )) && hasChildren(warehouse.resolve("_staging")));
  }

  @Test
  void aMissingRequiredSourceRejectsTheRun() {
    assertEquals(ExitCode.INPUT_REJECTED.code(), ingest());
    assertFalse(Files.exists(warehouse.resolve("bronze")));
  }

  @Test
  void anEmptyRequiredSourceRejectsTheRun() throws IOException {
    land("club/visits", RUN_DATE, "visits.csv", VISITS_HEADER);
    assertEquals(ExitCode.INPUT_REJECTED.code(), ingest(), "a required source allows no empty night by default");
    assertFalse(Files.exists(warehouse.resolve("bronze")));
  }

  @Test
  void aHeaderThatDoesNotMatchTheDeclarationRejectsTheRun() throws IOException {
    land("club/visits", RUN_DATE, "visits.csv", VISITS_HEADER.replace("member_mail", "email")
        + "v1,ann@example.com,,US,buy,UTC,20.11.2026 10:00,1.00\n");
    assertEquals(ExitCode.INPUT_REJECTED.code(), ingest());
    assertFalse(Files.exists(warehouse.resolve("bronze")));
  }

  @Test
  void reRunningADateReplacesItsOutputsAndABackfillWritesOnePartitionPerLandingDate() throws IOException {
    land("club/visits", "2026-11-20", "visits.csv", VISITS_HEADER
        + "v0,ann@example.com,,US,view,UTC,19.11.2026 10:00,\n");
    land("club/visits", RUN_DATE, "visits.csv", VISITS_HEADER
        + "v1,ann@example.com,,US,buy,UTC,20.11.2026 10:00,1.00\n"
        + "v2,bob@example.com,,US,buy,UTC,20.11.2026 11:00,2.00\n");
    assertEquals(0, ingest("--from", "2026-11-20"));
    assertEquals(List.of("[v0]"), rows(warehouse.resolve("bronze/club_visits/dt=2026-11-20"), "record_key"));

    land("club/visits", RUN_DATE, "visits.csv", VISITS_HEADER
        + "v1,ann@example.com,,US,buy,UTC,20.11.2026 10:00,1.00\n");
    assertEquals(0, ingest());
    assertEquals(0, ingest());

    assertEquals(List.of("[v1]"), rows(warehouse.resolve("bronze/club_visits/dt=" + RUN_DATE), "record_key"));
    assertEquals(List.of("[v0]"), rows(warehouse.resolve("bronze/club_visits/dt=2026-11-20"), "record_key"));
    assertFalse(hasChildren(warehouse.resolve("_staging")), "staging is cleaned after the run");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(ExitCode.BAD_CONFIG.code(), AudiencePipeline.execute(
        new String[] {"ingest", "--config", config.toString()}, s -> spark(), false));
    assertEquals(ExitCode.BAD_CONFIG.code(), AudiencePipeline.execute(
        new String[] {"ingest", "--run-date", "21/11/2026"}, s -> spark(), false));
    assertEquals(ExitCode.BAD_CONFIG.code(), AudiencePipeline.execute(
        new String[] {"launch-rockets"}, s -> spark(), false));
    assertEquals(ExitCode.BAD_CONFIG.code(), ingest("--colour", "blue"));
    // report with no stage records for the date has nothing to assemble (and must not publish an empty report).
    assertEquals(ExitCode.BAD_CONFIG.code(), AudiencePipeline.execute(new String[] {"report", "--run-date", RUN_DATE,
        "--config", config.toString(), "-Daudience.warehouse=" + warehouse.toUri()}, s -> SharedSpark.session(),
        false));
    assertFalse(Files.exists(warehouse.resolve("reports/dt=" + RUN_DATE)), "no report was published");
  }

  private static boolean hasChildren(Path folder) {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (Stream<Path> children = Files.list(folder)) {
      return children.findAny().isPresent();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
