package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The web shop's cart events and clickstream (feeds 8 and 9), keyed by browser cookie. */
final class BrowsingFeeds {
  static final String SITE = "https://www.ridgeline.example";

  private BrowsingFeeds() {
  }

  /**
   * Feed 8: cart adds before each web order line, plus abandoned adds (more in browsed categories), a third
   * of them removed again. Keyed by cookie, with the account when the cookie is logged in.
   */
  static Dataset<Row> carts(Scenario s) {
    Draws d = s.draws();
    Period w = s.period();
    Column person = col("person_id");
    Column category = col("category_index");

    Column[] orderKeys = {person, category, col("purchase"), col("line").getField("line")};
    Dataset<Row> beforeOrders = s.purchases()
        .filter(col("channel").equalTo("web"))
        .withColumn("line", explode(col("lines")))
        .withColumn("cookie", d.below(col("cookies"), "order-cookie", person, category, col("purchase")))
        .select(
            person.multiply(4096).plus(category.multiply(64).plus(col("purchase")).multiply(4))
                .plus(col("line").getField("line")).as("cart_key"),
            col("account_id"),
            Contacts.cookieId(d, col("cookie")).as("cookie_id"),
            lit("add").as("action"),
            col("line").getField("sku").as("sku"),
            category,
            col("purchased_at").minus(120).minus(d.below(1800, "cart-lead", orderKeys)).as("at"),
            person);

    Column[] keys = {person, category, col("cart_add")};
    Column addedAt = w.instant(d.below(w.days(), "cart-day", keys),
        d.below(16 * 3600, "cart-time", keys).plus(7 * 3600), col("utc_offset"));
    Column events = array(
        struct(lit(0).as("type"), lit("add").as("action"), col("added_at").as("at")),
        when(d.chance(0.35, "cart-remove", keys), struct(lit(1).as("type"), lit("remove").as("action"),
            col("added_at").plus(60).plus(d.below(1800, "cart-remove-delay", keys)).as("at"))));
    Dataset<Row> abandoned = s.people()
        .select(col("*"), posexplode(col("browse")).as(new String[] {"category_index", "category_browse"}))
        .withColumn("cart_add", explode(Draws.indices(d.geometric(
            col("category_browse").multiply(w.days() * 0.0008), 63, "cart-adds", person, category))))
        .withColumn("added_at", addedAt)
        .withColumn("cookie", d.below(col("cookies"), "cart-cookie", keys))
        .withColumn("event", explode(events))
        .filter(col("event").isNotNull())
        .select(
            person.multiply(4096).plus(1536).plus(category.multiply(64).plus(col("cart_add")).multiply(2))
                .plus(col("event").getField("type")).as("cart_key"),
            Contacts.accountOnCookie(d, w, col("cookie"), col("event").getField("at")).as("account_id"),
            Contacts.cookieId(d, col("cookie")).as("cookie_id"),
            col("event").getField("action").as("action"),
            Catalog.sku(category, Catalog.skuNumber(d.uniform("cart-sku", keys))).as("sku"),
            category,
            col("event").getField("at").as("at"),
            person);

    Column delay = Mess.delay(d, "carts", col("cart_key"));
    return beforeOrders.unionByName(abandoned)
        .filter(col("at").geq(w.startEpoch()).and(col("at").lt(w.endEpochExclusive())))
        .select(
            Ids.code("CE", d, "cart-event", col("cart_key"), 12).as("cart_event_id"),
            col("account_id"),
            col("cookie_id"),
            col("action"),
            col("sku"),
            Catalog.name(category).as("category"),
            Clock.isoUtc(col("at")).as("ts"),
            person.as(Mess.PERSON),
            Mess.tags(Mess.lateTag(delay)).as(Mess.TAGS),
            w.landing(col("at"), delay).as(Mess.LANDING_DATE));
  }

  /**
   * Feed 9: browsing sessions on a person's cookies (more in categories they like), and the sessions that
   * follow an ad click on the same cookie: a landing page, then product views, within minutes.
   */
  static Dataset<Row> webEvents(Scenario s) {
    Draws d = s.draws();
    Period w = s.period();
    Column person = col("person_id");
    Column category = col("category_index");
    Column step = col("step");

    Column[] sessionKeys = {person, category, col("session")};
    Column[] stepKeys = {person, category, col("session"), step};
    Column video = step.gt(0).and(d.chance(0.15, "video", stepKeys));
    Column sku = Catalog.sku(category, Catalog.skuNumber(d.uniform("viewed-sku", stepKeys)));
    Dataset<Row> browsing = s.people()
        .select(col("*"), posexplode(col("browse")).as(new String[] {"category_index", "category_browse"}))
        .withColumn("session", explode(Draws.indices(d.geometric(
            col("category_browse").multiply(w.days() * 0.0018), 127, "sessions", person, category))))
        .withColumn("cookie", d.below(col("cookies"), "session-cookie", sessionKeys))
        .withColumn("started_at", w.instant(d.below(w.days(), "session-day", sessionKeys),
            d.below(16 * 3600, "session-time", sessionKeys).plus(7 * 3600), col("utc_offset")))
        .withColumn("step", explode(Draws.indices(d.geometric(lit(1.2), 13, "session-length", sessionKeys).plus(2))))
        .select(
            person,
            category,
            person.multiply(2048).plus(category.multiply(128)).plus(col("session")).as("session_key"),
            person.multiply(32768).plus(category.multiply(128).plus(col("session")).multiply(16)).plus(step)
                .as("event_key"),
            col("cookie"),
            when(step.equalTo(0), lit("page_view")).when(video, lit("video_view")).otherwise(lit("product_view"))
                .as("event"),
            when(step.equalTo(0), concat(lit(SITE + "/c/"), Catalog.name(category)))
                .when(video, concat(lit(SITE + "/v/"), sku)).otherwise(concat(lit(SITE + "/p/"), sku)).as("page_url"),
            when(step.gt(0), sku).as("sku"),
            col("started_at").plus(step.multiply(60)).plus(d.below(55, "step-time", stepKeys)).as("at"),
            col("account_id_1"), col("account_id_2"), col("account_created_1"), col("account_created_2"));

    Column[] clickKeys = {person, category, col("impression"), step};
    Column clickSku = Catalog.sku(category, Catalog.skuNumber(d.uniform("post-click-sku", clickKeys)));
    Dataset<Row> afterClicks = s.adImpressions()
        .filter(col("clicked"))
        .withColumn("step", explode(Draws.indices(d.below(3, "post-click-length", person, category,
            col("impression")).plus(2))))
        .select(
            person,
            category,
            person.multiply(2048).plus(1024).plus(category.multiply(128)).plus(col("impression")).as("session_key"),
            person.multiply(32768).plus(12288).plus(category.multiply(128).plus(col("impression")).multiply(16))
                .plus(step).as("event_key"),
            col("cookie"),
            when(step.equalTo(0), lit("landing_page_view")).otherwise(lit("product_view")).as("event"),
            when(step.equalTo(0), concat(lit(SITE + "/lp/"), Catalog.name(category),
                    lit("?utm_source=display&utm_campaign="), col("ad_campaign")))
                .otherwise(concat(lit(SITE + "/p/"), clickSku)).as("page_url"),
            when(step.gt(0), clickSku).as("sku"),
            col("clicked_at").plus(3).plus(d.below(20, "landing-delay", clickKeys)).plus(step.multiply(45)).as("at"),
            col("account_id_1"), col("account_id_2"), col("account_created_1"), col("account_created_2"));

    Column delay = Mess.delay(d, "web_events", col("event_key"));
    return browsing.unionByName(afterClicks)
        .filter(col("at").lt(w.endEpochExclusive()))
        .select(
            Ids.code("W", d, "web-event", col("event_key"), 12).as("event_id"),
            Ids.code("S", d, "session", col("session_key"), 12).as("session_id"),
            Contacts.cookieId(d, col("cookie")).as("cookie_id"),
            Contacts.accountOnCookie(d, w, col("cookie"), col("at")).as("account_id"),
            col("event"),
            col("page_url"),
            col("sku"),
            Catalog.name(category).as("category"),
            Clock.isoUtc(col("at")).as("ts"),
            person.as(Mess.PERSON),
            Mess.tags(Mess.lateTag(delay)).as(Mess.TAGS),
            w.landing(col("at"), delay).as(Mess.LANDING_DATE));
  }
}
