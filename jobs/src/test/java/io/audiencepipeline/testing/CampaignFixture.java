package io.audiencepipeline.testing;

import io.audiencepipeline.cli.AudiencePipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
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
}
