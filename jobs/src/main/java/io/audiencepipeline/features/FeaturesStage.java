package io.audiencepipeline.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.io.Checkpoints;
import io.audiencepipeline.io.Documents;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.models.features.FeatureBuilder;
import io.audiencepipeline.run.CodeVersion;
import io.audiencepipeline.run.RunContext;
import io.audiencepipeline.unify.UnifyState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
 *
 * <p>After an incremental unify ({@code audience.unify.incremental}), the customers it did not touch keep
 * yesterday's timeline rows, so their features are yesterday's moved one day on
 * ({@link FeatureBuilder#carryOver}) and only the rest are aggregated from their events again. That needs
 * the features of D - 1 built from the timeline the unify of D carried over, with the same feature settings,
 * time zone and code ({@value WarehouseLayout#FEATURES_STATE_FILE} records them); otherwise every customer is
 * built, and the report says why. {@code audience.features.incremental = false} always builds every customer.
 */
public final class FeaturesStage {
  private static final Logger LOG = LoggerFactory.getLogger(FeaturesStage.class);

  /**
   * Rows and feature columns written.
   *
   * @param built customers whose features were aggregated from their events (every customer on a full night)
   * @param how "full (why)" or "incremental from D - 1"
   */
  public record Report(long customers, int features, long built, String how) {
  }

  /**
   * What a features folder was built from.
   *
   * @param asOf its as-of date
   * @param timelineRun the unify run that wrote the timeline it read
   * @param settings digest of the feature settings, the time zone and the code version
   */
  public record State(String asOf, String timelineRun, String settings) {
  }

  private FeaturesStage() {
  }

  public static Report run(SparkSession spark, Settings settings, RunContext run) {
    LocalDate asOf = run.runDate();
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), run.runId());
    FileSystem fs = publisher.fileSystem();
    try {
      Path events = layout.customerEvents();
      Path profilePath = WarehouseLayout.datePartition(layout.customerProfile(), asOf);
      Publisher.requirePublished(fs, events, "the features stage", "the timeline (run unify first)");
      Publisher.requirePublished(fs, profilePath, "the features stage",
          "the profile of " + asOf + " (run unify for that date first)");
      UnifyState timelineState = UnifyState.read(fs, events);
      Dataset<Row> timeline = spark.read().parquet(events.toString());
      Dataset<Row> profile = spark.read().parquet(profilePath.toString());
      State state = new State(asOf.toString(), timelineState == null ? null : timelineState.runId(),
          settingsDigest(settings, spark.conf().get("spark.sql.session.timeZone")));

      Dataset<Row> everyone = FeatureBuilder.build(timeline, profile, asOf, settings.features());
      String why = incrementalRefused(spark, fs, layout, settings, state, timelineState, columns(everyone), asOf);
      Dataset<Row> features;
      long built = -1;
      String how;
      if (why == null) {
        Dataset<Row> changed = spark.read().schema("customer_id string")
            .parquet(new Path(events, UnifyState.CHANGED_CUSTOMERS).toString());
        Dataset<Row> previous = spark.read().parquet(layout.features(asOf.minusDays(1)).toString());
        // Carried: yesterday's customers the unify did not touch, without an event dated tonight (one landed
        // earlier with a later date). Everyone else known tonight is built from their events.
        Dataset<Row> carried = previous.select("customer_id")
            .join(changed, new String[] {"customer_id"}, "left_anti")
            .join(timeline.where(col(FeatureBuilder.EVENT_DATE).equalTo(lit(Date.valueOf(asOf)))).select("customer_id"),
                new String[] {"customer_id"}, "left_anti")
            .transform(Checkpoints::local);
        Dataset<Row> rebuild = FeatureBuilder.knownOn(profile, asOf).select("customer_id")
            .join(carried, new String[] {"customer_id"}, "left_anti")
            .transform(Checkpoints::local);
        built = rebuild.count();
        Dataset<Row> rebuildKeys = built <= settings.unify().broadcastRows() ? broadcast(rebuild) : rebuild;
        Dataset<Row> fresh = FeatureBuilder.build(timeline.join(rebuildKeys, new String[] {"customer_id"}, "left_semi"),
            profile.join(rebuildKeys, new String[] {"customer_id"}, "left_semi"), asOf, settings.features());
        Dataset<Row> moved = FeatureBuilder.carryOver(previous.join(carried, new String[] {"customer_id"}, "left_semi"),
            timeline, profile, asOf, settings.features());
        // carryOver keeps yesterday's columns, and incrementalRefused checked they are tonight's.
        features = fresh.unionByName(moved);
        how = "incremental from " + asOf.minusDays(1);
        LOG.info(String.format(Locale.ROOT, "features: incremental from %s: %,d customers built from their events,"
            + " the rest carried over", asOf.minusDays(1), built));
      } else {
        LOG.info("features: building every customer: {}", why);
        features = everyone;
        how = "full (" + why + ")";
      }
      Path staged = publisher.staging("features/as_of=" + asOf);
      features.sortWithinPartitions("customer_id").write().mode(SaveMode.Overwrite).parquet(staged.toString());
      Documents.writeJson(fs, new Path(staged, WarehouseLayout.FEATURES_STATE_FILE), state);
      Dataset<Row> written = spark.read().parquet(staged.toString());
      long customers = written.count();
      Report report = new Report(customers, FeatureBuilder.featureColumns(written).size(),
          built < 0 ? customers : built, how);
      publisher.replace(staged, layout.features(asOf));
      LOG.info("features as of {}: {} customers x {} features ({})", asOf, report.customers(), report.features(),
          how);
      return report;
    } finally {
      publisher.cleanUp();
    }
  }

  /** Why tonight's features cannot carry yesterday's rows over, or null when they can. */
  private static String incrementalRefused(SparkSession spark, FileSystem fs, WarehouseLayout layout,
      Settings settings, State tonight, UnifyState timeline, List<String> columns, LocalDate asOf) {
    if (!settings.featuresIncremental()) {
      return "audience.features.incremental is off";
    }
    if (timeline == null || timeline.carriedFrom() == null || !asOf.toString().equals(timeline.runDate())) {
      return "the timeline was not written by an incremental unify of " + asOf;
    }
    if (!exists(fs, new Path(layout.customerEvents(), UnifyState.CHANGED_CUSTOMERS))) {
      return "the timeline lists no changed customers";
    }
    LocalDate before = asOf.minusDays(1);
    Path previous = layout.features(before);
    Path file = new Path(previous, WarehouseLayout.FEATURES_STATE_FILE);
    if (!Publisher.isPublished(fs, previous) || !exists(fs, file)) {
      return "no published features of " + before + " with a " + WarehouseLayout.FEATURES_STATE_FILE;
    }
    State yesterday;
    try {
      yesterday = Documents.readJson(fs, file, State.class);
    } catch (UncheckedIOException e) {
      return "cannot read " + file + " (" + e.getCause().getMessage() + ")";
    }
    if (!before.toString().equals(yesterday.asOf()) || !timeline.carriedFrom().equals(yesterday.timelineRun())) {
      return "the features of " + before + " were not built from the timeline tonight's unify carried over";
    }
    if (!tonight.settings().equals(yesterday.settings())) {
      return "the feature settings, the time zone or the code changed since " + before;
    }
    if (!columns.equals(columns(spark.read().parquet(previous.toString())))) {
      return "the features of " + before + " have other columns than tonight's";
    }
    return null;
  }

  private static boolean exists(FileSystem fs, Path path) {
    try {
      return fs.exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Names and types in order (nullability differs between rows built and rows read back). */
  private static List<String> columns(Dataset<Row> rows) {
    return Arrays.stream(rows.schema().fields()).map(f -> f.name() + " " + f.dataType().simpleString()).toList();
  }

  /** Digest of what decides the features besides the data: their settings, the time zone, the code version. */
  static String settingsDigest(Settings settings, String timeZone) {
    return Documents.sha256(settings.features() + "\n" + timeZone + "\n" + CodeVersion.get());
  }

}
