package io.audiencepipeline.identity;

import static org.apache.spark.sql.functions.bit_xor;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.xxhash64;

import io.audiencepipeline.io.Checkpoints;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connected components of an undirected graph with the alternating large-star / small-star algorithm
 * (Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014), in Spark SQL: every
 * step is a join and an aggregation, nothing is collected, and it converges in O(log^2 n) rounds
 * instead of the graph's diameter for plain label propagation.
 */
public final class ConnectedComponents {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectedComponents.class);
  private static final int MAX_ROUNDS = 100;

  private ConnectedComponents() {
  }

  /**
   * Maps each node of {@code edges} (columns {@code src, dst}: longs) to its component's smallest
   * node id. Returns columns {@code node, component}. Self-loops link nothing: a node with no other edge
   * is not in the result (callers add singletons themselves).
   */
  public static Dataset<Row> of(Dataset<Row> edges) {
    Dataset<Row> current = edges.where(col("src").notEqual(col("dst")))
        .select(greatest(col("src"), col("dst")).as("src"), least(col("src"), col("dst")).as("dst"))
        .distinct()
        .transform(Checkpoints::local);
    Row currentSignature = signature(current);
    for (int round = 1; round <= MAX_ROUNDS; round++) {
      Dataset<Row> next = smallStar(largeStar(current)).transform(Checkpoints::local);
      // Converged when a round changes nothing: both edge sets are the same star forest. A round that changed
      // something almost always changes the signature (one scan of the new set, no shuffle); only when the
      // signatures agree are the two sets compared exactly, so a hash collision costs a round, never a result.
      Row nextSignature = signature(next);
      boolean changed = !nextSignature.equals(currentSignature)
          || !next.exceptAll(current).isEmpty() || !current.exceptAll(next).isEmpty();
      current = next;
      currentSignature = nextSignature;
      if (!changed) {
        LOG.info("connected components converged after {} round(s)", round);
        return stars(current);
      }
    }
    throw new IllegalStateException("connected components did not converge in " + MAX_ROUNDS + " rounds");
  }

  /**
   * An order-independent fingerprint of a distinct edge set: its size and the XOR of two independent hashes of
   * its edges (64 and 32 bits). Equal sets have equal signatures; different ones almost never do.
   */
  static Row signature(Dataset<Row> edges) {
    return edges.agg(count(lit(1)), bit_xor(xxhash64(col("src"), col("dst"))), bit_xor(hash(col("src"), col("dst"))))
        .first();
  }

  /** Both directions of every edge, as (node, neighbour). */
  private static Dataset<Row> neighbours(Dataset<Row> edges) {
    return edges.select(col("src").as("node"), col("dst").as("neighbour"))
        .union(edges.select(col("dst").as("node"), col("src").as("neighbour")));
  }

  /** Each node's larger neighbours attach to the smallest node of its closed neighbourhood. */
  static Dataset<Row> largeStar(Dataset<Row> edges) {
    Dataset<Row> both = neighbours(edges);
    Dataset<Row> smallest = both.groupBy("node").agg(min("neighbour").as("smallest"));
    return both.join(smallest, "node")
        .where(col("neighbour").gt(col("node")))
        .select(col("neighbour").as("src"), least(col("smallest"), col("node")).as("dst"))
        .distinct();
  }

  /** Each node and its smaller neighbours attach to the smallest of them. */
  static Dataset<Row> smallStar(Dataset<Row> edges) {
    Dataset<Row> down = edges.select(greatest(col("src"), col("dst")).as("node"),
        least(col("src"), col("dst")).as("neighbour"));
    Dataset<Row> smallest = down.groupBy("node").agg(min("neighbour").as("smallest"));
    Dataset<Row> members = down.join(smallest, "node")
        .where(col("neighbour").notEqual(col("smallest")))
        .select(col("neighbour").as("src"), col("smallest").as("dst"));
    Dataset<Row> centres = smallest.select(col("node").as("src"), col("smallest").as("dst"));
    return members.union(centres).distinct();
  }

  /** A converged edge set is a forest of stars (leaf, centre); the centre is the component's minimum. */
  private static Dataset<Row> stars(Dataset<Row> edges) {
    Dataset<Row> leaves = edges.select(col("src").as("node"), col("dst").as("component"));
    Dataset<Row> centres = edges.select(col("dst").as("node"), col("dst").as("component"));
    return leaves.union(centres).distinct();
  }
}
