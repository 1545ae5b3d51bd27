package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The web shop's orders and order lines (feeds 6 and 7), typed Parquet. */
final class OrderFeeds {
  private OrderFeeds() {
  }

  /** Web and app purchases with their order id and, for guest checkouts, the address typed at checkout. */
  private static Dataset<Row> onlineOrders(Scenario s) {
    Draws d = s.draws();
    Column[] keys = {col("person_id"), col("category_index"), col("purchase")};
    return s.purchases()
        .filter(col("channel").notEqual("store"))
        .withColumn("order_id", Ids.code("ORD-", d, "order", col("purchase_key"), 12))
        .transform(r -> Contacts.withEmail(r, "guest", d, "guest-email", 0.2, 1.0, keys))
        .withColumn("guest", when(col("account_id").isNull(), col("guest")));
  }

  /** Feed 6: orders, typed Parquet; account_id is null for guest checkouts, which carry an address instead. */
  static Dataset<Row> orders(Scenario s) {
    Column guest = col("guest");
    return onlineOrders(s).select(
        col("order_id"),
        col("account_id"),
        guest.getField("value").as("guest_email"),
        timestamp_seconds(col("purchased_at")).as("order_ts"),
        col("currency"),
        col("total").cast("decimal(12,2)").as("total_amount"),
        col("channel"),
        col("person_id").as(Mess.PERSON),
        Mess.tags(Contacts.emailTags(guest), Contacts.secondEmailTag(guest), Mess.lateTag(col("delay"))).as(Mess.TAGS),
        s.period().landing(col("purchased_at"), col("delay")).as(Mess.LANDING_DATE));
  }

  /** Feed 7: order lines, landing with their order. */
  static Dataset<Row> orderLines(Scenario s) {
    Column guest = col("guest");
    Column line = col("line");
    return onlineOrders(s)
        .withColumn("line", explode(col("lines")))
        .select(
            Ids.code("OL-", s.draws(), "order-line", col("purchase_key").multiply(4).plus(line.getField("line")), 12)
                .as("line_id"),
            col("order_id"),
            col("account_id"),
            guest.getField("value").as("guest_email"),
            timestamp_seconds(col("purchased_at")).as("order_ts"),
            line.getField("sku").as("sku"),
            Catalog.name(col("category_index")).as("category"),
            line.getField("quantity").as("quantity"),
            line.getField("unit_price").cast("decimal(12,2)").as("unit_price"),
            col("person_id").as(Mess.PERSON),
            Mess.tags(Contacts.emailTags(guest), Contacts.secondEmailTag(guest), Mess.lateTag(col("delay")))
                .as(Mess.TAGS),
            s.period().landing(col("purchased_at"), col("delay")).as(Mess.LANDING_DATE));
  }
}
