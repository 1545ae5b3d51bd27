package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The stores' till export: one row per transaction line, in the store's own wall-clock time. */
final class StoreFeeds {
  private StoreFeeds() {
  }

  /**
   * Feed 14: in-store purchases. Most are at the person's home store; the loyalty card is shown 90% of the
   * time by card holders, and a quarter of customers give a phone number at the till.
   */
  static Dataset<Row> posTransactions(Scenario s) {
    Draws d = s.draws();
    Column person = col("person_id");
    Column[] keys = {person, col("category_index"), col("purchase")};
    Column store = when(d.chance(0.85, "home-store-visit", keys), col("home_store"))
        .otherwise(Geography.storeIndex(col("country"), d.uniform("other-store", keys)));
    Column line = col("line");
    Column phone = col("phone");
    return s.purchases()
        .filter(col("channel").equalTo("store"))
        .withColumn("store", store)
        .withColumn("card", when(col("loyalty_card").isNotNull().and(d.chance(0.9, "card-shown", keys)),
            col("loyalty_card")))
        .transform(r -> Contacts.withPhone(r, "phone", d, "till-phone", 0.3, 0.1, keys))
        .withColumn("phone", when(d.chance(0.25, "phone-at-till", keys), col("phone")))
        .withColumn("line", explode(col("lines")))
        .select(
            Ids.code("TL", d, "transaction-line", col("purchase_key").multiply(4).plus(line.getField("line")), 12)
                .as("transaction_line_id"),
            Ids.code("TX", d, "transaction", col("purchase_key"), 12).as("transaction_id"),
            Geography.storeId(col("store")).as("store_id"),
            Geography.storeZone(col("store")).as("store_tz"),
            col("card").as("loyalty_card"),
            phone.getField("value").as("phone"),
            Geography.storeCountry(col("store")).as("country"),
            Clock.localDateTime(col("purchased_at"), Geography.storeZone(col("store"))).as("local_time"),
            line.getField("sku").as("sku"),
            Catalog.name(col("category_index")).as("category"),
            line.getField("quantity").cast("string").as("quantity"),
            line.getField("unit_price").multiply(line.getField("quantity")).cast("decimal(12,2)").cast("string").as("amount"),
            person.as(Mess.PERSON),
            Mess.tags(when(phone.isNotNull(), Contacts.phoneTag(phone)),
                when(phone.isNotNull(), Contacts.landlineTag(phone)), Mess.lateTag(col("delay"))).as(Mess.TAGS),
            s.period().landing(col("purchased_at"), col("delay")).as(Mess.LANDING_DATE));
  }

}
