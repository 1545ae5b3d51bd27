package io.audiencepipeline.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

/**
 * Local checkpoints are kept serialized ({@link Checkpoints#LEVEL}), and no stage takes one any other way.
 * LocalClusterTest reads them across two executors.
 */
class CheckpointsTest {
  @Test
  void aCheckpointKeepsItsRowsSerializedOnDiskAndInMemory() {
    SparkSession spark = SharedSpark.session();
    Map<Integer, JavaRDD<?>> before = Map.copyOf(JavaSparkContext.fromSparkContext(spark.sparkContext())
        .getPersistentRDDs());

    // Four partitions for one row: most of the checkpoint's blocks are empty.
    Dataset<Row> kept = Checkpoints.local(spark.range(1).repartition(4).toDF());

    Map<Integer, JavaRDD<?>> after = JavaSparkContext.fromSparkContext(spark.sparkContext()).getPersistentRDDs();
    List<Integer> added = after.keySet().stream().filter(id -> !before.containsKey(id)).sorted().toList();
    assertEquals(1, added.size(), "one RDD kept for the checkpoint: " + added);
    StorageLevel level = after.get(added.get(0)).getStorageLevel();
    assertFalse(level.deserialized(), "kept serialized: " + level);
    assertTrue(level.useDisk() && level.useMemory(), "in memory and on disk: " + level);
    assertEquals(List.of(0L), kept.collectAsList().stream().map(r -> r.getLong(0)).toList());
    assertEquals(4, kept.rdd().getNumPartitions());
  }

  @Test
  void noStageTakesALocalCheckpointAnyOtherWay() throws IOException {
    List<String> offenders;
    try (Stream<Path> sources = Stream.concat(Files.walk(Path.of("src", "main", "java")),
        Files.walk(Path.of("..", "models", "src", "main", "java")))) {
      offenders = sources.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.getFileName().toString().equals("Checkpoints.java"))
          .filter(CheckpointsTest::callsLocalCheckpoint).map(Path::toString).sorted().toList();
    }
    assertEquals(List.of(), offenders, "use Checkpoints.local instead of Dataset.localCheckpoint");
  }

  private static boolean callsLocalCheckpoint(Path source) {
    try {
      return Files.readString(source).contains(".localCheckpoint(");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + source, e);
    }
  }
}
