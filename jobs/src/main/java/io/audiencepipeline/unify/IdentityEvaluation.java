package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.xxhash64;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.identity.ConnectedComponents;
import io.audiencepipeline.identity.IdentifierKind;
import io.audiencepipeline.identity.IdentityGraph;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.run.PipelineFailure;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Pairwise precision, recall and F1 of a run's identity map against the generator's truth
 * ({@code _truth/record_person}): a pair of records is a true positive when both are attributed to the
 * same customer and belong to the same person. Records without a customer (no linkable identifier)
 * count as singletons. People who asked to be erased are left out: their records are gone by design.
 *
 * <p>Truth names a record by its feed (the last folder of the source's landing path) and the feed's
 * own key, which is the first part of our record key.
 */
public final class IdentityEvaluation {
  private IdentityEvaluation() {
  }

  /**
   * @param all metrics over every record
   * @param identifiable metrics over records that carry at least one identifier (what rules can link)
   */
  public record Metrics(long records, long identifiableRecords, long recordsWithoutTruth, long persons,
      long customers, Scores all, Scores identifiable, Scores evidenceCeiling, Scores againstEvidence) {
    public String describe() {
      return String.format(Locale.ROOT,
          "  records evaluated %,d (%,d with an identifier, %,d without truth), true persons %,d,"
              + " resolved customers %,d%n"
              + "  resolved vs true persons, all records:          %s%n"
              + "  resolved vs true persons, identifiable records: %s%n"
              + "  evidence ceiling (same person AND a shared identifier chain) vs true persons: %s%n"
              + "  resolved vs the evidence ceiling:                %s",
          records, identifiableRecords, recordsWithoutTruth, persons, customers, all, identifiable,
          evidenceCeiling, againstEvidence);
    }
  }

  /** Pair counts and the scores derived from them. */
  public record Scores(long truePositivePairs, long predictedPairs, long truePairs) {
    public double precision() {
      return predictedPairs == 0 ? 1.0 : (double) truePositivePairs / predictedPairs;
    }

    public double recall() {
      return truePairs == 0 ? 1.0 : (double) truePositivePairs / truePairs;
    }

    public double f1() {
      double p = precision();
      double r = recall();
      return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "precision %.4f  recall %.4f  F1 %.4f  (pairs: %,d true positive,"
          + " %,d predicted, %,d true)", precision(), recall(), f1(), truePositivePairs, predictedPairs, truePairs);
    }
  }

  public static Metrics evaluate(SparkSession spark, Settings settings, LocalDate runDate, String truthPath) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Path mapPath = DatedPartitions.partition(layout.identityMap(), UnifyStage.DT, runDate);
    Dataset<Row> records = BronzeRecords.read(spark, settings, runDate, settings.unify().broadcastRows());
    if (records == null) {
      throw PipelineFailure.inputRejected("no bronze data up to " + runDate + " under " + layout.root());
    }
    Dataset<Row> map;
    Dataset<Row> truth;
    try {
      map = spark.read().parquet(mapPath.toString());
      truth = spark.read().parquet(truthPath + "/record_person");
    } catch (Exception e) {
      throw PipelineFailure.inputRejected("cannot read " + mapPath + " or " + truthPath
          + "/record_person (run unify for " + runDate + " first): " + e.getMessage());
    }
    Column feed = truthFeed(settings);
    Column anyIdentifier = Arrays.stream(IdentifierKind.values()).map(k -> col(k.column()).isNotNull())
        .reduce(Column::or).orElseThrow();
    Dataset<Row> erasedPersons = truth.where(col("source").equalTo("erasure_requests")).select("person_id").distinct();
    Dataset<Row> evaluated = records
        .select(col("source"), col("record_key"), anyIdentifier.as("identifiable"), feed.as("feed"),
            split(col("record_key"), "\\|").getItem(0).as("feed_key"))
        .join(map.select("source", "record_key", "customer_id"), new String[] {"source", "record_key"}, "left")
        .join(truth.select(col("source").as("feed"), col("record_key").as("feed_key"), col("person_id")),
            new String[] {"feed", "feed_key"}, "left")
        .join(erasedPersons, new String[] {"person_id"}, "left_anti")
        .withColumn("cluster", coalesce(col("customer_id"), concat_ws("|", lit("record"), col("source"),
            col("record_key"))))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row counts = evaluated.agg(count(lit(1)), sum(when(col("identifiable"), 1L).otherwise(0L)),
          sum(when(col("person_id").isNull(), 1L).otherwise(0L)),
          org.apache.spark.sql.functions.countDistinct(col("person_id")),
          org.apache.spark.sql.functions.countDistinct(col("customer_id"))).first();
      Dataset<Row> withTruth = evaluated.where(col("person_id").isNotNull())
          .join(evidence(records, evaluated), new String[] {"source", "record_key"}, "left")
          .withColumn("evidence", coalesce(col("evidence"), concat_ws("|", lit("record"), col("source"),
              col("record_key"))))
          .persist(StorageLevel.MEMORY_AND_DISK());
      return new Metrics(counts.getLong(0), counts.getLong(1), counts.getLong(2), counts.getLong(3),
          counts.getLong(4), scores(withTruth, "cluster", "person_id"),
          scores(withTruth.where(col("identifiable")), "cluster", "person_id"),
          scores(withTruth, "evidence", "person_id"), scores(withTruth, "cluster", "evidence"));
    } finally {
      evaluated.unpersist();
    }
  }

  /** The truth's name for a record's source: the last folder of the source's landing path. */
  public static Column truthFeed(Settings settings) {
    Column feed = lit(null).cast("string");
    for (SourceSpec source : settings.sources()) {
      String[] parts = source.path().split("/");
      feed = when(col("source").equalTo(source.name()), lit(parts[parts.length - 1])).otherwise(feed);
    }
    return feed;
  }

  /**
   * The best deterministic linking can do: records of the same true person joined through identifiers
   * they share (after normalisation, ignoring the over-sharing guards). Columns source, record_key,
   * evidence; records without identifiers are absent.
   */
  static Dataset<Row> evidence(Dataset<Row> records, Dataset<Row> evaluated) {
    Dataset<Row> personNodes = IdentityGraph.recordIdentifiers(records)
        .join(evaluated.where(col("person_id").isNotNull()).select("source", "record_key", "person_id"),
            new String[] {"source", "record_key"})
        .withColumn("pnode", xxhash64(col("person_id"), col("node_key")));
    Dataset<Row> anchors = personNodes.groupBy("source", "record_key").agg(min("pnode").as("anchor"));
    Dataset<Row> edges = personNodes.join(anchors, new String[] {"source", "record_key"})
        .select(col("pnode").as("src"), col("anchor").as("dst"));
    Dataset<Row> components = ConnectedComponents.of(edges);
    return anchors.join(components.withColumnRenamed("node", "anchor"), new String[] {"anchor"}, "left")
        .select(col("source"), col("record_key"),
            coalesce(col("component"), col("anchor")).cast("string").as("evidence"));
  }

  /** Pair counts from group sizes: sum of n(n-1)/2 over (cluster, truth), cluster, and truth groups. */
  static Scores scores(Dataset<Row> records, String cluster, String truth) {
    return new Scores(pairs(records, cluster, truth), pairs(records, cluster), pairs(records, truth));
  }

  private static long pairs(Dataset<Row> records, String... keys) {
    Row row = records.groupBy(keys[0], Arrays.copyOfRange(keys, 1, keys.length)).agg(count(lit(1)).as("n"))
        .agg(sum(col("n").multiply(col("n").minus(1)).divide(2)).cast("long")).first();
    return row.isNullAt(0) ? 0 : row.getLong(0);
  }
}
