package io.audiencepipeline.generate;

import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** One small generated sample per test JVM, shared by the generator's test classes (generation takes a minute). */
final class GeneratedSample {
  static final long PEOPLE = 400;
  static final long SEED = 7;
  static final LocalDate END_DATE = LocalDate.of(2026, 11, 21);
  static final int DAYS = 14;

  /** The landing contract of docs/DATA.md, written out here so that the test catches drift in either. */
  static final Map<String, List<String>> COLUMNS = Map.ofEntries(
      Map.entry("marketing/email_events",
          List.of("event_id", "email_address", "event_type", "campaign_id", "category", "event_time")),
      Map.entry("marketing/ad_events", List.of("event_id", "cookie_id", "event", "ad_campaign", "category", "ts")),
      Map.entry("marketing/event_attendance", List.of("registration_id", "email", "first_name", "last_name",
          "event_name", "event_format", "category", "event_date", "attended")),
      Map.entry("marketing/campaign_outcomes",
          List.of("outcome_id", "email_address", "campaign_id", "offer_date", "responded")),
      Map.entry("ecommerce/accounts", List.of("account_id", "email", "first_name", "last_name", "phone",
          "birth_date", "postcode", "country", "created_at", "updated_at")),
      Map.entry("ecommerce/orders", List.of("order_id", "account_id", "guest_email", "order_ts", "currency",
          "total_amount", "channel")),
      Map.entry("ecommerce/order_lines", List.of("line_id", "order_id", "account_id", "guest_email", "order_ts",
          "sku", "category", "quantity", "unit_price")),
      Map.entry("ecommerce/carts",
          List.of("cart_event_id", "account_id", "cookie_id", "action", "sku", "category", "ts")),
      Map.entry("ecommerce/web_events", List.of("event_id", "session_id", "cookie_id", "account_id", "event",
          "page_url", "sku", "category", "ts")),
      Map.entry("sales/crm_contacts", List.of("Contact ID", "First Name", "Last Name", "Email", "Phone",
          "Mailing Postal Code", "Mailing Country", "Last Modified Date")),
      Map.entry("sales/opportunities", List.of("Opportunity ID", "Contact ID", "Stage", "Product Category",
          "Amount", "Sales Visit Requested", "Created Date")),
      Map.entry("service/cases", List.of("case_number", "email", "phone", "country", "category", "status",
          "satisfaction", "opened_at", "closed_at")),
      Map.entry("mobile/app_events",
          List.of("event_id", "device_id", "account_id", "event_name", "sku", "category", "client_ts")),
      Map.entry("stores/pos_transactions", List.of("transaction_line_id", "transaction_id", "store_id",
          "store_tz", "loyalty_card", "phone", "country", "local_time", "sku", "category", "quantity", "amount")),
      Map.entry("consent/consent_events", List.of("consent_event_id", "email", "phone", "account_id", "country",
          "channel", "action", "recorded_at")),
      Map.entry("consent/erasure_requests", List.of("request_id", "email", "phone", "country", "received_at")),
      Map.entry("external/enrichment", List.of("record_id", "hashed_email", "address_line", "postcode", "country",
          "lifestyle_segment", "income_band", "outdoor_affinity", "has_children", "delivered_at")));

  private static GeneratorSettings settings;
  private static GenerationSummary summary;

  private GeneratedSample() {
  }

  static synchronized GeneratorSettings settings() {
    if (settings == null) {
      settings = new GeneratorSettings(PEOPLE, SEED, END_DATE, DAYS, temporaryDirectory("generated-sample"));
    }
    return settings;
  }

  static synchronized GenerationSummary summary() {
    if (summary == null) {
      summary = SampleDataGenerator.run(SharedSpark.session(), settings());
    }
    return summary;
  }

  static Path root() {
    summary();
    return Path.of(settings().outputPath());
  }

  static String temporaryDirectory(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      Files.delete(dir);
      // The generator creates it; removed when the test JVM ends, so test runs do not fill the temporary folder.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile())));
      return dir.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
