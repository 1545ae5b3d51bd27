package io.audiencepipeline.unify;

import static io.audiencepipeline.unify.UnifyFixtures.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.config.UnifySettings;
import io.audiencepipeline.config.UnifySettings.Rule;
import io.audiencepipeline.config.UnifySettings.Survivorship;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Survivorship per rule, consent precedence and the preferred channel, on two hand-made customers. */
class ProfilesTest {
  private static final LocalDate RUN_DATE = LocalDate.of(2026, 11, 21);
  private static final UnifySettings SETTINGS = UnifyFixtures.settings(List.of(
      new Survivorship("first_name", Rule.SOURCE_PRIORITY, List.of("accounts", "crm")),
      new Survivorship("postcode", Rule.MOST_RECENT, List.of()),
      new Survivorship("country", Rule.MOST_FREQUENT, List.of()),
      new Survivorship("email", Rule.MOST_FREQUENT, List.of())));

  private static Map<String, Row> profiles;

  private static UnifyFixtures.Rec ann(String key, String source, String time) {
    return rec(key).with("source", source).with("customer_id", "C-ann").at(time);
  }

  private static UnifyFixtures.Rec bob(String key, String time) {
    return rec(key).with("customer_id", "C-bob").at(time);
  }

  @BeforeAll
  static void build() {
    Dataset<Row> records = UnifyFixtures.recordsWithCustomer(
        // Names: accounts outranks the newer CRM spelling.
        ann("a1", "accounts", "2026-01-01 10:00:00").with("first_name", "Ann").with("postcode", "10001")
            .with("country", "US").with("email", "ann@x.com"),
        ann("c1", "crm", "2026-06-01 10:00:00").with("first_name", "Annie").with("postcode", "94105")
            .with("country", "US").with("email", "info@shop.com"),
        ann("e1", "events", "2026-07-01 10:00:00").with("country", "GB").with("email", "info@shop.com"),
        ann("e2", "events", "2026-07-02 10:00:00").with("email", "info@shop.com"),
        // Consent: the latest event per channel wins; at the same instant opt-out wins.
        ann("k1", "consent", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "email"),
        ann("k2", "consent", "2026-09-05 10:00:00").with("event_type", "consent_opt_out").with("channel", "email"),
        ann("k3", "consent", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "sms"),
        ann("k4", "consent", "2026-09-01 10:00:00").with("event_type", "consent_opt_out").with("channel", "sms"),
        ann("k5", "consent", "2026-08-01 10:00:00").with("event_type", "consent_opt_out").with("channel", "ads"),
        ann("k6", "consent", "2026-10-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "ADS"),
        // Bob: e-mail opt-in, then a newsletter unsubscribe; ads opt-in and ad clicks; phone consent but no phone.
        bob("b1", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "email")
            .with("email", "bob@x.com"),
        bob("b2", "2026-10-01 10:00:00").with("event_type", "email_unsubscribe").with("email", "bob@x.com"),
        bob("b3", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "ads"),
        bob("b4", "2026-09-01 10:00:00").with("event_type", "consent_opt_in").with("channel", "phone"),
        bob("b5", "2026-11-20 10:00:00").with("event_type", "ad_click").with("cookie_id", "K1"),
        bob("b6", "2026-01-20 10:00:00").with("event_type", "ad_click").with("cookie_id", "K1"));
    profiles = new TreeMap<>();
    Profiles.build(records, SETTINGS, RUN_DATE).collectAsList()
        .forEach(r -> profiles.put(r.getString(r.fieldIndex("customer_id")), r));
  }

  private static Object value(String customer, String column) {
    Row row = profiles.get(customer);
    Object value = row.get(row.fieldIndex(column));
    return value instanceof scala.collection.Seq<?> seq ? scala.jdk.javaapi.CollectionConverters.asJava(seq)
        : value;
  }

  @Test
  void survivorshipFollowsEachAttributesRule() {
    assertEquals("Ann", value("C-ann", "first_name"));
    assertEquals("accounts", value("C-ann", "first_name_source"));
    assertEquals("94105", value("C-ann", "postcode"), "most recent");
    assertEquals("crm", value("C-ann", "postcode_source"));
    assertEquals("US", value("C-ann", "country"), "most frequent, though GB is newer");
    assertEquals("ann@x.com", value("C-ann", "email"), "role mailboxes never survive, however frequent");
    assertEquals(List.of("ann@x.com"), value("C-ann", "emails"));
    assertEquals(List.of("accounts", "consent", "crm", "events"), value("C-ann", "sources"));
    assertEquals(10L, value("C-ann", "record_count"));
  }

  @Test
  void latestConsentWinsAndUnknownMeansNone() {
    assertEquals("opt_out", value("C-ann", "consent_email"));
    assertEquals("opt_out", value("C-ann", "consent_sms"), "opt-out wins a tie");
    assertEquals("opt_in", value("C-ann", "consent_ads"));
    assertEquals("unknown", value("C-ann", "consent_phone"));
    assertEquals("opt_out", value("C-bob", "consent_email"), "an unsubscribe withdraws e-mail consent");
  }

  @Test
  void preferredChannelIsConsentedReachableAndMostEngaged() {
    assertEquals("ads", value("C-ann", "preferred_channel"), "ads is Ann's only consented channel");
    assertEquals("ads", value("C-bob", "preferred_channel"), "phone consent without a phone number is unreachable");
  }
}
