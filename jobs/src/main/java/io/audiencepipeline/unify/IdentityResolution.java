package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;

import io.audiencepipeline.config.UnifySettings;
import io.audiencepipeline.identity.ConnectedComponents;
import io.audiencepipeline.identity.IdentityGraph;
import io.audiencepipeline.io.Checkpoints;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Resolves records to customers: link records through shared identifiers (minus over-shared ones),
 * take connected components, remove erased people, and keep customer ids stable against the
 * previous run's identifier map.
 *
 * <p>Stability rules: each previous customer id goes to the component holding most of its identifiers
 * (ties: the smaller component); a component that receives several ids keeps the oldest (earliest
 * {@code customer_since}, then the smallest id) and records the others as merged into it; identifiers
 * of an old id that end up in another component are recorded as split off; a component that receives
 * no id gets a new one.
 */
public final class IdentityResolution {
  public static final String ERASURE_EVENT = "erasure_request";

  /** Schema of the identifier map: one row per linkable identifier. */
  public static final StructType NODE_MAP = StructType.fromDDL(
      "node_key string, kind string, customer_id string, customer_since date");
  /** Schema of the suppression list. */
  public static final StructType SUPPRESSION = StructType.fromDDL("identifier_hash string, erased_on date");
  /** Schema of the over-shared identifiers ({@code silver/identity_overshared}). */
  public static final StructType OVER_SHARED = StructType.fromDDL("node_key string, guard string");
  /** Schema of the erased customer ids. */
  public static final StructType ERASED = StructType.fromDDL("customer_id string, erased_on date");

  private IdentityResolution() {
  }

  /**
   * @param recordCustomers source, record_key, customer_id, customer_since for every record that belongs to a living
   *     customer (erased people's and unlinkable records are absent)
   * @param erasedRecords source, record_key of every record of an erased person
   * @param nodeMap the new identifier map ({@link #NODE_MAP})
   * @param changes run_date, change (merged | split), customer_id, into_customer_id, identifiers
   * @param suppression the whole suppression list after this run ({@link #SUPPRESSION})
   * @param erasedCustomers every customer id retired by erasure so far ({@link #ERASED})
   * @param newlyErased customer ids retired by this run
   * @param overShared node_key, guard: identifiers that link nothing
   */
  public record Result(Dataset<Row> recordCustomers, Dataset<Row> erasedRecords, Dataset<Row> nodeMap,
      Dataset<Row> changes, Dataset<Row> suppression, Dataset<Row> erasedCustomers, Dataset<Row> newlyErased,
      Dataset<Row> overShared) {
  }

  /**
   * @param records {@link BronzeRecords} of the run
   * @param previousMap the latest identifier map before the run date (empty on the first run)
   * @param previousSuppression the suppression list so far (may be empty)
   * @param previousErased the erased customer ids so far (may be empty)
   */
  public static Result resolve(Dataset<Row> records, Dataset<Row> previousMap, Dataset<Row> previousSuppression,
      Dataset<Row> previousErased, UnifySettings settings, LocalDate runDate) {
    Dataset<Row> none = empty(records.sparkSession(), OVER_SHARED);
    return resolve(records, previousMap, previousSuppression, previousErased, none, none, settings, runDate,
        Scratch.CHECKPOINT);
  }

  /**
   * @param knownOverShared identifiers already known to be over-shared ({@link #OVER_SHARED}), added to those
   *     the guards find in {@code records}: an incremental run resolves only some records, and an identifier the
   *     guards excluded on the whole history stays excluded
   * @param previousOverShared the previous run's over-shared identifiers: one that is still over-shared keeps the
   *     guard recorded then (the guard that first excluded it), so the label does not depend on which records a
   *     run resolves
   * @param scratch keeps the large frames read several times (the anchored identifiers, the records' components)
   */
  public static Result resolve(Dataset<Row> records, Dataset<Row> previousMap, Dataset<Row> previousSuppression,
      Dataset<Row> previousErased, Dataset<Row> knownOverShared, Dataset<Row> previousOverShared,
      UnifySettings settings, LocalDate runDate, Scratch scratch) {
    Column today = lit(Date.valueOf(runDate));
    // The guards count from the records themselves (a few thousand identifiers come out).
    Dataset<Row> overShared = IdentityGraph.overShared(records, settings.guards())
        .union(knownOverShared.select("node_key", "guard"))
        .groupBy("node_key").agg(min("guard").as("guard"))
        .join(previousOverShared.select(col("node_key"), col("guard").as("previous_guard")),
            new String[] {"node_key"}, "left")
        .select(col("node_key"), coalesce(col("previous_guard"), col("guard")).as("guard"))
        .transform(Checkpoints::local);
    // Every linkable identifier with its record's anchor, kept once: the edges, the nodes and the records'
    // components each read a few of its columns.
    Dataset<Row> anchored = scratch.keep(IdentityGraph.anchored(records, overShared), "anchored_identifiers");
    Dataset<Row> recordAnchors = anchored.where(col("anchor_row"))
        .select(col("source"), col("record_key"), col("anchor").as("node"));

    Dataset<Row> edges = IdentityGraph.edges(anchored);
    if (settings.fuzzy().enabled()) {
      Dataset<Row> fuzzyEdges = FuzzyEdges.of(records, recordAnchors, settings.fuzzy());
      if (fuzzyEdges != null) {
        edges = edges.union(fuzzyEdges);
      }
    }
    Dataset<Row> components = ConnectedComponents.of(edges);
    // An email and a hashed email of the same address are one node: its kind is the plain one. The distinct
    // triples first (a hash aggregation), so the minimum of a text column sorts only one row per node and kind.
    Dataset<Row> nodes = anchored.select("node", "node_key", "kind").distinct()
        .groupBy("node", "node_key").agg(min("kind").as("kind"))
        .join(components, new String[] {"node"}, "left")
        .withColumn("component", coalesce(col("component"), col("node")))
        .transform(Checkpoints::local);

    // Read three times below (erasure requests, erased records, customer ids).
    Dataset<Row> recordComponents = scratch.keep(recordAnchors.join(nodes.select("node", "component"), "node")
        .drop("node"), "record_components");

    // Erasure: components holding a suppressed identifier or an erasure request.
    Dataset<Row> hashed = nodes.withColumn("identifier_hash", saltedHash(col("node_key"), settings.salt()));
    Dataset<Row> suppressedComponents = hashed.join(previousSuppression.select("identifier_hash"),
        "identifier_hash").select("component");
    // The erasure requests' records, read four times below (their keys three times, their identifiers once);
    // checkpointed (a few rows), so the records are scanned once for them.
    Dataset<Row> requests = records.where(col("event_type").equalTo(ERASURE_EVENT)).transform(Checkpoints::local);
    Dataset<Row> requestRecords = requests.select("source", "record_key");
    Dataset<Row> requestedComponents = recordComponents
        .join(broadcast(requestRecords), new String[] {"source", "record_key"})
        .select("component");
    Dataset<Row> erasedComponents = suppressedComponents.union(requestedComponents).distinct()
        .transform(Checkpoints::local);

    Dataset<Row> newHashes = hashed.join(erasedComponents, "component").select("identifier_hash")
        .union(IdentityGraph.recordIdentifiers(requests)
            .select(saltedHash(col("node_key"), settings.salt()).as("identifier_hash")))
        .withColumn("erased_on", today);
    Dataset<Row> suppression = previousSuppression.select("identifier_hash", "erased_on").union(newHashes)
        .groupBy("identifier_hash").agg(min("erased_on").as("erased_on"));

    Dataset<Row> erasedRecords = recordComponents.join(erasedComponents, "component")
        .select("source", "record_key")
        .union(requestRecords)
        .distinct();

    Dataset<Row> livingNodes = nodes.join(erasedComponents, new String[] {"component"}, "left_anti");
    Dataset<Row> erasedNodes = nodes.join(erasedComponents, "component");
    Dataset<Row> newlyErased = erasedNodes.join(previousMap, "node_key").select("customer_id").distinct()
        .withColumn("erased_on", today)
        .join(previousErased.select("customer_id"), new String[] {"customer_id"}, "left_anti");
    Dataset<Row> erasedCustomers = previousErased.select("customer_id", "erased_on").union(newlyErased)
        .groupBy("customer_id").agg(min("erased_on").as("erased_on"));

    Assignment assignment = assignIds(livingNodes, previousMap, settings.salt(), runDate);
    Dataset<Row> recordCustomers = recordComponents
        .join(assignment.componentIds(), "component")
        .select("source", "record_key", "customer_id", "customer_since");
    return new Result(recordCustomers, erasedRecords, assignment.nodeMap(), assignment.changes(), suppression,
        erasedCustomers, newlyErased, overShared);
  }

  /**
   * Where a run keeps a large intermediate frame that later steps read several times. The stages write Parquet
   * files under the run's staging folder ({@link #files}): each reader reads only its columns, and nothing waits in
   * the executors' memory. Tests may keep frames as local checkpoints.
   */
  @FunctionalInterface
  public interface Scratch {
    /** Keeps local checkpoints in the executors' block managers. */
    Scratch CHECKPOINT = (rows, name) -> Checkpoints.local(rows);

    /** Returns {@code rows} computed once, as a frame to read again; {@code name} is unique within a run. */
    Dataset<Row> keep(Dataset<Row> rows, String name);

    /** Writes each frame as Parquet under {@code folder}/name and reads it back. */
    static Scratch files(Path folder) {
      return (rows, name) -> {
        String path = new Path(folder, name).toString();
        rows.write().mode(SaveMode.Overwrite).parquet(path);
        return rows.sparkSession().read().parquet(path);
      };
    }
  }

  private record Assignment(Dataset<Row> componentIds, Dataset<Row> nodeMap, Dataset<Row> changes) {
  }

  /** Stable ids for the living components; see the class comment for the rules. */
  private static Assignment assignIds(Dataset<Row> nodes, Dataset<Row> previousMap, String salt, LocalDate runDate) {
    Column today = lit(Date.valueOf(runDate));
    Dataset<Row> votes = nodes.join(previousMap.select("node_key", "customer_id", "customer_since"), "node_key")
        .groupBy("customer_id", "customer_since", "component").agg(count(lit(1)).as("identifiers"))
        .transform(Checkpoints::local);
    Dataset<Row> owners = votes
        .withColumn("rank", row_number().over(Window.partitionBy("customer_id")
            .orderBy(col("identifiers").desc(), col("component"))))
        .where(col("rank").equalTo(1)).drop("rank", "identifiers")
        .withColumn("seniority", row_number().over(Window.partitionBy("component")
            .orderBy(col("customer_since"), col("customer_id"))));
    Dataset<Row> survivors = owners.where(col("seniority").equalTo(1))
        .select(col("component"), col("customer_id"), col("customer_since"));

    // Each component's own smallest identifier names a new customer (salted: ids reveal nothing).
    Dataset<Row> componentKeys = nodes.where(col("node").equalTo(col("component")))
        .select(col("component"), col("node_key").as("component_key"));
    Dataset<Row> componentIds = nodes.select("component").distinct()
        .join(componentKeys, new String[] {"component"}, "left")
        .join(survivors, new String[] {"component"}, "left")
        .select(col("component"),
            coalesce(col("customer_id"), newCustomerId(col("component_key"), salt, runDate)).as("customer_id"),
            coalesce(col("customer_since"), today).as("customer_since"))
        .transform(Checkpoints::local);

    Dataset<Row> merged = owners.where(col("seniority").gt(1)).as("m")
        .join(survivors.as("s"), "component")
        .select(today.as("run_date"), lit("merged").as("change"), col("m.customer_id").as("customer_id"),
            col("s.customer_id").as("into_customer_id"), lit(null).cast(DataTypes.LongType).as("identifiers"));
    Dataset<Row> ownerComponents = owners.select(col("customer_id"), col("component").as("owner_component"));
    Dataset<Row> split = votes.join(ownerComponents, "customer_id")
        .where(col("component").notEqual(col("owner_component")))
        .join(componentIds.select(col("component"), col("customer_id").as("into_customer_id")), "component")
        .where(col("into_customer_id").notEqual(col("customer_id")))
        .select(today.as("run_date"), lit("split").as("change"), col("customer_id"), col("into_customer_id"),
            col("identifiers"));
    Dataset<Row> changes = merged.union(split);

    Dataset<Row> nodeMap = nodes.join(componentIds, "component")
        .select("node_key", "kind", "customer_id", "customer_since");
    return new Assignment(componentIds, nodeMap, changes);
  }

  static Column newCustomerId(Column componentKey, String salt, LocalDate runDate) {
    return concat(lit("C"), substring(sha2(concat_ws("|", lit(salt), lit(runDate.toString()),
        componentKey), 256), 1, 20));
  }

  /** The suppression-list form of an identifier: salted SHA-256 of its node key. */
  public static Column saltedHash(Column nodeKey, String salt) {
    return sha2(concat_ws("|", lit(salt), nodeKey), 256);
  }

  /** Empty frames of the stored schemas, for the first run. */
  public static Dataset<Row> empty(SparkSession spark, StructType schema) {
    return spark.createDataFrame(java.util.List.of(), schema);
  }
}
