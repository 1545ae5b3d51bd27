package io.audiencepipeline.unify;

import io.audiencepipeline.config.UnifySettings;
import io.audiencepipeline.identity.LinkGuards;
import io.audiencepipeline.testing.SharedSpark;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/** In-memory bronze records and unify settings for the unify tests. */
final class UnifyFixtures {
  static final String SALT = "unit-test-salt-0123456789";
  static final StructType RECORDS = StructType.fromDDL(
      "source string, record_key string, event_type string, event_time timestamp, first_name string, last_name string,"
          + " email string, phone string, account_id string, cookie_id string, device_id string,"
          + " loyalty_id string, crm_contact_id string, hashed_email string, channel string,"
          + " country string, postcode string, record_time timestamp, dt date");

  static final StructType WITH_CUSTOMER = RECORDS.add("customer_id", "string").add("customer_since", "date");

  private UnifyFixtures() {
  }

  static UnifySettings settings(List<UnifySettings.Survivorship> survivorship) {
    return settings(survivorship, false);
  }

  static UnifySettings settings(List<UnifySettings.Survivorship> survivorship, boolean fuzzy) {
    LinkGuards guards = new LinkGuards(List.of("info"), Map.of("loyalty_id", 1, "phone", 1),
        Map.of("cookie_id", Map.of("account_id", 1)));
    return new UnifySettings(SALT, guards, new UnifySettings.Fuzzy(fuzzy, 0.85, 50), survivorship,
        List.of("email", "sms", "ads", "phone"), Map.of("email", List.of("email_unsubscribe")),
        new UnifySettings.PreferredChannel(List.of("email", "sms", "phone", "ads"),
            Map.of("email", List.of("email_open", "email_click"), "ads", List.of("ad_click")), 90), 3, false, 0);
  }

  /** A record builder: identifiers by column name, e.g. {@code rec("r1").with("email", "a@x.com")}. */
  static Rec rec(String key) {
    return new Rec(key);
  }

  static final class Rec {
    private final Object[] values = new Object[WITH_CUSTOMER.fields().length];

    Rec(String key) {
      set("source", "test");
      set("record_key", key);
      set("record_time", Timestamp.valueOf("2026-11-01 00:00:00"));
      set("dt", Date.valueOf(LocalDate.of(2026, 11, 1)));
    }

    Rec with(String column, Object value) {
      return set(column, value);
    }

    Rec at(String time) {
      set("event_time", Timestamp.valueOf(time));
      return set("record_time", Timestamp.valueOf(time));
    }

    private Rec set(String column, Object value) {
      values[WITH_CUSTOMER.fieldIndex(column)] = value;
      return this;
    }

    Row row() {
      return RowFactory.create(Arrays.copyOf(values, RECORDS.fields().length));
    }

    Row rowWithCustomer() {
      return RowFactory.create(Arrays.copyOf(values, values.length));
    }
  }

  /** Records already resolved: the fixture's columns plus customer_id and customer_since. */
  static Dataset<Row> recordsWithCustomer(Rec... recs) {
    return SharedSpark.session().createDataFrame(Arrays.stream(recs).map(Rec::rowWithCustomer).toList(),
        WITH_CUSTOMER);
  }

  static Dataset<Row> records(Rec... recs) {
    return SharedSpark.session().createDataFrame(Arrays.stream(recs).map(Rec::row).toList(), RECORDS);
  }
}
