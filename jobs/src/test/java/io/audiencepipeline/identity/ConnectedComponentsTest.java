package io.audiencepipeline.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.audiencepipeline.testing.SharedSpark;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ConnectedComponentsTest {
  private static final StructType EDGES = new StructType()
      .add("src", DataTypes.LongType, false).add("dst", DataTypes.LongType, false);

  private static Map<Long, Long> components(long[][] edges) {
    List<Row> rows = new ArrayList<>();
    for (long[] edge : edges) {
      rows.add(RowFactory.create(edge[0], edge[1]));
    }
    Dataset<Row> result = ConnectedComponents.of(SharedSpark.session().createDataFrame(rows, EDGES));
    Map<Long, Long> byNode = new TreeMap<>();
    for (Row row : result.collectAsList()) {
      Long previous = byNode.put(row.getLong(0), row.getLong(1));
      assertEquals(null, previous, "node " + row.getLong(0) + " is in two components");
    }
    return byNode;
  }

  @Test
  void chainsStarsAndSelfLoopsResolveToTheSmallestNode() {
    Map<Long, Long> result = components(new long[][] {
        {5, 4}, {4, 3}, {3, 2}, {2, 1},      // a chain
        {10, 20}, {10, 30}, {10, 40},        // a star
        {7, 7}, {8, 7}, {9, 9},              // self-loops link nothing
        {100, 200}, {200, 100}});            // a duplicated edge
    Map<Long, Long> expected = new TreeMap<>(Map.ofEntries(
        Map.entry(1L, 1L), Map.entry(2L, 1L), Map.entry(3L, 1L), Map.entry(4L, 1L), Map.entry(5L, 1L),
        Map.entry(10L, 10L), Map.entry(20L, 10L), Map.entry(30L, 10L), Map.entry(40L, 10L),
        Map.entry(7L, 7L), Map.entry(8L, 7L), Map.entry(100L, 100L), Map.entry(200L, 100L)));
    assertEquals(expected, result);
  }

  /** The convergence check's fingerprint: blind to order and partitioning, not to one edge moved. */
  @Test
  void signaturesIgnoreOrderAndPartitioningButSeeAMovedEdge() {
    Dataset<Row> edges = SharedSpark.session().range(1000).selectExpr("id + 1000 AS src", "id % 37 AS dst");
    Row signature = ConnectedComponents.signature(edges);
    assertEquals(signature, ConnectedComponents.signature(edges.repartition(7).orderBy(edges.col("src").desc())));
    Dataset<Row> moved = edges.selectExpr("src", "CASE WHEN src = 1500 THEN dst + 1 ELSE dst END AS dst");
    assertNotEquals(signature, ConnectedComponents.signature(moved));
    assertEquals(1000L, signature.getLong(0));
  }

  @Test
  void randomGraphsMatchAUnionFindReference() {
    Random random = new Random(20261121L);
    for (int trial = 0; trial < 3; trial++) {
      int nodes = 60;
      long[][] edges = new long[45][];
      for (int i = 0; i < edges.length; i++) {
        edges[i] = new long[] {random.nextInt(nodes), random.nextInt(nodes)};
      }
      assertEquals(unionFind(edges), components(edges), "trial " + trial);
    }
  }

  /** The reference answer; like the algorithm, it ignores self-loops (they link nothing). */
  private static Map<Long, Long> unionFind(long[][] edges) {
    Map<Long, Long> parent = new HashMap<>();
    for (long[] edge : edges) {
      if (edge[0] != edge[1]) {
        long a = find(parent, edge[0]);
        long b = find(parent, edge[1]);
        parent.put(Math.max(a, b), Math.min(a, b));
      }
    }
    Map<Long, Long> result = new TreeMap<>();
    for (long[] edge : edges) {
      if (edge[0] != edge[1]) {
        result.put(edge[0], find(parent, edge[0]));
        result.put(edge[1], find(parent, edge[1]));
      }
    }
    return result;
  }

  private static long find(Map<Long, Long> parent, long node) {
    long root = node;
    while (parent.containsKey(root) && parent.get(root) != root) {
      root = parent.get(root);
    }
    return root;
  }
}
