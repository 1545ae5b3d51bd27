package io.audiencepipeline.features;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.models.features.FeatureBuilder;
import io.audiencepipeline.run.RunContext;
import java.io.IOException;
import java.time.LocalDate;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Features: the timeline and the run date's profile -> {@code gold/features/as_of=D/}, one row per
 * customer known on D, computed only from events dated D or earlier.
 */
public final class FeaturesStage {
  private static final Logger LOG = LoggerFactory.getLogger(FeaturesStage.class);

  /** Rows and feature columns written. */
  public record Report(long customers, int features) {
  }

  private FeaturesStage() {
  }

  public static Report run(SparkSession spark, Settings settings, RunContext run) {
    LocalDate asOf = run.runDate();
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), run.runId());
    try {
      Dataset<Row> features = build(spark, layout, publisher.fileSystem(), settings, asOf);
      Path staged = publisher.staging("features/as_of=" + asOf);
      features.sortWithinPartitions("customer_id").write().mode(SaveMode.Overwrite).parquet(staged.toString());
      Dataset<Row> written = spark.read().parquet(staged.toString());
      Report report = new Report(written.count(), FeatureBuilder.featureColumns(written).size());
      publisher.replace(staged, layout.features(asOf));
      LOG.info("features as of {}: {} customers x {} features", asOf, report.customers(), report.features());
      return report;
    } finally {
      publisher.cleanUp();
    }
  }

  /** The features as of a date from the published timeline and that date's profile. */
  public static Dataset<Row> build(SparkSession spark, WarehouseLayout layout, FileSystem fs, Settings settings,
      LocalDate asOf) {
    Path events = layout.customerEvents();
    Path profile = WarehouseLayout.datePartition(layout.customerProfile(), asOf);
    Publisher.requirePublished(fs, events, "the features stage", "the timeline (run unify first)");
    Publisher.requirePublished(fs, profile, "the features stage",
        "the profile of " + asOf + " (run unify for that date first)");
    return FeatureBuilder.build(spark.read().parquet(events.toString()), spark.read().parquet(profile.toString()),
        asOf, settings.features());
  }
}
