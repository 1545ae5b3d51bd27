package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.run.RunContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unify: bronze records of every source up to the run date -> stable customer ids, the golden profile
 * {@code silver/customer_profile/dt=D}, the timeline {@code silver/customer_events}, and the identity
 * bookkeeping (identity map and nodes, merges and splits, erasure suppression). Everything is staged
 * first and published only when all of it is written; the erased-customer list is published last, so
 * a run killed half-way repeats its erasure purge next time.
 */
public final class UnifyStage {
  private static final Logger LOG = LoggerFactory.getLogger(UnifyStage.class);
  public static final String DT = "dt";

  private UnifyStage() {
  }

  /**
   * Tonight's outputs in staging, from either path.
   *
   * @param records distinct bronze records up to the run date
   * @param erasedRecords records of erased people among them
   * @param resolution how the night was resolved (for the report)
   * @param carriedFrom the run an incremental night carried the other customers over from, else null
   */
  record Staged(Path nodes, Path recordMap, Path changes, Path suppression, Path erased, Path newlyErased,
      Path overShared, Path profile, Path events, long records, long erasedRecords, String resolution,
      String carriedFrom) {
  }

  public static UnifyReport run(SparkSession spark, Settings settings, RunContext run) {
    LocalDate runDate = run.runDate();
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), run.runId());
    FileSystem fs = publisher.fileSystem();
    try {
      // Before reading: a file landing while the run reads bronze must not count as unified by it.
      String bronzeDigest = UnifyState.bronzeDigest(fs, layout, settings.sources(), runDate);
      Dataset<Row> deliveries = BronzeRecords.deliveries(spark, settings, runDate);
      if (deliveries == null) {
        throw PipelineFailure.inputRejected("unify found no bronze data under " + layout.root()
            + "/bronze for dates up to " + runDate + "; run ingest first");
      }
      Staged staged = null;
      String fullBecause = "audience.unify.incremental is off";
      if (settings.unify().incremental()) {
        IncrementalUnify.Attempt attempt = IncrementalUnify.attempt(spark, publisher, layout, settings, deliveries,
            runDate);
        staged = attempt.staged();
        fullBecause = attempt.fullBecause();
      }
      if (staged == null) {
        staged = full(spark, publisher, layout, settings, deliveries, runDate, "full (" + fullBecause + ")");
      }
      UnifyState state = new UnifyState(run.runId(), runDate.toString(), bronzeDigest,
          UnifyState.settingsDigest(settings, timeZone(spark)), staged.records(), staged.erasedRecords(),
          staged.carriedFrom());
      state.write(fs, staged.nodes());
      state.write(fs, staged.events());

      UnifyReport report = report(spark, staged, runDate);
      Dataset<Row> newlyErased = spark.read().parquet(staged.newlyErased().toString());
      List<ErasurePurge.Staged> purged = ErasurePurge.stage(spark, fs, publisher, layout, newlyErased,
          ErasurePurge.CUSTOMER_TABLES, runDate);

      publisher.replace(staged.nodes(), DatedPartitions.partition(layout.identityNodes(), DT, runDate));
      publisher.replace(staged.recordMap(), DatedPartitions.partition(layout.identityMap(), DT, runDate));
      publisher.replace(staged.overShared(), DatedPartitions.partition(layout.identityOverShared(), DT, runDate));
      publisher.replace(staged.changes(), DatedPartitions.partition(layout.identityMerges(), DT, runDate));
      publisher.replace(staged.suppression(), layout.erasureSuppression());
      publisher.replace(staged.profile(), DatedPartitions.partition(layout.customerProfile(), DT, runDate));
      publisher.replace(staged.events(), layout.customerEvents());
      ErasurePurge.publish(publisher, purged);
      publisher.replace(staged.erased(), layout.erasedCustomers());
      int keep = settings.unify().keepIdentitySnapshots();
      keepLatest(fs, layout.identityNodes(), keep);
      keepLatest(fs, layout.identityMap(), keep);
      keepLatest(fs, layout.identityOverShared(), keep);
      log(report);
      return report;
    } finally {
      publisher.cleanUp();
    }
  }

  /** The configured sources' names: every source a bronze record can come from. */
  static List<String> sourceNames(Settings settings) {
    return settings.sources().stream().map(SourceSpec::name).toList();
  }

  static String timeZone(SparkSession spark) {
    return spark.conf().get("spark.sql.session.timeZone");
  }

  /** Resolves every bronze record up to the run date. */
  private static Staged full(SparkSession spark, Publisher publisher, WarehouseLayout layout, Settings settings,
      Dataset<Row> deliveries, LocalDate runDate, String resolution) {
    FileSystem fs = publisher.fileSystem();
    // Not cached: the identity graph, the erasure checks and the join below each read only the columns they
    // need from bronze's Parquet files, and the one wide read is the join's.
    Dataset<Row> records = BronzeRecords.latest(deliveries, settings.unify().broadcastRows());
    long recordCount = records.count();

    Dataset<Row> previousNodes = DatedPartitions.latestBefore(fs, layout.identityNodes(), DT, runDate)
        .map(date -> {
          LOG.info("unify: keeping customer ids stable against the identity snapshot of {}", date);
          return read(spark, DatedPartitions.partition(layout.identityNodes(), DT, date), IdentityResolution.NODE_MAP);
        })
        .orElseGet(() -> {
          LOG.info("unify: no identity snapshot before {}; every customer id is new", runDate);
          return IdentityResolution.empty(spark, IdentityResolution.NODE_MAP);
        });
    Dataset<Row> previousSuppression = readIfPublished(spark, fs, layout.erasureSuppression(),
        IdentityResolution.SUPPRESSION);
    Dataset<Row> previousErased = readIfPublished(spark, fs, layout.erasedCustomers(), IdentityResolution.ERASED);

    Dataset<Row> previousOverShared = DatedPartitions.latestBefore(fs, layout.identityOverShared(), DT, runDate)
        .map(date -> read(spark, DatedPartitions.partition(layout.identityOverShared(), DT, date),
            IdentityResolution.OVER_SHARED))
        .orElseGet(() -> IdentityResolution.empty(spark, IdentityResolution.OVER_SHARED));

    IdentityResolution.Scratch scratch = IdentityResolution.Scratch.files(publisher.staging("unify/scratch"));
    IdentityResolution.Result result = IdentityResolution.resolve(records, previousNodes, previousSuppression,
        previousErased, IdentityResolution.empty(spark, IdentityResolution.OVER_SHARED), previousOverShared,
        settings.unify(), runDate, scratch);

    Path nodes = stage(result.nodeMap().sortWithinPartitions("node_key"), publisher, "identity_nodes");
    Path recordMap = stage(result.recordCustomers(), publisher, "identity_map");
    Path changes = stage(result.changes().coalesce(1), publisher, "identity_merges");
    Path suppression = stage(result.suppression().coalesce(1), publisher, "erasure_suppression");
    Path erased = stage(result.erasedCustomers().coalesce(1), publisher, "erased_customers");
    Path newlyErased = stage(result.newlyErased().coalesce(1), publisher, "newly_erased");
    Path erasedRecords = stage(result.erasedRecords(), publisher, "erased_records");
    Path overShared = stage(result.overShared().coalesce(1), publisher, "identity_overshared");

    Dataset<Row> mapped = spark.read().parquet(recordMap.toString());
    // A shuffled hash join: the wide records are shuffled once and never sorted; the map is the hashed side. Kept
    // as files: the profile's four aggregations and the timeline each read only their columns.
    Dataset<Row> living = scratch.keep(
        records.join(mapped.hint("shuffle_hash"), new String[] {"source", "record_key"}), "living_records");
    Path profile = stage(Profiles.build(living, sourceNames(settings), settings.unify(), runDate)
        .sortWithinPartitions("customer_id"), publisher, "customer_profile");
    Path events = stageTimeline(Timeline.build(living, settings.sources(), settings.unify()), publisher);
    long erasedCount = spark.read().parquet(erasedRecords.toString()).count();
    return new Staged(nodes, recordMap, changes, suppression, erased, newlyErased, overShared, profile, events,
        recordCount, erasedCount, resolution, null);
  }

  static Path stage(Dataset<Row> rows, Publisher publisher, String name) {
    Path path = publisher.staging("unify/" + name);
    rows.write().mode(SaveMode.Overwrite).parquet(path.toString());
    return path;
  }

  /**
   * The timeline, one folder per event date, each sorted by customer and time. The sort leads with the event date:
   * a partitioned write needs its rows ordered by the partition column, and Spark replaces any sort that does not
   * begin with it by a sort on the date alone (the customers' order within a date would then be the shuffle's).
   */
  static Path stageTimeline(Dataset<Row> timeline, Publisher publisher) {
    Path events = publisher.staging("unify/customer_events");
    timeline.repartition(col(Timeline.EVENT_DATE))
        .sortWithinPartitions(Timeline.EVENT_DATE, "customer_id", "event_time", "source", "record_key")
        .write().mode(SaveMode.Overwrite).partitionBy(Timeline.EVENT_DATE).parquet(events.toString());
    return events;
  }

  private static Dataset<Row> read(SparkSession spark, Path path, StructType schema) {
    return spark.read().schema(schema).parquet(path.toString());
  }

  static Dataset<Row> readIfPublished(SparkSession spark, FileSystem fs, Path path, StructType schema) {
    return Publisher.isPublished(fs, path) ? read(spark, path, schema) : IdentityResolution.empty(spark, schema);
  }


  /** Counts from the staged Parquet files (cheap: mostly footers), never from recomputation. */
  private static UnifyReport report(SparkSession spark, Staged staged, LocalDate runDate) {
    long attributed = spark.read().parquet(staged.recordMap().toString()).count();
    Dataset<Row> customers = spark.read().parquet(staged.profile().toString());
    long customerCount = customers.count();
    long newCustomers = customers.where(col("customer_since").equalTo(lit(Date.valueOf(runDate)))).count();
    Dataset<Row> changeRows = spark.read().parquet(staged.changes().toString());
    long merged = changeRows.where(col("change").equalTo("merged")).count();
    long split = changeRows.where(col("change").equalTo("split")).count();
    long erasedCustomers = spark.read().parquet(staged.newlyErased().toString()).count();
    long eventCount = spark.read().parquet(staged.events().toString()).count();
    Map<String, Long> guards = new TreeMap<>();
    // One row per guard kind: tiny.
    for (Row row : spark.read().parquet(staged.overShared().toString()).groupBy("guard").count().collectAsList()) {
      guards.put(row.getString(0), row.getLong(1));
    }
    long records = staged.records();
    long erased = staged.erasedRecords();
    return new UnifyReport(records, attributed, records - attributed - erased, erased, customerCount,
        newCustomers, merged, split, erasedCustomers, eventCount, guards, staged.resolution());
  }

  private static void log(UnifyReport report) {
    LOG.info(String.format(Locale.ROOT,
        "unify: %,d records -> %,d customers (%,d new); %,d records attributed, %,d without a linkable"
            + " identifier, %,d erased; %,d merges, %,d splits, %,d known customers erased tonight;"
            + " %,d timeline events; over-shared identifiers by guard %s; resolution: %s",
        report.records(), report.customers(), report.newCustomers(), report.attributedRecords(),
        report.unattributedRecords(), report.erasedRecords(), report.merged(), report.split(),
        report.newlyErased(), report.events(), report.overSharedByGuard(), report.resolution()));
  }

  /** Deletes all but the newest {@code keep} published snapshots of a dated table. */
  private static void keepLatest(FileSystem fs, Path table, int keep) {
    List<LocalDate> dates = DatedPartitions.list(fs, table, DT);
    for (LocalDate date : dates.subList(0, Math.max(0, dates.size() - keep))) {
      try {
        fs.delete(DatedPartitions.partition(table, DT, date), true);
      } catch (IOException e) {
        LOG.warn("could not delete old snapshot {}: {}", DatedPartitions.partition(table, DT, date), e.getMessage());
      }
    }
  }
}
