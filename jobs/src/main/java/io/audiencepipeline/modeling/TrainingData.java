package io.audiencepipeline.modeling;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.to_date;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.models.features.FeatureBuilder;
import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.models.training.TrainingDataException;
import io.audiencepipeline.models.training.TrainingSettings;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.unify.DatedPartitions;
import io.audiencepipeline.unify.UnifyStage;
import java.io.IOException;
import java.sql.Date;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Point-in-time features for past as-of dates, from the published timeline and profiles, built once
 * per date (all dates from one daily activity table) and shared by every target of a run. Each date uses
 * the latest profile snapshot on or before it; when none is kept that far back, the earliest kept snapshot
 * stands in (its attributes may be newer than the as-of date; logged).
 */
final class TrainingData implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingData.class);

  private final SparkSession spark;
  private final Settings settings;
  private final WarehouseLayout layout;
  private final FileSystem fs;
  private final LocalDate runDate;
  private final Dataset<Row> events;
  private final LocalDate firstEventDate;
  private Dataset<Row> daily;
  private final Map<String, Dataset<Row>> features = new HashMap<>();
  private final Set<LocalDate> warnedEarliest = new HashSet<>();
  private final Set<String> warnedShortHistory = new HashSet<>();

  TrainingData(SparkSession spark, Settings settings, WarehouseLayout layout, FileSystem fs, LocalDate runDate) {
    this.spark = spark;
    this.settings = settings;
    this.layout = layout;
    this.fs = fs;
    this.runDate = runDate;
    Publisher.requirePublished(fs, layout.customerEvents(), "training", "the timeline (run unify first)");
    this.events = spark.read().parquet(layout.customerEvents().toString());
    Row first = events.agg(min(col("event_date"))).first();
    if (first.isNullAt(0)) {
      throw PipelineFailure.inputRejected("the timeline " + layout.customerEvents() + " is empty: nothing to train on");
    }
    this.firstEventDate = first.getDate(0).toLocalDate();
  }

  Dataset<Row> events() {
    return events;
  }

  /** Validation as-of date, then training as-of dates (latest first) for a target. */
  Dates dates(TargetSpec target, TrainingSettings training) {
    int horizon = target.horizonDays();
    LocalDate validation = runDate.minusDays(horizon + training.labelDelayDays());
    LocalDate earliest = firstEventDate.plusDays(training.minHistoryDays());
    List<LocalDate> trainingDates = new ArrayList<>();
    for (int k = 0; k < training.trainingDates(); k++) {
      // Training labels end on or before the validation as-of date: no overlap with its label window.
      LocalDate asOf = validation.minusDays(horizon + (long) k * training.stepDays());
      if (!asOf.isBefore(earliest)) {
        trainingDates.add(asOf);
      }
    }
    if (validation.isBefore(earliest) || trainingDates.isEmpty()) {
      throw new TrainingDataException(String.format("target %s needs as-of dates with %d days of history before"
          + " them (audience.models.min-history-days) and %d days of labels after: the timeline starts %s, so the"
          + " earliest training as-of date is %s, but the latest training as-of date for run date %s is %s"
          + " (validation %s)", target.name(), training.minHistoryDays(), horizon, firstEventDate, earliest, runDate,
          validation.minusDays(horizon), validation));
    }
    LocalDate first = trainingDates.get(trainingDates.size() - 1);
    long history = ChronoUnit.DAYS.between(firstEventDate, first) + 1;
    int longest = settings.features().longestWindow();
    if (history < longest && warnedShortHistory.add(target.name())) {
      LOG.warn("target {}: the earliest training as-of date {} has {} days of timeline, fewer than the longest"
          + " feature window ({} days): windowed counts are cut short in training but not in scoring"
          + " (min-history-days = {}; longest-window avoids this)", target.name(), first, history, longest,
          training.minHistoryDays());
    }
    return new Dates(validation, List.copyOf(trainingDates));
  }

  record Dates(LocalDate validation, List<LocalDate> training) {
  }

  /**
   * A target's training rows as of a date: {@link #featuresAsOf}, and for purchase targets with
   * {@code training-identifiers} only the customers whose profile holds one of those identifier kinds.
   */
  Dataset<Row> trainingFeaturesAsOf(LocalDate asOf, TargetSpec target) {
    Dataset<Row> rows = featuresAsOf(asOf, target);
    List<String> kinds = settings.models().training().trainingIdentifiers();
    if (kinds.isEmpty() || target.kind() != TargetSpec.Kind.PURCHASE) {
      return rows;
    }
    // Identifiers seen after the as-of date (a purchase in the label window, say) would decide by the label who
    // trains: only a snapshot on or before the date will do.
    List<LocalDate> snapshots = profileSnapshots();
    LocalDate snapshot = latestOnOrBefore(snapshots, asOf).orElseThrow(() -> new TrainingDataException(String.format(
        "audience.models.training-identifiers needs a customer profile snapshot on or before the training as-of"
        + " date %s (kept: %s); a later one would let identifiers from the label window choose who trains."
        + " Keep more snapshots, or leave training-identifiers empty", asOf, snapshots)));
    Column identified = kinds.stream().map(kind -> size(col(kind + "s")).gt(0)).reduce(Column::or).orElseThrow();
    Dataset<Row> customers = spark.read()
        .parquet(DatedPartitions.partition(layout.customerProfile(), UnifyStage.DT, snapshot).toString())
        .where(identified).select("customer_id");
    return rows.join(customers, new String[] {"customer_id"}, "left_semi");
  }

  /**
   * The features as of a date for a target. One build per date serves every target: it keeps every
   * profile customer (outcome targets need whoever has an outcome, even a customer whose first record is
   * that outcome, e.g. a bring-your-own response table); purchase targets keep the customers known on the
   * date (first seen on or before it).
   */
  Dataset<Row> featuresAsOf(LocalDate asOf, TargetSpec target) {
    Dataset<Row> all = features.computeIfAbsent(asOf.toString(), key -> {
      Dataset<Row> built = FeatureBuilder.fromDaily(daily(), events, profileAsOf(asOf), asOf, settings.features(),
          false);
      return built.persist(StorageLevel.MEMORY_AND_DISK());
    });
    if (target.kind() != TargetSpec.Kind.PURCHASE) {
      return all;
    }
    Dataset<Row> known = profileAsOf(asOf).where(to_date(col("first_seen")).leq(lit(Date.valueOf(asOf))))
        .select("customer_id");
    return all.join(known, new String[] {"customer_id"}, "left_semi");
  }

  /**
   * The timeline's daily activity per customer, aggregated once and shared by every as-of date: each date's
   * features are then sums over its days instead of another pass over the events.
   */
  private Dataset<Row> daily() {
    if (daily == null) {
      Dataset<Row> upToRunDate = events.where(col("event_date").leq(lit(Date.valueOf(runDate))));
      daily = FeatureBuilder.daily(upToRunDate, settings.features())
          .persist(StorageLevel.MEMORY_AND_DISK());
    }
    return daily;
  }

  /** The published profile snapshots up to the run date, oldest first. */
  private List<LocalDate> profileSnapshots() {
    return DatedPartitions.list(fs, layout.customerProfile(), UnifyStage.DT).stream()
        .filter(d -> !d.isAfter(runDate)).toList();
  }

  private static Optional<LocalDate> latestOnOrBefore(List<LocalDate> snapshots, LocalDate date) {
    return snapshots.stream().filter(d -> !d.isAfter(date)).reduce((a, b) -> b);
  }

  /** The latest profile snapshot on or before the date, else the earliest kept one (logged). */
  private Dataset<Row> profileAsOf(LocalDate date) {
    List<LocalDate> snapshots = profileSnapshots();
    if (snapshots.isEmpty()) {
      throw PipelineFailure.inputRejected("models need a customer profile: no published partition under "
          + layout.customerProfile() + " up to " + runDate + " (run unify first)");
    }
    Optional<LocalDate> snapshot = latestOnOrBefore(snapshots, date);
    LocalDate profileDate = snapshot.orElse(snapshots.get(0));
    if (snapshot.isEmpty() && warnedEarliest.add(date)) {
      LOG.warn("features as of {}: no customer profile snapshot on or before it; using the earliest kept, {}",
          date, profileDate);
    }
    Path profilePath = DatedPartitions.partition(layout.customerProfile(), UnifyStage.DT, profileDate);
    return spark.read().parquet(profilePath.toString());
  }

  @Override
  public void close() {
    features.values().forEach(Dataset::unpersist);
    features.clear();
    if (daily != null) {
      daily.unpersist();
      daily = null;
    }
  }
}
