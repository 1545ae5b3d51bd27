package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Purchases in the history window: per person and category a Poisson number at the daily rate, the same
 * rate that defines the label (so history predicts the future as far as the rate does). Each purchase is a
 * web or app order or a store transaction of 1-3 lines; shared by orders, order lines, carts and POS.
 */
final class Purchases {
  private Purchases() {
  }

  static Dataset<Row> all(Dataset<Row> people, Draws d, Period period) {
    Column person = col("person_id");
    Column category = col("category_index");
    Column[] keys = {person, category, col("purchase")};
    int days = period.days();
    Column inStore = d.chance(when(col("loyalty_card").isNotNull(), lit(0.55)).otherwise(lit(0.2)), "in-store", keys);
    Column channel = when(inStore, lit("store"))
        .when(col("device_id").isNotNull().and(d.chance(0.4, "app-order", keys)), lit("app"))
        .otherwise(lit("web"));
    Column purchasedAt = period.instant(d.below(days, "purchase-day", keys),
        d.below(12 * 3600, "purchase-time", keys).plus(9 * 3600), col("utc_offset"));
    Column useSecondAccount = col("account_id_2").isNotNull().and(col("purchased_at").geq(col("account_created_2")))
        .and(d.chance(0.3, "second-account-order", keys));
    Column loggedIn = col("channel").notEqual("store").and(col("account_id_1").isNotNull())
        .and(col("purchased_at").geq(col("account_created_1"))).and(d.chance(0.85, "logged-in-order", keys));
    Column lineCount = lit(1).plus(when(d.chance(0.35, "second-line", keys), 1).otherwise(0))
        .plus(when(d.chance(0.10, "third-line", keys), 1).otherwise(0));
    Column lines = transform(sequence(lit(0), lineCount.minus(1)), line -> {
      Column number = Catalog.skuNumber(d.uniform("line-sku", person, category, col("purchase"), line));
      Column quantityDraw = d.uniform("line-quantity", person, category, col("purchase"), line);
      return struct(line.as("line"), Catalog.sku(category, number).as("sku"),
          when(quantityDraw.lt(0.85), lit(1)).when(quantityDraw.lt(0.97), lit(2)).otherwise(lit(3)).as("quantity"),
          round(Catalog.priceUsd(category, number).multiply(col("price_factor")), 2).as("unit_price"));
    });
    Column purchaseKey = person.multiply(6).plus(category).multiply(64).plus(col("purchase"));

    return people
        .select(col("*"), posexplode(col("rate")).as(new String[] {"category_index", "category_rate"}))
        .withColumn("purchase_mean", col("category_rate").multiply(days))
        .withColumn("purchase_uniform", d.uniform("purchases", person, category))
        .withColumn("purchase", explode(Draws.indices(
            Draws.poisson(col("purchase_mean"), col("purchase_uniform"), 63))))
        .withColumn("purchase_key", purchaseKey)
        .withColumn("purchased_at", purchasedAt)
        .withColumn("channel", channel)
        .withColumn("account_id", when(loggedIn, when(useSecondAccount, col("account_id_2"))
            .otherwise(col("account_id_1"))))
        .withColumn("price_factor", Geography.priceFactor(col("country")))
        .withColumn("currency", Geography.currency(col("country")))
        .withColumn("lines", lines)
        .withColumn("total", aggregate(col("lines"), lit(0.0),
            (sum, l) -> sum.plus(l.getField("unit_price").multiply(l.getField("quantity")))))
        .withColumn("delay", Mess.delay(d, "purchases", col("purchase_key")))
        // Only what the order, cart and till feeds use: the result is cached, and people rows are wide.
        .select("person_id", "category_index", "purchase", "purchase_key", "purchased_at", "channel", "account_id",
            "currency", "lines", "total", "delay", "cookies", "loyalty_card", "country", "home_store", "mobile",
            "landline", "primary_email", "second_email");
  }
}
