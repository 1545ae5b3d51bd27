package io.audiencepipeline.cli;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of long stages without Spark's INFO noise: at most one line every {@code intervalSeconds} while
 * Spark is working, with the Spark stages and tasks completed since the last line and the stage that just
 * finished (logger {@code progress}: "14 Spark stages, 2,310 tasks in the last 30 s; last: parquet at
 * ExportStage.java:312").
 */
final class ProgressListener extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger("io.audiencepipeline.progress");
  private final long intervalNanos;
  private final AtomicLong stages = new AtomicLong();
  private final AtomicLong tasks = new AtomicLong();
  private final AtomicLong inputBytes = new AtomicLong();
  private final AtomicLong inputRecords = new AtomicLong();
  private final AtomicLong outputBytes = new AtomicLong();
  private final AtomicLong outputRecords = new AtomicLong();
  private final AtomicLong shuffleWriteBytes = new AtomicLong();
  private volatile long lastLine = System.nanoTime();

  ProgressListener(long intervalSeconds) {
    this.intervalNanos = intervalSeconds * 1_000_000_000L;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    tasks.incrementAndGet();
    org.apache.spark.executor.TaskMetrics metrics = taskEnd.taskMetrics();
    if (metrics != null) {
      inputBytes.addAndGet(metrics.inputMetrics().bytesRead());
      inputRecords.addAndGet(metrics.inputMetrics().recordsRead());
      outputBytes.addAndGet(metrics.outputMetrics().bytesWritten());
      outputRecords.addAndGet(metrics.outputMetrics().recordsWritten());
      shuffleWriteBytes.addAndGet(metrics.shuffleWriteMetrics().bytesWritten());
    }
  }

  /**
   * The whole process's Spark I/O, from the tasks' metrics (failed and speculative attempts included): one
   * line of key=value pairs that the benchmark harness reads ("spark io: input_bytes=... output_bytes=...").
   */
  void logTotals() {
    LOG.info(String.format(Locale.ROOT, "spark io: input_bytes=%d input_records=%d output_bytes=%d "
        + "output_records=%d shuffle_write_bytes=%d", inputBytes.get(), inputRecords.get(), outputBytes.get(),
        outputRecords.get(), shuffleWriteBytes.get()));
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted completed) {
    stages.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastLine >= intervalNanos) {
      long seconds = (now - lastLine) / 1_000_000_000L;
      lastLine = now;
      String name = completed.stageInfo().name();
      // Adaptive execution names many stages after Spark's own frames; only a call site of ours says something.
      String last = name.contains("$anonfun$") ? "" : "; last: " + name;
      LOG.info(String.format(Locale.ROOT, "%,d Spark stages, %,d tasks in the last %d s%s", stages.getAndSet(0),
          tasks.getAndSet(0), seconds, last));
    }
  }
}
