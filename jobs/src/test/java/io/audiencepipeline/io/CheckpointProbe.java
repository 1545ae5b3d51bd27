package io.audiencepipeline.io;

import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run by LocalClusterTest on a two-executor cluster: once both executors have registered, a checkpoint of one row
 * in eight partitions (seven empty blocks) is read by twenty jobs, whose tasks land on either executor, so many of
 * them read another executor's empty blocks. Exits 0 when every job counts the one row; a failed read fails the job
 * (one attempt per task).
 */
public final class CheckpointProbe {
  private CheckpointProbe() {
  }

  public static void main(String[] args) throws InterruptedException {
    // Kryo, as the pipeline runs (reference.conf): it writes no bytes for an empty block, where Java serialization
    // writes a stream header.
    SparkSession spark = SparkSession.builder().appName("checkpoint-probe")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer").getOrCreate();
    try {
      awaitExecutors(spark, 2);
      Dataset<Row> kept = Checkpoints.local(spark.range(0, 1, 1, 8).toDF());
      for (int job = 0; job < 20; job++) {
        long rows = kept.count();
        if (rows != 1) {
          throw new IllegalStateException("job " + job + " counted " + rows + " rows, not 1");
        }
      }
    } finally {
      spark.stop();
    }
  }

  /**
   * A standalone cluster's first job does not wait for every executor: with one registered, every task would run
   * there and every read would be local, and the probe would pass without reading across executors.
   */
  private static void awaitExecutors(SparkSession spark, int executors) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    // The status tracker lists the driver too.
    while (spark.sparkContext().statusTracker().getExecutorInfos().length < executors + 1) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("fewer than " + executors + " executors registered within 2 minutes");
      }
      Thread.sleep(200);
    }
  }
}
