package io.audiencepipeline.io;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The one way the stages keep a frame as a local checkpoint (computed once, its plan cut short, its rows in the
 * executors' block managers). Every stage calls {@link #local} instead of {@code Dataset.localCheckpoint()}.
 */
public final class Checkpoints {
  /**
   * Serialized, not Spark's default deserialized {@code MEMORY_AND_DISK}. Spark 4.1 refuses a remote read of an
   * empty deserialized block: the block's size is the estimated size of its (empty) objects, its bytes on the
   * wire with Kryo (the pipeline's serializer) are none, and {@code BlockManager.fetchRemoteManagedBuffer} takes
   * that for a failed fetch ("Empty buffer received for non empty block", SPARK-59403). A cached block is then
   * computed again, but a local checkpoint has no lineage to compute it from, so the task fails with
   * CHECKPOINT_RDD_BLOCK_ID_NOT_FOUND whenever it runs on another executor than the one holding an empty
   * partition. A serialized block's size is its bytes, so an empty one reads as empty.
   */
  static final StorageLevel LEVEL = StorageLevel.MEMORY_AND_DISK_SER();

  private Checkpoints() {
  }

  /** {@code rows} computed now and kept in the executors, as a frame without lineage. */
  public static Dataset<Row> local(Dataset<Row> rows) {
    return rows.localCheckpoint(true, LEVEL);
  }
}
