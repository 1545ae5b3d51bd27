package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The mobile app's event feed for the 35% of people with the app installed (one device each). */
final class MobileFeeds {
  private MobileFeeds() {
  }

  /**
   * Feed 13: app opens (by engagement), product views and add-to-carts (by category interest) and opened
   * weekly pushes. 85% of app users stay logged in; the account then appears on every event.
   */
  static Dataset<Row> appEvents(Scenario s) {
    Draws d = s.draws();
    Period w = s.period();
    Column person = col("person_id");
    Dataset<Row> users = s.people().filter(col("device_id").isNotNull());

    Column[] openKeys = {person, col("n")};
    Dataset<Row> opens = users
        .withColumn("n", explode(Draws.indices(d.geometric(exp(col("engagement").multiply(0.5)).multiply(w.days() * 0.05),
            255, "app-opens", person))))
        .select(col("*"), lit(null).cast("int").as("category_index"), lit("app_open").as("event_name"),
            col("n").as("event_index"), anyTime(s, "app-open", openKeys).as("at"));

    Dataset<Row> byCategory = users
        .select(col("*"), posexplode(col("browse")).as(new String[] {"category_index", "category_browse"}));
    Column category = col("category_index");
    Column[] viewKeys = {person, category, col("n")};
    Dataset<Row> views = byCategory
        .withColumn("n", explode(Draws.indices(d.geometric(col("category_browse").multiply(w.days() * 0.003), 127,
            "app-views", person, category))))
        .select(col("*"), lit("product_view").as("event_name"),
            category.multiply(128).plus(col("n")).plus(256).as("event_index"), anyTime(s, "app-view", viewKeys).as("at"))
        .drop("category_browse");
    Dataset<Row> adds = byCategory
        .withColumn("n", explode(Draws.indices(d.geometric(col("category_browse").multiply(w.days() * 0.0005), 31,
            "app-adds", person, category))))
        .select(col("*"), lit("add_to_cart").as("event_name"),
            category.multiply(32).plus(col("n")).plus(1024).as("event_index"), anyTime(s, "app-add", viewKeys).as("at"))
        .drop("category_browse");

    Column week = col("n");
    Dataset<Row> pushes = users
        .withColumn("n", explode(Draws.indices(lit(s.newsletterWeeks()))))
        .filter(d.chance(0.15, "push-open", person, week))
        .select(col("*"), lit(null).cast("int").as("category_index"), lit("push_open").as("event_name"),
            week.plus(1216).as("event_index"),
            lit(w.startEpoch() + 2 * 86_400L + 17 * 3600L).plus(week.cast("long").multiply(7 * 86_400L))
                .plus(d.below(6 * 3600, "push-open-time", person, week)).as("at"));

    Column eventKey = person.multiply(2048).plus(col("event_index"));
    Column loggedIn = d.chance(0.85, "app-logged-in", person);
    Column viewed = col("category_index").isNotNull();
    Column delay = Mess.delay(d, "app_events", eventKey);
    return opens.unionByName(views).unionByName(adds).unionByName(pushes)
        .filter(col("at").lt(w.endEpochExclusive()))
        .select(
            Ids.code("AE", d, "app-event", eventKey, 12).as("event_id"),
            col("device_id"),
            when(loggedIn, Contacts.accountAt(col("at"))).as("account_id"),
            col("event_name"),
            when(viewed, Catalog.sku(col("category_index"),
                Catalog.skuNumber(d.uniform("app-sku", person, col("event_index"))))).as("sku"),
            when(viewed, Catalog.name(col("category_index"))).as("category"),
            col("at").as("client_ts"),
            person.as(Mess.PERSON),
            Mess.tags(Mess.lateTag(delay)).as(Mess.TAGS),
            w.landing(col("at"), delay).as(Mess.LANDING_DATE));
  }

  private static Column anyTime(Scenario s, String salt, Column... keys) {
    Period w = s.period();
    return w.instant(s.draws().below(w.days(), salt + ":day", keys),
        s.draws().below(17 * 3600, salt + ":time", keys).plus(6 * 3600), col("utc_offset"));
  }
}
