package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The consent platform: opt-ins and opt-outs per channel (the latest wins downstream) and erasure requests.
 */
final class ConsentFeeds {
  private static final String[] CHANNELS = {"email", "sms", "ads", "phone"};

  private ConsentFeeds() {
  }

  /**
   * Feed 15: most people have an initial choice per channel (mostly recorded before the window and
   * backfilled), 6% change it later, and newsletter unsubscribes are also e-mail opt-outs. Subscribers
   * opted in to e-mail before the window.
   */
  static Dataset<Row> consentEvents(Scenario s) {
    Draws d = s.draws();
    Period w = s.period();
    Column person = col("person_id");
    Column channel = col("channel_index");
    Column[] keys = {person, channel};
    Column emailChannel = channel.equalTo(0);
    Column hasInitial = when(emailChannel, col("subscribed").or(d.chance(0.7, "consent-initial", keys)))
        .otherwise(d.chance(0.85, "consent-initial", keys));
    Column initialOptIn = when(emailChannel, col("subscribed"))
        .when(channel.equalTo(1), d.chance(0.35, "consent-opt-in", keys))
        .when(channel.equalTo(2), d.chance(0.60, "consent-opt-in", keys))
        .otherwise(d.chance(0.25, "consent-opt-in", keys));
    Column backfilled = emailChannel.and(col("subscribed")).or(d.chance(0.75, "consent-backfilled", keys));
    Column initialAt = when(backfilled,
            lit(w.startEpoch() - 3600).minus(d.below(700 * 86_400, "consent-initial-age", keys)))
        .otherwise(w.instant(d.below(w.days(), "consent-initial-day", keys),
            d.below(15 * 3600, "consent-initial-time", keys).plus(7 * 3600), col("utc_offset")));
    Column changeFrom = greatest(col("initial_at").plus(3600), lit(w.startEpoch()));
    Column changeAt = changeFrom.plus(floor(d.uniform("consent-change-time", keys)
        .multiply(lit(w.endEpochExclusive()).minus(changeFrom))).cast("long"));
    Column unsubscribed = emailChannel.and(col("unsubscribe_week").isNotNull());
    Column events = array(
        when(hasInitial, struct(lit(0).as("type"), initialOptIn.as("opt_in"), col("initial_at").as("at"))),
        when(hasInitial.and(d.chance(0.06, "consent-change", keys)),
            struct(lit(1).as("type"), not(initialOptIn).as("opt_in"), changeAt.as("at"))),
        when(unsubscribed, struct(lit(2).as("type"), lit(false).as("opt_in"),
            Newsletter.unsubscribedAt(s, col("unsubscribe_week")).plus(5)
                .plus(d.below(120, "opt-out-delay", person)).as("at"))));

    Column type = col("event").getField("type");
    Column at = col("event").getField("at");
    Column[] eventKeys = {person, channel, type};
    Column identifiedByEmail = channel.equalTo(0).or(channel.equalTo(2));
    Column email = col("email");
    Column phone = col("phone");
    Column eventKey = person.multiply(16).plus(channel.multiply(4)).plus(type);
    Column delay = Mess.delay(d, "consent_events", eventKey);
    return s.people()
        .withColumn("unsubscribe_week", Newsletter.unsubscribeWeek(s))
        .withColumn("channel_index", explode(sequence(lit(0), lit(CHANNELS.length - 1))))
        .withColumn("initial_at", initialAt)
        .withColumn("event", explode(events))
        .filter(col("event").isNotNull())
        .filter(at.lt(w.endEpochExclusive()))
        .transform(r -> Contacts.withEmail(r, "email", d, "consent-email", 0.0, 1.0, eventKeys))
        .withColumn("email", when(identifiedByEmail, col("email")))
        .transform(r -> Contacts.withPhone(r, "phone", d, "consent-phone", 0.1, 0.7, eventKeys))
        .withColumn("phone", when(not(identifiedByEmail), col("phone")))
        .select(
            Ids.code("CE-", d, "consent-event", eventKey, 10).as("consent_event_id"),
            email.getField("value").as("email"),
            phone.getField("value").as("phone"),
            when(d.chance(0.5, "consent-via-account", eventKeys), Contacts.accountAt(at)).as("account_id"),
            col("country"),
            Draws.at(CHANNELS, channel).as("channel"),
            when(col("event").getField("opt_in"), lit("opt_in")).otherwise(lit("opt_out")).as("action"),
            Clock.isoUtc(at).as("recorded_at"),
            person.as(Mess.PERSON),
            Mess.tags(when(email.isNotNull(), Contacts.emailTags(email)),
                when(phone.isNotNull(), Contacts.phoneTag(phone)), when(phone.isNotNull(), Contacts.landlineTag(phone)),
                when(at.geq(w.startEpoch()), Mess.lateTag(delay))).as(Mess.TAGS),
            when(at.lt(w.startEpoch()), w.firstLanding()).otherwise(w.landing(at, delay)).as(Mess.LANDING_DATE));
  }

  /** Feed 16: right-to-erasure requests from about 0.2% of people (at least a few in small runs). */
  static Dataset<Row> erasureRequests(Scenario s) {
    Draws d = s.draws();
    Period w = s.period();
    Column person = col("person_id");
    double share = Math.max(0.002, 3.0 / s.settings().people());
    Column receivedAt = w.instant(d.below(w.days(), "erasure-day", person),
        d.below(14 * 3600, "erasure-time", person).plus(8 * 3600), col("utc_offset"));
    Column email = col("email");
    Column phone = col("phone");
    Column delay = Mess.delay(d, "erasure_requests", person);
    return s.people()
        .filter(d.chance(share, "erasure", person))
        .withColumn("received_at", receivedAt)
        .transform(r -> Contacts.withEmail(r, "email", d, "erasure-email", 0.2, 1.0, person))
        .transform(r -> Contacts.withPhone(r, "phone", d, "erasure-phone", 0.0, 0.5, person))
        .withColumn("phone", when(d.chance(0.5, "erasure-phone-given", person), col("phone")))
        .select(
            Ids.code("ER-", d, "erasure", person, 8).as("request_id"),
            email.getField("value").as("email"),
            phone.getField("value").as("phone"),
            col("country"),
            Clock.isoUtc(col("received_at")).as("received_at"),
            person.as(Mess.PERSON),
            Mess.tags(Contacts.emailTags(email), Contacts.secondEmailTag(email),
                when(phone.isNotNull(), Contacts.phoneTag(phone)), Mess.lateTag(delay)).as(Mess.TAGS),
            w.landing(col("received_at"), delay).as(Mess.LANDING_DATE));
  }
}
