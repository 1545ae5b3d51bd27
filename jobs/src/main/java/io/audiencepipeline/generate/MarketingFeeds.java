package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The marketing system's feeds: newsletter events, display ads, event registrations and offer outcomes. */
final class MarketingFeeds {
  private MarketingFeeds() {
  }

  /** Feed 1: sends, opens, clicks and unsubscribes of the weekly newsletter. */
  static Dataset<Row> emailEvents(Scenario s) {
    Draws d = s.draws();
    Column person = col("person_id");
    Column week = col("week");
    Column category = col("newsletter_category");
    Column browse = element_at(col("browse"), category.plus(1));
    Column unsubscribeWeek = col("unsubscribe_week");
    Column event = col("event");
    Column events = array(
        struct(lit(0).as("type"), lit("sent").as("name"), Newsletter.sentAt(s, week).as("at")),
        when(Newsletter.opened(s, week), struct(lit(1).as("type"), lit("opened").as("name"),
            Newsletter.openedAt(s, week).as("at"))),
        when(Newsletter.clicked(s, week, browse), struct(lit(2).as("type"), lit("clicked").as("name"),
            Newsletter.clickedAt(s, week).as("at"))),
        when(week.equalTo(unsubscribeWeek), struct(lit(3).as("type"), lit("unsubscribed").as("name"),
            Newsletter.unsubscribedAt(s, week).as("at"))));
    Column eventKey = person.multiply(512).plus(week.multiply(4)).plus(event.getField("type"));
    Column delay = Mess.delay(d, "email_events", eventKey);

    return s.people()
        .filter(col("subscribed"))
        .withColumn("unsubscribe_week", Newsletter.unsubscribeWeek(s))
        // The ESP holds one version of the address per subscriber, so the mess is per person, not per send.
        .transform(r -> Contacts.withEmail(r, "list_address", d, "esp-address", 0.3, 0.4, person))
        .withColumn("week", explode(sequence(lit(0), lit(s.newsletterWeeks() - 1))))
        .filter(unsubscribeWeek.isNull().or(week.leq(unsubscribeWeek)))
        .withColumn("newsletter_category", Newsletter.category(s, week))
        .withColumn("event", explode(events))
        .filter(col("event").isNotNull())
        .filter(event.getField("at").lt(s.period().endEpochExclusive()))
        .select(
            Ids.code("EM", d, "email-event", eventKey, 12).as("event_id"),
            col("list_address").getField("value").as("email_address"),
            event.getField("name").as("event_type"),
            concat(lit("NL-"), regexp_replace(Clock.isoDate(Clock.utcDate(Newsletter.sentAt(s, week))), "-", ""),
                lit("-"), Catalog.code(category)).as("campaign_id"),
            Catalog.name(category).as("category"),
            Clock.isoWithOffset(event.getField("at"), col("zone")).as("event_time"),
            person.as(Mess.PERSON),
            Mess.tags(Contacts.emailTags(col("list_address")), Contacts.secondEmailTag(col("list_address")),
                Mess.lateTag(delay)).as(Mess.TAGS),
            s.period().landing(event.getField("at"), delay).as(Mess.LANDING_DATE));
  }

  /**
   * Display-ad impressions on a person's cookies, more in categories they browse, and the clicks on them
   * (about 3% of impressions times the browsing lift). Shared with the post-click web sessions.
   */
  static Dataset<Row> adImpressions(Dataset<Row> people, Draws d, Period period) {
    Column person = col("person_id");
    Column category = col("category_index");
    Column[] keys = {person, category, col("impression")};
    Column mean = sqrt(col("category_browse")).multiply(period.days() * 0.0035);
    Column shownAt = period.instant(d.below(period.days(), "impression-day", keys),
        d.below(16 * 3600, "impression-time", keys).plus(7 * 3600), col("utc_offset"));
    return people
        .select(col("*"), posexplode(col("browse")).as(new String[] {"category_index", "category_browse"}))
        .withColumn("impression", explode(Draws.indices(d.geometric(mean, 127, "impressions", person, category))))
        .withColumn("cookie", d.below(col("cookies"), "impression-cookie", keys))
        .withColumn("shown_at", shownAt)
        .withColumn("clicked", d.chance(least(lit(0.5), col("category_browse").multiply(0.03)), "ad-click", keys))
        .withColumn("clicked_at", col("shown_at").plus(2).plus(d.below(30, "ad-click-delay", keys)))
        .withColumn("ad_campaign", concat(lit("AD-"), Catalog.code(category), lit("-"),
            Clock.yearMonth(Clock.utcDate(col("shown_at")))))
        // Only what the ad and web feeds use: the result is cached, and people rows are wide.
        .select("person_id", "category_index", "impression", "cookie", "shown_at", "clicked", "clicked_at",
            "ad_campaign", "account_id_1", "account_id_2", "account_created_1", "account_created_2");
  }

  /** Feed 2: impressions and clicks, keyed by cookie, with epoch-millisecond timestamps. */
  static Dataset<Row> adEvents(Scenario s) {
    Draws d = s.draws();
    Column person = col("person_id");
    Column event = col("event");
    Column events = array(
        struct(lit(0).as("type"), lit("impression").as("name"), col("shown_at").as("at")),
        when(col("clicked"), struct(lit(1).as("type"), lit("click").as("name"), col("clicked_at").as("at"))));
    Column eventKey = person.multiply(6).plus(col("category_index")).multiply(128).plus(col("impression"))
        .multiply(2).plus(event.getField("type"));
    Column delay = Mess.delay(d, "ad_events", eventKey);
    return s.adImpressions()
        .withColumn("event", explode(events))
        .filter(col("event").isNotNull())
        .filter(event.getField("at").lt(s.period().endEpochExclusive()))
        .select(
            Ids.code("AD", d, "ad-event", eventKey, 12).as("event_id"),
            Contacts.cookieId(d, col("cookie")).as("cookie_id"),
            event.getField("name").as("event"),
            col("ad_campaign"),
            Catalog.name(col("category_index")).as("category"),
            event.getField("at").multiply(1000).plus(d.below(1000, "ad-millis", eventKey)).as("ts"),
            person.as(Mess.PERSON),
            Mess.tags(Mess.lateTag(delay)).as(Mess.TAGS),
            s.period().landing(event.getField("at"), delay).as(Mess.LANDING_DATE));
  }

  /**
   * Feed 3: webinar and in-store event registrations. About 12% are made from a small business's role
   * address (info@, sales@, office@), which several people share.
   */
  static Dataset<Row> eventAttendance(Scenario s) {
    Draws d = s.draws();
    Column person = col("person_id");
    Column category = col("category_index");
    Column[] keys = {person, category, col("registration")};
    Column registrationKey = person.multiply(6).plus(category).multiply(8).plus(col("registration"));
    Column registeredAt = s.period().instant(d.below(s.period().days(), "registration-day", keys),
        d.below(14 * 3600, "registration-time", keys).plus(8 * 3600), col("utc_offset"));
    Column format = when(d.chance(0.6, "webinar", keys), lit(0)).otherwise(lit(1));
    Column eventDate = date_add(Clock.utcDate(col("registered_at")), d.below(25, "event-lead-days", keys).plus(3));
    Column attended = col("event_date").leq(lit(s.period().end()))
        .and(d.chance(0.65, "attended", keys));
    Column roleAddress = d.chance(0.12, "registration-role-address", keys);
    Column email = col("email");
    Column first = col("first");
    Column last = col("last");
    Column delay = Mess.delay(d, "event_attendance", registrationKey);
    return s.people()
        .select(col("*"), posexplode(col("browse")).as(new String[] {"category_index", "category_browse"}))
        .withColumn("registration", explode(Draws.indices(d.geometric(
            col("category_browse").multiply(s.period().days() * 0.00015), 7, "registrations", person, category))))
        .withColumn("registered_at", registeredAt)
        .withColumn("format", format)
        .withColumn("event_date", eventDate)
        .withColumn("role_address", roleAddress)
        .transform(r -> Contacts.withEmail(r, "email", d, "registration-email", 0.3, 1.0, keys))
        .transform(r -> Contacts.withName(r, "first", col("first_name"), d, "registration-first", 0.03, keys))
        .transform(r -> Contacts.withName(r, "last", col("last_name"), d, "registration-last", 0.03, keys))
        .select(
            Ids.code("REG-", d, "registration", registrationKey, 10).as("registration_id"),
            when(col("role_address"), Emails.roleAddress(col("business"), d.uniform("role", keys)))
                .otherwise(email.getField("value")).as("email"),
            first.getField("value").as("first_name"),
            last.getField("value").as("last_name"),
            Catalog.eventName(category, col("format"), d.below(2, "event-variant", keys)).as("event_name"),
            when(col("format").equalTo(0), lit("webinar")).otherwise(lit("in_store")).as("event_format"),
            Catalog.name(category).as("category"),
            Clock.usDate(col("event_date")).as("event_date"),
            when(attended, lit("Y")).otherwise(lit("N")).as("attended"),
            person.as(Mess.PERSON),
            Mess.tags(Mess.tagIf(col("role_address"), MessKind.ROLE_ADDRESS),
                when(not(col("role_address")), Contacts.emailTags(email)),
                when(not(col("role_address")), Contacts.secondEmailTag(email)),
                Contacts.typoTag(first), Contacts.typoTag(last), Mess.lateTag(delay)).as(Mess.TAGS),
            s.period().landing(col("registered_at"), delay).as(Mess.LANDING_DATE));
  }

  /**
   * Offers sent to 40% of people (a quarter of them get two) and whether they responded, drawn from a known
   * probability that rises with engagement and interest in the offer's category.
   */
  static Dataset<Row> offers(Scenario s) {
    Draws d = s.draws();
    Column person = col("person_id");
    Column[] keys = {person, col("offer")};
    Column offerCount = when(d.chance(0.4, "offered", person),
        when(d.chance(0.25, "second-offer", person), lit(2)).otherwise(lit(1))).otherwise(lit(0));
    Column category = d.below(6, "offer-category", keys);
    Column logit = log(element_at(col("browse"), col("offer_category").plus(1))).multiply(0.8)
        .plus(col("engagement").multiply(0.4)).minus(2.6);
    int offerDays = Math.max(1, s.period().days() - 7);
    return s.people()
        .withColumn("offer", explode(Draws.indices(offerCount)))
        .withColumn("offer_category", category)
        .withColumn("offer_date", date_add(lit(s.period().start()), d.below(offerDays, "offer-day", keys)))
        .withColumn("response_probability", lit(1.0).divide(exp(logit.multiply(-1)).plus(1)))
        .withColumn("responded", d.chance(col("response_probability"), "responded", keys))
        .withColumn("outcome_id", Ids.code("OUT-", d, "outcome", person.multiply(4).plus(col("offer")), 10));
  }

  /** Feed 4: offer outcomes, a week after the offer. */
  static Dataset<Row> campaignOutcomes(Scenario s) {
    Draws d = s.draws();
    Column person = col("person_id");
    Column email = col("list_address");
    return offers(s)
        .transform(r -> Contacts.withEmail(r, "list_address", d, "esp-address", 0.3, 0.4, person))
        .select(
            col("outcome_id"),
            email.getField("value").as("email_address"),
            concat(lit("OF-"), Catalog.code(col("offer_category")), lit("-"),
                Clock.yearMonth(col("offer_date"))).as("campaign_id"),
            Clock.isoDate(col("offer_date")).as("offer_date"),
            when(col("responded"), lit("1")).otherwise(lit("0")).as("responded"),
            person.as(Mess.PERSON),
            Mess.tags(Contacts.emailTags(email), Contacts.secondEmailTag(email)).as(Mess.TAGS),
            date_add(col("offer_date"), 7).as(Mess.LANDING_DATE));
  }
}
