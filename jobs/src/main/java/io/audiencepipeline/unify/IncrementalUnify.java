package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.identity.IdentityGraph;
import io.audiencepipeline.io.Checkpoints;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An incremental unify: resolve again only the customers that the run date's bronze records touch, and carry
 * every other customer over from the night before.
 *
 * <p>Why the outputs equal a full run's. Records only add links, so a customer none of whose identifiers
 * appears tonight (and none of whose records is delivered again) keeps the same component, hence the same id,
 * identifier rows, record rows, profile (apart from the preferred channel, counted again over tonight's window)
 * and timeline events. A touched customer's component, and any new one, is made only of touched customers'
 * records and tonight's, and every record carrying one of its linkable identifiers is among them, so running
 * {@link IdentityResolution} over just those records gives the same components, guards and ids as over all of
 * bronze, given yesterday's over-shared identifiers (which stay over-shared as records arrive, and keep the
 * guard recorded when they were first excluded, in both paths). An erasure request or a suppressed identifier
 * tonight erases only components of those records, so it is resolved incrementally too.
 *
 * <p>A night is resolved in full instead when that argument does not hold, and the log says why: no outputs
 * of the day before, or they were not the last unify published; bronze landed up to the day before, the
 * settings, the time zone or the code changed since; fuzzy matching (it compares names across all records); a
 * record delivered again whose earlier version carried an over-shared or an erased identifier (the guard could
 * release it; the erased record could come back); more than half of yesterday's customers touched.
 */
final class IncrementalUnify {
  private static final Logger LOG = LoggerFactory.getLogger(IncrementalUnify.class);
  private static final String[] RECORD = {"source", "record_key"};
  private static final String[] CUSTOMER = {"customer_id"};
  /** Above this share of yesterday's customers touched tonight (a backfill, a source delivered whole again). */
  private static final double MAX_TOUCHED_SHARE = 0.5;

  /** The night before's published outputs an incremental night starts from. */
  record Prior(LocalDate date, UnifyState state, Path nodes, Path map, Path overShared, Path profile) {
  }

  private IncrementalUnify() {
  }

  /** Tonight's staged outputs, or why the night must be resolved in full (logged). */
  record Attempt(UnifyStage.Staged staged, String fullBecause) {
    static Attempt full(String why) {
      LOG.info("unify: resolving every record: {}", why);
      return new Attempt(null, why);
    }
  }

  /**
   * Stages tonight's outputs from the night before's, or says why tonight's records need a full run.
   *
   * @param deliveries every bronze delivery up to the run date ({@link BronzeRecords#deliveries})
   */
  static Attempt attempt(SparkSession spark, Publisher publisher, WarehouseLayout layout, Settings settings,
      Dataset<Row> deliveries, LocalDate runDate) {
    FileSystem fs = publisher.fileSystem();
    LocalDate before = runDate.minusDays(1);
    if (settings.unify().fuzzy().enabled()) {
      return Attempt.full("fuzzy matching compares names across all records");
    }
    Path nodes = DatedPartitions.partition(layout.identityNodes(), UnifyStage.DT, before);
    Path map = DatedPartitions.partition(layout.identityMap(), UnifyStage.DT, before);
    Path overShared = DatedPartitions.partition(layout.identityOverShared(), UnifyStage.DT, before);
    Path profile = DatedPartitions.partition(layout.customerProfile(), UnifyStage.DT, before);
    for (Path path : new Path[] {nodes, map, overShared, profile, layout.customerEvents()}) {
      if (!Publisher.isPublished(fs, path)) {
        return Attempt.full("no published " + path.getParent().getName() + " of " + before);
      }
    }
    UnifyState state;
    UnifyState timeline;
    try {
      state = UnifyState.read(fs, nodes);
      timeline = UnifyState.read(fs, layout.customerEvents());
    } catch (RuntimeException e) {
      return Attempt.full("cannot read the state of " + before + " (" + e.getMessage() + ")");
    }
    if (state == null || timeline == null || state.runId() == null || state.settings() == null
        || state.bronze() == null) {
      return Attempt.full("the outputs of " + before + " have no complete " + UnifyState.FILE);
    }
    if (!state.runId().equals(timeline.runId())) {
      return Attempt.full("the timeline was last written by the unify of " + timeline.runDate() + ", not of "
          + before);
    }
    if (!state.settings().equals(UnifyState.settingsDigest(settings, UnifyStage.timeZone(spark)))) {
      return Attempt.full("the unify settings, the sources, the time zone or the code changed since " + before);
    }
    if (!state.bronze().equals(UnifyState.bronzeDigest(fs, layout, settings.sources(), before))) {
      return Attempt.full("bronze landed up to " + before + " changed since it was unified");
    }
    return stage(spark, publisher, layout, settings, deliveries,
        new Prior(before, state, nodes, map, overShared, profile), runDate);
  }

  private static Attempt stage(SparkSession spark, Publisher publisher, WarehouseLayout layout, Settings settings,
      Dataset<Row> deliveries, Prior prior, LocalDate runDate) {
    Dataset<Row> tonightDeliveries = deliveries.where(col(BronzeRecords.LANDING_DATE).equalTo(lit(Date.valueOf(runDate))));
    long broadcastRows = settings.unify().broadcastRows();
    Dataset<Row> tonight = BronzeRecords.latestRanked(tonightDeliveries).transform(Checkpoints::local);
    long tonightRecords = tonight.count(); // one row per record key
    Dataset<Row> tonightRecordKeys = tonight.select("source", "record_key");
    Dataset<Row> tonightKeys = small(tonightRecordKeys, tonightRecords, broadcastRows);
    Dataset<Row> tonightIdentifiers = IdentityGraph.recordIdentifiers(tonight).transform(Checkpoints::local);
    Dataset<Row> tonightIds = tonightIdentifiers.select("node_key").distinct().transform(Checkpoints::local);
    tonightIds = small(tonightIds, tonightIds.count(), broadcastRows);
    Dataset<Row> previousNodes = spark.read().schema(IdentityResolution.NODE_MAP).parquet(prior.nodes().toString());
    Dataset<Row> previousMap = spark.read().parquet(prior.map().toString());
    Dataset<Row> touchedIds = previousNodes.join(tonightIds, new String[] {"node_key"}, "left_semi")
        .select("customer_id")
        .union(previousMap.join(tonightKeys, RECORD, "left_semi").select("customer_id"))
        .distinct()
        .transform(Checkpoints::local);
    long customers = touchedIds.count();
    Dataset<Row> touched = small(touchedIds, customers, broadcastRows);
    long before = spark.read().parquet(prior.profile().toString()).count();
    if (customers > before * MAX_TOUCHED_SHARE) {
      return Attempt.full(String.format(Locale.ROOT, "tonight's records touch %,d of %,d customers (more than"
          + " %.0f%%): a full run costs less", customers, before, MAX_TOUCHED_SHARE * 100));
    }
    Dataset<Row> keys = previousMap.join(touched, CUSTOMER, "left_semi").select("source", "record_key")
        .union(tonightRecordKeys) // the un-hinted keys: a broadcast hint outside a join only draws a warning
        .distinct()
        .transform(Checkpoints::local);
    keys = small(keys, keys.count(), broadcastRows);
    // Bronze is read once: every delivery of the touched customers' records and of tonight's. Tonight's records'
    // earlier deliveries are among them.
    Dataset<Row> fetched = deliveries.join(keys, RECORD, "left_semi").persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> records = BronzeRecords.latestRanked(fetched).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> earlier = fetched.where(col(BronzeRecords.LANDING_DATE).lt(lit(Date.valueOf(runDate))))
          .join(tonightKeys, RECORD, "left_semi")
          .transform(Checkpoints::local);
      long resolved = records.count();
      fetched.unpersist();
      // The versions of re-delivered records that yesterday's run used, and whether tonight's version changed
      // what the graph and its guards see (identifiers, first name).
      Dataset<Row> earlierLatest = BronzeRecords.latestRanked(earlier).transform(Checkpoints::local);
      Dataset<Row> earlierIdentifiers = IdentityGraph.recordIdentifiers(earlierLatest).transform(Checkpoints::local);
      Dataset<Row> suppressed = UnifyStage.readIfPublished(spark, publisher.fileSystem(),
          layout.erasureSuppression(), IdentityResolution.SUPPRESSION);
      Dataset<Row> previousOverShared = spark.read().schema(IdentityResolution.OVER_SHARED)
          .parquet(prior.overShared().toString());
      Dataset<Row> tonightSignatures = signatures(tonightIdentifiers)
          .withColumnRenamed("ids", "tonight_ids").withColumnRenamed("name", "tonight_name");
      Dataset<Row> changed = signatures(earlierIdentifiers).join(tonightSignatures, RECORD, "left")
          .where(col("ids").notEqual(col("tonight_ids")).or(col("tonight_ids").isNull())
              .or(col("name").eqNullSafe(col("tonight_name")).unary_$bang()))
          .select("source", "record_key");
      // Guards only add identifiers as records arrive, but a changed record can release one (an address is a
      // role mailbox only while some record carries it in plain text).
      if (!earlierIdentifiers.join(changed, RECORD, "left_semi").join(previousOverShared, "node_key").isEmpty()) {
        return Attempt.full("a record delivered again tonight changed, and carried an over-shared identifier");
      }
      // Re-delivered records that were erased yesterday (erased people's records stay in bronze): an erasure
      // request, or a record with a linkable identifier on the suppression list (every linkable identifier of an
      // erased component is on it). Tonight they are resolved with the rest; the erased count moves by the
      // difference.
      Dataset<Row> erasedBefore = earlierIdentifiers
          .join(previousOverShared.select("node_key"), new String[] {"node_key"}, "left_anti")
          .withColumn("identifier_hash", IdentityResolution.saltedHash(col("node_key"), settings.unify().salt()))
          .join(suppressed.select("identifier_hash"), "identifier_hash")
          .select("source", "record_key")
          .union(earlierLatest.where(col("event_type").equalTo(IdentityResolution.ERASURE_EVENT))
              .select("source", "record_key"))
          .distinct()
          .transform(Checkpoints::local);

      IdentityResolution.Result result = IdentityResolution.resolve(records,
          previousNodes.join(touched, CUSTOMER, "left_semi"), suppressed,
          UnifyStage.readIfPublished(spark, publisher.fileSystem(), layout.erasedCustomers(), IdentityResolution.ERASED),
          previousOverShared, previousOverShared, settings.unify(), runDate,
          IdentityResolution.Scratch.files(publisher.staging("unify/scratch")));
      Dataset<Row> erasedNow = result.erasedRecords().transform(Checkpoints::local);
      long erasedChange = erasedNow.join(erasedBefore, RECORD, "left_anti").count()
          - erasedBefore.join(erasedNow, RECORD, "left_anti").count();
      LOG.info(String.format(Locale.ROOT, "unify: incremental from %s: %,d records of %,d touched customers and"
          + " tonight's resolved again", prior.date(), resolved, customers));

      Path touchedMap = UnifyStage.stage(result.recordCustomers(), publisher, "touched_identity_map");
      Path nodes = UnifyStage.stage(previousNodes.join(touched, CUSTOMER, "left_anti")
          .unionByName(result.nodeMap()).sortWithinPartitions("node_key"), publisher, "identity_nodes");
      Path recordMap = UnifyStage.stage(previousMap.join(touched, CUSTOMER, "left_anti")
          .select("source", "record_key", "customer_id", "customer_since")
          .unionByName(spark.read().parquet(touchedMap.toString())), publisher, "identity_map");
      Path changes = UnifyStage.stage(result.changes().coalesce(1), publisher, "identity_merges");
      Path suppression = UnifyStage.stage(result.suppression().coalesce(1), publisher, "erasure_suppression");
      Path erased = UnifyStage.stage(result.erasedCustomers().coalesce(1), publisher, "erased_customers");
      Path newlyErased = UnifyStage.stage(result.newlyErased().coalesce(1), publisher, "newly_erased");
      Path overShared = UnifyStage.stage(result.overShared().coalesce(1), publisher, "identity_overshared");

      Dataset<Row> living = records.join(spark.read().parquet(touchedMap.toString()), RECORD);
      Dataset<Row> previousTimeline = spark.read().parquet(layout.customerEvents().toString())
          .join(touched, CUSTOMER, "left_anti");
      Dataset<Row> profile = Profiles.build(living, UnifyStage.sourceNames(settings), settings.unify(), runDate)
          .unionByName(Profiles.carryOver(spark.read().parquet(prior.profile().toString())
              .join(touched, CUSTOMER, "left_anti"), previousTimeline, settings.unify(), runDate));
      Path profilePath = UnifyStage.stage(profile.sortWithinPartitions("customer_id"), publisher, "customer_profile");
      Dataset<Row> timeline = Timeline.build(living, settings.sources(), settings.unify());
      Path events = UnifyStage.stageTimeline(timeline.unionByName(previousTimeline), publisher);
      // Every other customer's timeline rows are yesterday's: the features stage carries their rows over. The
      // customers erased tonight are left out (they have no row tonight to build or carry).
      touchedIds.join(result.newlyErased().select("customer_id"), CUSTOMER, "left_anti").coalesce(1).write()
          .mode(SaveMode.Overwrite)
          .parquet(new Path(events, UnifyState.CHANGED_CUSTOMERS).toString());

      long newRecords = tonightRecords - earlier.select("source", "record_key").distinct().count();
      return new Attempt(new UnifyStage.Staged(nodes, recordMap, changes, suppression, erased, newlyErased,
          overShared, profilePath, events, prior.state().records() + newRecords, prior.state().erasedRecords() + erasedChange,
          "incremental from " + prior.date(), prior.state().runId()), null);
    } finally {
      fetched.unpersist();
      records.unpersist();
    }
  }

  /**
   * A key set joined with a large table: broadcast when it has at most {@code max} rows, so the large side is
   * filtered where it is read (no shuffle of its wide rows); otherwise left to Spark's planner.
   */
  private static Dataset<Row> small(Dataset<Row> keys, long rows, long max) {
    return rows <= max ? broadcast(keys) : keys;
  }

  /** Per record: its sorted identifiers ({@code ids}) and first name ({@code name}). */
  private static Dataset<Row> signatures(Dataset<Row> recordIdentifiers) {
    return recordIdentifiers.groupBy("source", "record_key")
        .agg(array_sort(collect_set(col("node_key"))).as("ids"), max(col("first_name")).as("name"));
  }

}
