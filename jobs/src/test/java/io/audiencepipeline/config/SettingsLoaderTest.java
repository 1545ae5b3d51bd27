package io.audiencepipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.identity.IdentifierKind;
import io.audiencepipeline.run.ExitCode;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
  private static final String MINIMAL_SOURCE = """
      audience.sources.shop_orders {
        system = shop, format = csv, path = "shop/orders", max-bad-row-rate = 0.1
        columns = ["id string", "mail string", "amount decimal(10,2)", "at timestamp(dd.MM.yyyy HH:mm)"]
        record-key = [id]
        event-time = at
        timezone = "Europe/Berlin"
        identifiers { email = mail }
        fields { amount = amount }
        event-type = order
      }
      audience.unify.salt = "test-salt-0123456789"
      """;

  @Test
  void theShippedSampleConfigurationIsValid() {
    Settings settings = SettingsLoader.load(List.of("../conf/application.conf"), Map.of());
    assertEquals(17, settings.sources().size());
    SourceSpec pos = settings.source("pos_transactions").orElseThrow();
    assertEquals("store_tz", pos.timezoneColumn());
    assertEquals("country", pos.identifiers().get(IdentifierKind.PHONE).regionColumn());
    assertEquals(64, settings.fingerprint().length());
  }

  @Test
  void parsesASourceDeclaration() {
    SourceSpec source = TestConfigs.settings(MINIMAL_SOURCE).source("shop_orders").orElseThrow();
    assertEquals(SourceSpec.SourceFormat.CSV, source.format());
    assertEquals(new ColumnType(ColumnType.Kind.TIMESTAMP, 0, 0, "dd.MM.yyyy HH:mm"), source.column("at").type());
    assertEquals(new ColumnType(ColumnType.Kind.DECIMAL, 10, 2, null), source.column("amount").type());
    assertEquals("mail", source.identifiers().get(IdentifierKind.EMAIL).column());
    assertEquals("order", source.eventType().constant());
    assertTrue(!source.required() && source.allowEmpty());
  }

  @Test
  void everyProblemIsReportedWithItsKey() {
    PipelineFailure failure = assertThrows(PipelineFailure.class, () -> TestConfigs.settings(MINIMAL_SOURCE + """
        audience.sources.shop_orders.format = xml
        audience.sources.shop_orders.timezone = "Mars/Olympus"
        audience.sources.shop_orders.record-key = [order_id]
        audience.sources.shop_orders.identifiers.fax = mail
        audience.sources.shop_orders.event-type = purchase
        audience.sources.shop_orders.constraints = ["amount >>= 0"]
        audience.ingest.max-days-after-run-date = soon
        """));
    assertEquals(ExitCode.BAD_CONFIG, failure.exitCode());
    assertMentions(failure.getMessage(),
        "audience.sources.shop_orders.format: expected csv, json or parquet",
        "audience.sources.shop_orders.timezone: unknown time zone",
        "audience.sources.shop_orders.record-key: column 'order_id' is not declared",
        "audience.sources.shop_orders.identifiers.fax: unknown identifier kind",
        "audience.sources.shop_orders.event-type: 'purchase' is not in audience.event-types",
        "audience.sources.shop_orders.constraints: 'amount >>= 0' is not a valid Spark SQL predicate",
        "audience.ingest.max-days-after-run-date: expected an integer");
  }

  @Test
  void recordTimesAreKeptWithinTheYearsTheUnifyRanks() {
    PipelineFailure failure = assertThrows(PipelineFailure.class, () -> TestConfigs.settings(MINIMAL_SOURCE + """
        audience.sources.shop_orders.fields { updated_at = amount, reasons = id, record_time = at,
          customer_since = at }
        audience.sources.shop_orders.max-days-after-run-date = 36501
        audience.ingest.earliest-valid-date = "0000-12-31"
        """));
    assertMentions(failure.getMessage(),
        "audience.sources.shop_orders.fields.updated_at: column 'amount' must be a date or timestamp",
        "audience.sources.shop_orders.fields.reasons: 'reasons' is reserved: the pipeline adds a column of that name",
        "audience.sources.shop_orders.fields.record_time: 'record_time' is reserved",
        "audience.sources.shop_orders.fields.customer_since: 'customer_since' is reserved",
        "audience.sources.shop_orders.max-days-after-run-date: must be between 0 and 36500",
        "audience.ingest.earliest-valid-date: must be 0001-01-01 or later");
    // A bad default is reported once, under its own key, not again for every source that inherits it.
    String inherited = assertThrows(PipelineFailure.class, () -> TestConfigs.settings(MINIMAL_SOURCE + """
        audience.ingest.max-days-after-run-date = 40000
        """)).getMessage();
    assertEquals(1, inherited.split("max-days-after-run-date: must be between", -1).length - 1, inherited);
    assertMentions(inherited,
        "audience.ingest.max-days-after-run-date: must be between 0 and 36500");
    SourceSpec source = TestConfigs.settings(MINIMAL_SOURCE + """
        audience.sources.shop_orders.fields.updated_at = at
        """).source("shop_orders").orElseThrow();
    assertEquals("at", source.fields().get("updated_at"));
  }

  @Test
  void unifyRulesAreCheckedAgainstTheSources() {
    PipelineFailure failure = assertThrows(PipelineFailure.class, () -> TestConfigs.settings(MINIMAL_SOURCE + """
        audience.unify.salt = short
        audience.unify.survivorship.amount { rule = newest }
        audience.unify.survivorship.shoe_size { rule = most-recent }
        audience.unify.survivorship.email { rule = source-priority, sources = [crm] }
        audience.unify.guards.max-first-names.fax = 2
        audience.unify.preferred-channel.order = [email, pigeon]
        audience.unify.broadcast-rows = -1
        audience.unify.incremental-broadcast-rows = 10
        """));
    assertMentions(failure.getMessage(),
        "audience.unify.salt: set a secret of at least 16 characters",
        "audience.unify.survivorship.amount.rule: expected most-recent, most-frequent or source-priority",
        "audience.unify.survivorship.shoe_size: no source provides a field or identifier named 'shoe_size'",
        "audience.unify.survivorship.email.sources: unknown source 'crm'",
        "audience.unify.guards.max-first-names.fax: unknown identifier kind 'fax'",
        "audience.unify.preferred-channel.order: 'pigeon' is not one of consent.channels",
        "audience.unify.broadcast-rows: must be 0 (never broadcast) or more",
        "audience.unify.incremental-broadcast-rows: renamed to audience.unify.broadcast-rows");
  }

  @Test
  void featureNamesCannotCollideInColumnNames() {
    PipelineFailure failure = assertThrows(PipelineFailure.class, () -> TestConfigs.settings(MINIMAL_SOURCE + """
        audience.features.categories = [climbing, "trail__running", "hiking_"]
        audience.features.counters.visits__climbing { event-types = [] }
        """));
    String message = failure.getMessage();
    for (String name : List.of("visits__climbing", "trail__running", "hiking_")) {
      assertTrue(message.contains("'" + name + "' must be snake_case without doubled or trailing underscores"),
          () -> "missing " + name + " in:\n" + message);
    }
    assertEquals(ExitCode.BAD_CONFIG, failure.exitCode());
  }

  @Test
  void modelSettingsAreChecked() {
    PipelineFailure failure = assertThrows(PipelineFailure.class, () -> TestConfigs.settings(MINIMAL_SOURCE + """
        audience.features.categories = [climbing]
        audience.models.targets {
          buys_rope { kind = purchase, category = ropes, horizon-days = 0 }
          Responds { kind = outcome, event-type = carrier_pigeon, outcome-field = responded, horizon-days = 30 }
          guess { kind = vibes, horizon-days = 30 }
        }
        audience.models.candidates.forest { kind = random-forest, max-iter = 10 }
        audience.models.try = [logistic, forest, neural]
        audience.models.calibration = magic
        audience.models.class-weights = heavy
        audience.models.promotion-tolerance = 2
        audience.models.min-history-days = forever
        audience.models.training-identifiers = [email, hashed_email, shoe_size]
        """));
    assertMentions(failure.getMessage(),
        "audience.models.targets.buys_rope.category: 'ropes' is not in audience.features.categories [climbing]",
        "audience.models.targets.buys_rope.horizon-days: must be at least 1",
        "target name 'Responds' must be snake_case",
        "audience.models.targets.Responds.event-type: 'carrier_pigeon' is not in audience.event-types",
        "audience.models.targets.guess.kind: 'vibes' is not one of",
        "audience.models.candidates.forest.kind: 'random-forest' is not one of",
        "audience.models.try: 'neural' is not declared in audience.models.candidates",
        "audience.models.calibration: 'magic' is not one of [platt, isotonic]",
        "audience.models.class-weights: 'heavy' is not one of [balanced, none]",
        "audience.models.promotion-tolerance: expected a number between 0 and 1, got 2",
        "audience.models.min-history-days: 'forever' is not a number of days (0 or more) or longest-window",
        "audience.models.training-identifiers: 'hashed_email' is not an identifier kind the profile lists [email,",
        "audience.models.training-identifiers: 'shoe_size' is not an identifier kind");
  }

  @Test
  void theSampleDeclaresItsPropensityTargets() {
    Settings settings = SettingsLoader.load(List.of("../conf/application.conf"), Map.of());
    assertEquals(List.of("buys_any_30d", "buys_camping_30d", "buys_climbing_30d", "buys_hiking_30d",
        "responds_to_offer_30d"), settings.models().targets().stream().map(t -> t.name()).toList());
    assertEquals(List.of("logistic", "gbt"), settings.models().training().candidates().stream()
        .map(c -> c.name()).toList());
    assertEquals(14, settings.models().training().minHistoryDays(), "the sample's 90 days hold no full window");
    assertEquals(89, SettingsLoader.load(List.of("../conf/application.conf"),
        Map.of("audience.models.min-history-days", "longest-window")).models().training().minHistoryDays());
  }

  @Test
  void missingRequiredKeysAreNamed() {
    PipelineFailure failure = assertThrows(PipelineFailure.class, () -> TestConfigs.settings("""
        audience.sources.bare { format = csv }
        """));
    assertTrue(failure.getMessage().contains("audience.sources.bare.path: is required"), failure::getMessage);
    assertTrue(failure.getMessage().contains("audience.sources.bare.columns: is required"), failure::getMessage);
  }

  @Test
  void laterConfigFilesAndOverridesWin(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("base.conf");
    Path site = dir.resolve("site.conf");
    Files.writeString(base, MINIMAL_SOURCE + "audience.warehouse = \"/base\"\naudience.landing = \"/landing\"\n");
    Files.writeString(site, "audience.warehouse = \"/site\"\n");
    Settings fromFiles = SettingsLoader.load(List.of(base.toString(), site.toString()), Map.of());
    assertEquals("/site", fromFiles.warehouse());
    Settings overridden = SettingsLoader.load(List.of(base.toString(), site.toString()),
        Map.of("audience.warehouse", "hdfs:///wh"));
    assertEquals("hdfs:///wh", overridden.warehouse());
    assertEquals("/landing", overridden.landing());
  }

  @Test
  void aMissingConfigFileIsAConfigError() {
    PipelineFailure failure = assertThrows(PipelineFailure.class,
        () -> SettingsLoader.load(List.of("/nonexistent/app.conf"), Map.of()));
    assertEquals(ExitCode.BAD_CONFIG, failure.exitCode());
    assertTrue(failure.getMessage().contains("/nonexistent/app.conf"));
  }

  @Test
  void campaignsAndDestinationsAreCheckedWithTheirKeys() {
    PipelineFailure failure = assertThrows(PipelineFailure.class, () -> TestConfigs.settings(MINIMAL_SOURCE + """
        audience.features.categories = [climbing]
        audience.segmentation.destinations {
          mail { format = xlsx, channel = email, key = address, columns = [{ name = email, value = "email" }] }
          ads { format = csv, channel = billboard, key = [Email], columns = [{ name = Email, value = "sha2(email" }] }
        }
        audience.campaigns.launch {
          priority = 1
          channels = [email, sms]
          holdout = 0.1
          segments = [{ name = all, when = "views >" }]
          destinations = [mail, fax]
        }
        """));
    assertMentions(failure.getMessage(),
        "audience.segmentation.destinations.mail.format: 'xlsx' is not one of",
        "audience.segmentation.destinations.mail.key: 'address' is not one of the destination's column names",
        "audience.segmentation.destinations.ads.channel: 'billboard' is neither 'all' nor one of",
        "audience.segmentation.destinations.ads.columns[0].value: is not a valid Spark SQL expression: "
            + "[PARSE_SYNTAX_ERROR]",
        "audience.campaigns.launch.segments[0].when: is not a valid Spark SQL expression",
        "audience.campaigns.launch.destinations: 'fax' is not one of audience.segmentation.destinations",
        "audience.campaigns.launch.destinations: no destination delivers on the campaign's channel 'sms'");
    assertEquals(ExitCode.BAD_CONFIG, failure.exitCode());
  }

  @Test
  void theSampleCampaignsDeliverEveryChannelTheyUse() {
    Settings settings = SettingsLoader.load(List.of("../conf/application.conf"), Map.of());
    SegmentationSettings segmentation = settings.segmentation();
    assertEquals(List.of("abandoned_cart", "app_reengagement", "climbing_launch", "sales_visit_nudge"),
        segmentation.campaigns().stream().map(SegmentationSettings.Campaign::name).toList());
    assertEquals(List.of("Email", "Phone"), segmentation.destinations().get("google_ads").keys());
    for (SegmentationSettings.Campaign campaign : segmentation.campaigns()) {
      for (String channel : campaign.channels()) {
        assertTrue(campaign.destinations().stream().map(d -> segmentation.destinations().get(d).channel())
            .anyMatch(channel::equals), campaign.name() + " has no destination for " + channel);
      }
    }
  }

  /** The message names every expected problem. */
  private static void assertMentions(String message, String... expected) {
    for (String problem : expected) {
      assertTrue(message.contains(problem), () -> "missing '" + problem + "' in:\n" + message);
    }
  }
}
