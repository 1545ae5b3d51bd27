package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.pow;

import java.util.List;
import org.apache.spark.sql.Column;

/**
 * What the retailer sells: six categories, 60 SKUs each with fixed prices (independent of the seed), the
 * base purchase rate of each category, and the names of its events.
 */
final class Catalog {
  static final List<String> CATEGORIES = List.of("hiking", "camping", "climbing", "running", "apparel", "footwear");
  static final int SKUS_PER_CATEGORY = 60;
  private static final String[] CODES = {"HIK", "CMP", "CLM", "RUN", "APP", "FTW"};
  /** Share of people whose strongest interest is the category. */
  static final double[] PRIMARY_SHARE = {0.20, 0.15, 0.10, 0.20, 0.20, 0.15};
  /**
   * Daily purchase rate of someone with no particular interest in the category; interest multiplies it.
   * Chosen (by simulation) so that 30-day purchase probabilities average 3-9% per category.
   */
  static final double[] BASE_DAILY_RATE = {0.0008, 0.0007, 0.0005, 0.0008, 0.0011, 0.0008};
  private static final double[][] PRICE_RANGE_USD = {{12, 260}, {8, 650}, {9, 420}, {10, 190}, {15, 380}, {55, 240}};
  private static final String[] EVENT_NAMES = {
      "Trail Planning 101", "Layering for the Backcountry", "Boot Fitting Evening", "Guided Day Hike Meetup",
      "Camp Cooking Basics", "Choosing a Tent", "Stove and Filter Clinic", "Family Camping Night",
      "Intro to Bouldering", "Rope Care and Safety", "Belay Skills Workshop", "Climbing Shoe Demo Day",
      "Marathon Training Plans", "Injury-Free Running", "Gait Analysis Session", "Saturday 5K Run Club",
      "Dressing for Rain", "Merino or Synthetic?", "Jacket Repair Workshop", "Autumn Collection Preview",
      "Footwear Care at Home", "Finding Your Fit", "Trail Shoe Test Run", "Insoles and Orthotics Clinic"};

  private Catalog() {
  }

  static Column name(Column category) {
    return Draws.at(CATEGORIES.toArray(String[]::new), category);
  }

  static Column code(Column category) {
    return Draws.at(CODES, category);
  }

  static Column baseRate(Column category) {
    return element_at(Draws.literals(BASE_DAILY_RATE), category.plus(1));
  }

  /** SKU number 1-60, low numbers are the best sellers. */
  static Column skuNumber(Column uniform) {
    return least(lit(SKUS_PER_CATEGORY), floor(pow(uniform, 1.5).multiply(SKUS_PER_CATEGORY)).plus(1)).cast("int");
  }

  /** {@code CLM-0042}. */
  static Column sku(Column category, Column skuNumber) {
    return concat(code(category), lit("-"), lpad(skuNumber.cast("string"), 4, "0"));
  }

  static Column priceUsd(Column category, Column skuNumber) {
    return element_at(Draws.literals(prices()), category.multiply(SKUS_PER_CATEGORY).plus(skuNumber));
  }

  /** One of four events of the category; format 0 is a webinar, 1 in store. */
  static Column eventName(Column category, Column format, Column variant) {
    return Draws.at(EVENT_NAMES, category.multiply(4).plus(format.multiply(2)).plus(variant));
  }

  /** Fixed list prices ending in .99, spread over the category's range by the golden-ratio sequence. */
  private static double[] prices() {
    double[] prices = new double[CATEGORIES.size() * SKUS_PER_CATEGORY];
    for (int c = 0; c < CATEGORIES.size(); c++) {
      double low = PRICE_RANGE_USD[c][0];
      double high = PRICE_RANGE_USD[c][1];
      for (int k = 1; k <= SKUS_PER_CATEGORY; k++) {
        double spread = Math.pow((k * 0.6180339887498949) % 1.0, 1.6);
        prices[c * SKUS_PER_CATEGORY + k - 1] = Math.floor(low + (high - low) * spread) + 0.99;
      }
    }
    return prices;
  }
}
