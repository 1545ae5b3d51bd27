package io.audiencepipeline.generate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Everything the feed builders derive their records from: the people, the random draws and the period,
 * plus the intermediate datasets that several feeds share (purchases feed orders, order lines, carts and
 * the tills; ad impressions feed the ad events and the post-click web sessions).
 */
record Scenario(Dataset<Row> people, Dataset<Row> purchases, Dataset<Row> adImpressions, Draws draws,
    Period period, GeneratorSettings settings) {

  static Scenario of(Dataset<Row> people, Draws draws, Period period, GeneratorSettings settings) {
    return new Scenario(people, Purchases.all(people, draws, period),
        MarketingFeeds.adImpressions(people, draws, period), draws, period, settings);
  }

  /** The same scenario with the shared datasets cached, so each is computed once. */
  Scenario persisted() {
    return new Scenario(people, purchases.persist(StorageLevel.MEMORY_AND_DISK()),
        adImpressions.persist(StorageLevel.MEMORY_AND_DISK()), draws, period, settings);
  }

  void unpersist() {
    purchases.unpersist();
    adImpressions.unpersist();
  }

  /** Weekly newsletters go out on window days 1, 8, 15, ... */
  int newsletterWeeks() {
    return (period.days() - 2) / 7 + 1;
  }
}
