package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes the ground truth under {@code _truth/}: who the people are, their true propensities and offer
 * response probabilities, and which person is behind every landing record.
 */
final class TruthWriter {
  private final String root;
  private final Draws draws;
  private final int snapshotFiles;

  TruthWriter(String outputRoot, Draws draws, GeneratorSettings settings) {
    this.root = outputRoot + "/_truth";
    this.draws = draws;
    this.snapshotFiles = (int) Math.max(1, settings.people() / 1_000_000);
  }

  void writePersons(Dataset<Row> people) {
    Column cookies = transform(sequence(lit(0), col("cookies").minus(1)), k -> Contacts.cookieId(draws, k));
    people.select(
            col("person_id"), col("household_id"), col("first_name"), col("last_name"), col("birth_date"),
            col("country"), col("city"), col("address_line"), col("postcode"), col("primary_email"),
            col("second_email"),
            filter(array(col("primary_email"), col("second_email")), e -> e.isNotNull()).as("emails"),
            Phones.e164(col("mobile")).as("phone"),
            when(col("landline").isNotNull(), Phones.e164(col("landline"))).as("landline"),
            filter(array(col("account_id_1"), col("account_id_2")), a -> a.isNotNull()).as("account_ids"),
            col("loyalty_card"), col("device_id"), col("crm_contact_id"), cookies.as("cookie_ids"),
            col("subscribed"), Catalog.name(col("primary_category")).as("primary_interest"),
            when(col("secondary_category").isNotNull(), Catalog.name(col("secondary_category")))
                .as("secondary_interest"),
            col("engagement"))
        .sortWithinPartitions("person_id")
        .write().mode(SaveMode.Overwrite).option(LandingWriter.NO_SUCCESS_MARKER, "false")
        .parquet(root + "/persons");
  }

  /**
   * The label truth per person and category: the daily rate, the probability of at least one purchase in
   * the 30 days after the end date, and the outcome drawn from it.
   */
  void writePropensity(Dataset<Row> people) {
    Column probability = lit(1.0).minus(exp(col("rate").multiply(-Period.LABEL_HORIZON_DAYS)));
    people.select(col("person_id"), posexplode(col("rate")).as(new String[] {"category_index", "rate"}))
        .select(
            col("person_id"),
            Catalog.name(col("category_index")).as("category"),
            col("rate"),
            probability.as("true_probability"),
            when(draws.chance(probability, "outcome", col("person_id"), col("category_index")), lit(1))
                .otherwise(lit(0)).as("outcome"),
            lit(Period.LABEL_HORIZON_DAYS).as("horizon_days"))
        .sortWithinPartitions("person_id", "category")
        .write().mode(SaveMode.Overwrite).option(LandingWriter.NO_SUCCESS_MARKER, "false")
        .parquet(root + "/propensity");
  }

  void writeResponseProbability(Dataset<Row> offers) {
    offers.select(col("outcome_id"), col("person_id"), col("response_probability").as("true_probability"))
        .sortWithinPartitions("outcome_id")
        .write().mode(SaveMode.Overwrite).option(LandingWriter.NO_SUCCESS_MARKER, "false")
        .parquet(root + "/response_probability");
  }

  /**
   * One row per distinct (source, record_key) of a feed, appended to record_person. Only snapshot feeds
   * repeat keys; the others are written as generated, without a shuffle (one file per generation partition).
   */
  void appendRecordPersons(Dataset<Row> records, Feed feed) {
    Dataset<Row> keys = records.select(lit(feed.name()).as("source"),
        col(feed.recordKey()).cast("string").as("record_key"), col(Mess.PERSON).as("person_id"));
    if (feed.delivery() == Feed.Delivery.SNAPSHOTS) {
      // Clustering by record key first lets distinct reuse that shuffle.
      keys = keys.repartition(snapshotFiles, col("record_key")).distinct();
    }
    keys.sortWithinPartitions("record_key")
        .write().mode(SaveMode.Append).option(LandingWriter.NO_SUCCESS_MARKER, "false")
        .parquet(root + "/record_person");
  }
}
