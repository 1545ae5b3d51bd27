package io.audiencepipeline.io;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run by LocalClusterTest on a two-executor cluster: a checkpoint of one row in eight partitions (seven empty
 * blocks) is read by twenty jobs, whose tasks land on either executor, so many of them read another executor's
 * empty blocks. Exits 0 when every job counts the one row; a failed read fails the job (one attempt per task).
 */
public final class CheckpointProbe {
  private CheckpointProbe() {
  }

  public static void main(String[] args) {
    // Kryo, as the pipeline runs (reference.conf): it writes no bytes for an empty block, where Java serialization
    // writes a stream header.
    SparkSession spark = SparkSession.builder().appName("checkpoint-probe")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer").getOrCreate();
    try {
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
}
