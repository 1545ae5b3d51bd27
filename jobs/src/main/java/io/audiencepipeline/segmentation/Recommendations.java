package io.audiencepipeline.segmentation;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mode;
import static org.apache.spark.sql.functions.negate;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.transform;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Per-customer product recommendations for a category: items often bought together with what the customer
 * bought (item-to-item co-occurrence), topped up with the category's best sellers, never an item they bought.
 */
public final class Recommendations {
  public static final String RECOMMENDATIONS = "recommendations";

  private static final DataType SKUS = DataTypes.createArrayType(DataTypes.StringType);
  // Scores are summed in whatever order the shuffle delivers them; exact decimals make the sum, and so the
  // ranking of near-equal candidates, the same on every run (double sums can differ in the last bit).
  private static final DataType SCORE = DataTypes.createDecimalType(18, 12);

  private Recommendations() {
  }

  /**
   * @param purchaseEventTypes event types that are purchases
   * @param lookbackDays purchases in the lookback days ending with the as-of date are the history; older
   *     ones neither drive recommendations nor count as already bought
   * @param perCustomer at most this many SKUs per request
   * @param maxItemsPerCustomer only a customer's most recently bought SKUs form pairs, which bounds the pair
   *     rows at this number squared per customer
   * @param minPairCustomers pairs bought together by fewer customers are noise and are dropped
   */
  public record Settings(List<String> purchaseEventTypes, int lookbackDays, int perCustomer,
      int maxItemsPerCustomer, long minPairCustomers) {
    public Settings {
      purchaseEventTypes = List.copyOf(purchaseEventTypes);
      List<String> violations = new ArrayList<>();
      if (purchaseEventTypes.isEmpty()) {
        violations.add("purchaseEventTypes is empty");
      }

      if (lookbackDays < 1) {
        violations.add("lookbackDays must be at least 1, is " + lookbackDays);
      }

      if (perCustomer < 1) {
        violations.add("perCustomer must be at least 1, is " + perCustomer);
      }

      if (maxItemsPerCustomer < 1) {
        violations.add("maxItemsPerCustomer must be at least 1, is " + maxItemsPerCustomer);
      }

      if (minPairCustomers < 1) {
        violations.add("minPairCustomers must be at least 1, is " + minPairCustomers);
      }

      if (!violations.isEmpty()) {
        throw new IllegalArgumentException("Invalid recommendation settings: " + String.join("; ", violations));
      }
    }
  }

  /**
   * @param events the unified timeline (customer_id, event_time, event_type, category, sku, event_date)
   * @param wanted requests: customer_id and category (null means any category), plus any other columns
   * @return every row of {@code wanted} exactly once, plus {@code recommendations} (array of SKUs, best
   *     first, at most {@code perCustomer}): co-occurrence picks, then best sellers; empty only when the
   *     customer already bought everything the category sold in the window
   */
  public static Dataset<Row> recommend(Dataset<Row> events, Dataset<Row> wanted, LocalDate asOf, Settings s) {
    Dataset<Row> purchases = purchases(events, asOf, s);
    Dataset<Row> owned = purchases.groupBy("customer_id", "sku").agg(max("event_time").as("last_bought"));
    Dataset<Row> catalogue = catalogue(purchases, owned);
    Dataset<Row> recent = owned
        .withColumn("recency", row_number().over(Window.partitionBy("customer_id")
            .orderBy(col("last_bought").desc(), col("sku"))))
        .where(col("recency").leq(s.maxItemsPerCustomer()))
        .select(col("customer_id"), col("sku").as("item"));

    // Distinct (customer, category) requests, joined back to wanted at the end: duplicates in wanted get
    // the same answer. Category joins are null-safe because null is a request (any category).
    Dataset<Row> requests = wanted.select("customer_id", "category").distinct()
        .join(owned.groupBy("customer_id").agg(collect_set("sku").as("bought")), new String[] {"customer_id"}, "left");
    Dataset<Row> scored = scored(recent, requests, confidence(recent, catalogue, s), s.perCustomer());
    Dataset<Row> bestSellers = broadcast(bestSellers(catalogue));
    Dataset<Row> answers = requests
        .join(scored, requests.col("customer_id").equalTo(scored.col("scored_customer_id"))
            .and(requests.col("category").eqNullSafe(scored.col("scored_category"))), "left")
        .join(bestSellers, requests.col("category").eqNullSafe(bestSellers.col("best_category")), "left")
        .transform(answer -> pickThenFill(answer, s.perCustomer()))
        .select(col("customer_id").as("answer_customer_id"), col("category").as("answer_category"),
            col(RECOMMENDATIONS));

    List<Column> out = new ArrayList<>(Arrays.stream(wanted.columns()).map(wanted::col).toList());
    out.add(answers.col(RECOMMENDATIONS));
    return wanted.join(answers, wanted.col("customer_id").eqNullSafe(answers.col("answer_customer_id"))
            .and(wanted.col("category").eqNullSafe(answers.col("answer_category"))), "left")
        .select(out.toArray(Column[]::new));
  }

  /** Purchase rows in (asOf - lookbackDays, asOf]: nothing after the end of the as-of day (UTC event date). */
  static Dataset<Row> purchases(Dataset<Row> events, LocalDate asOf, Settings s) {
    return events.where(col("event_type").isin(s.purchaseEventTypes().toArray())
        .and(col("event_date").gt(lit(Date.valueOf(asOf.minusDays(s.lookbackDays())))))
        .and(col("event_date").leq(lit(Date.valueOf(asOf))))
        .and(col("customer_id").isNotNull())
        .and(col("sku").isNotNull()));
  }

  /** Per SKU of the window: its category and its distinct buyers. */
  static Dataset<Row> catalogue(Dataset<Row> purchases, Dataset<Row> owned) {
    // A SKU belongs to one category; taking the most frequent label (lowest on a tie) keeps a stray
    // mislabelled line from splitting it in two.
    Dataset<Row> categories = purchases.groupBy("sku").agg(mode(col("category"), true).as("category"));
    Dataset<Row> buyers = owned.groupBy("sku").agg(count(lit(1)).as("buyers"));
    return categories.join(buyers, "sku");
  }

  /**
   * Confidence of item -> candidate: customers who bought both / customers who bought the item, for pairs
   * bought together by at least minPairCustomers customers; catalogue-sized (at most SKUs squared rows).
   */
  static Dataset<Row> confidence(Dataset<Row> recent, Dataset<Row> catalogue, Settings s) {
    Dataset<Row> other = recent.select(col("customer_id"), col("item").as("candidate"));
    Dataset<Row> together = recent.join(other, "customer_id")
        .where(col("item").notEqual(col("candidate")))
        .groupBy("item", "candidate").agg(count(lit(1)).as("pair_customers"))
        .where(col("pair_customers").geq(s.minPairCustomers()));
    Dataset<Row> itemCustomers = recent.groupBy("item").agg(count(lit(1)).as("item_customers"));
    return together.join(itemCustomers, "item")
        .join(catalogue.select(col("sku").as("candidate"), col("category").as("candidate_category")), "candidate")
        .select(col("item"), col("candidate"), col("candidate_category"),
            col("pair_customers").divide(col("item_customers")).cast(SCORE).as("confidence"));
  }

  /**
   * Per request, its best {@code perCustomer} candidates in the requested category that the customer has not
   * bought, by score = sum of confidence(item -> candidate) over the customer's recent items, as an array
   * sorted by score desc then SKU.
   *
   * <p>This is the stage's widest step: every recent item of a requesting customer meets every candidate of
   * that item (at 1M customers ~50M rows, summed into ~18M (customer, category, candidate) scores). The
   * requests' recent items are spread over the session's shuffle partitions first (its initial number when
   * adaptive execution coalesces; a fixed count here, since the rows multiply after this shuffle): adaptive
   * execution would otherwise pack the few hundred thousand rows into 2-3 tasks, whose hash maps then held
   * millions of scores each. Only the top candidates are collected, not every candidate of every request.
   *
   * @param requests customer_id, category (null = any) and {@code bought} (the SKUs bought in the window)
   */
  static Dataset<Row> scored(Dataset<Row> recent, Dataset<Row> requests, Dataset<Row> confidence,
      int perCustomer) {
    int tasks = SQLConf.get().numShufflePartitions();
    Column notBought = col("bought").isNull().or(not(array_contains(col("bought"), col("candidate"))));
    Dataset<Row> scores = recent.join(requests, "customer_id")
        .repartition(tasks, col("customer_id"))
        .join(broadcast(confidence), "item")
        .where(col("category").isNull().or(col("candidate_category").equalTo(col("category"))).and(notBought))
        .groupBy("customer_id", "category", "candidate").agg(sum("confidence").as("score"));
    return scores
        .withColumn("pick", row_number().over(Window.partitionBy("customer_id", "category")
            .orderBy(col("score").desc(), col("candidate"))))
        .where(col("pick").leq(perCustomer))
        // Ascending on the negated score sorts best first, and the SKU breaks ties.
        .groupBy(col("customer_id").as("scored_customer_id"), col("category").as("scored_category"))
        .agg(sort_array(collect_list(struct(negate(col("score")).as("rank"), col("candidate").as("sku"))))
            .as("scored"));
  }

  /** Per category, and for any category (null), SKUs by distinct buyers desc then SKU. */
  static Dataset<Row> bestSellers(Dataset<Row> catalogue) {
    Column ranked = sort_array(collect_list(struct(negate(col("buyers")).as("rank"), col("sku")))).as("ranked");
    Dataset<Row> perCategory = catalogue.where(col("category").isNotNull()).groupBy("category").agg(ranked);
    Dataset<Row> anyCategory = catalogue.agg(ranked)
        .select(lit(null).cast(DataTypes.StringType).as("category"), col("ranked"));
    return perCategory.unionByName(anyCategory)
        .select(col("category").as("best_category"),
            transform(col("ranked"), r -> r.getField("sku")).as("best_sellers"));
  }

  /**
   * Co-occurrence picks ({@link #scored}: already without bought SKUs, at most perCustomer), then best sellers
   * not bought and not picked.
   */
  static Dataset<Row> pickThenFill(Dataset<Row> answer, int perCustomer) {
    Column none = array().cast(SKUS);
    Column bought = coalesce(col("bought"), none);
    Dataset<Row> picked = answer.withColumn("picks", coalesce(transform(col("scored"), c -> c.getField("sku")), none));
    Column taken = concat(bought, col("picks"));
    Column fill = filter(coalesce(col("best_sellers"), none), sku -> not(array_contains(taken, sku)));
    return picked.withColumn(RECOMMENDATIONS,
        concat(col("picks"), slice(fill, lit(1), lit(perCustomer).minus(size(col("picks"))))));
  }
}
