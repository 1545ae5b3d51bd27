package io.audiencepipeline.bench;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.ingest.LandingZone;
import io.audiencepipeline.ingest.SourceReader;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The floor of a night (issue 8, docs/PERFORMANCE.md): the least any pipeline producing the same outputs from
 * the same inputs must do. Part one reads every source's landing data once, every landing date up to the run date
 * (as a first night's {@code ingest --from} does), with the
 * source's own format and declared schema ({@link SourceReader}, as ingest does) and no further work. Part two
 * writes the run date's published outputs once: the customer profile, timeline, features, scores and segments
 * are read and written again as Parquet, and the outbox folders are copied byte for byte (the write is what is
 * measured; the Parquet re-read it needs is small next to it). The night's time divided by this is its floor
 * ratio.
 */
public final class Floor {
  private static final Logger LOG = LoggerFactory.getLogger(Floor.class);

  /** Seconds of each part, and the bytes each part touched. */
  public record Result(double readSeconds, long landingBytes, int sources, double writeSeconds, long outputBytes,
      int outputs) {
    public String describe() {
      return String.format(Locale.ROOT, "floor: read_inputs_s=%.1f landing_bytes=%d sources=%d write_outputs_s=%.1f "
          + "output_bytes=%d outputs=%d", readSeconds, landingBytes, sources, writeSeconds, outputBytes, outputs);
    }
  }

  private Floor() {
  }

  /** Measures both parts; {@code scratch} (deleted before and after) receives the rewritten outputs. */
  public static Result run(SparkSession spark, Settings settings, LocalDate runDate, String scratch) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    try {
      FileSystem landingFs = new Path(settings.landing()).getFileSystem(spark.sparkContext().hadoopConfiguration());
      LandingZone landing = new LandingZone(settings.landing(), spark.sparkContext().hadoopConfiguration());
      long started = System.nanoTime();
      long landingBytes = 0;
      int sources = 0;
      for (SourceSpec source : settings.sources()) {
        List<Path> dates = landing.landedDates(source, LocalDate.MIN, runDate).stream()
            .map(date -> landing.partition(source, date)).toList();
        if (dates.isEmpty()) {
          continue;
        }
        for (Path date : dates) {
          landingBytes += landingFs.getContentSummary(date).getLength();
        }
        SourceReader.read(spark, source, dates.stream().map(Path::toString).toList())
            .write().format("noop").mode("overwrite").save();
        sources++;
      }
      double readSeconds = (System.nanoTime() - started) / 1e9;

      Path out = new Path(scratch);
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileSystem warehouseFs = layout.fileSystem(spark.sparkContext().hadoopConfiguration());
      fs.delete(out, true);
      List<Path> outputs = published(warehouseFs, layout, runDate);
      started = System.nanoTime();
      int index = 0;
      for (Path output : outputs) {
        Path target = new Path(out, String.format(Locale.ROOT, "%03d", index++));
        if (output.toString().contains("/" + WarehouseLayout.OUTBOX + "/")) {
          FileUtil.copy(warehouseFs, output, fs, target, false, spark.sparkContext().hadoopConfiguration());
        } else {
          spark.read().parquet(output.toString()).write().parquet(target.toString());
        }
      }
      double writeSeconds = (System.nanoTime() - started) / 1e9;
      long outputBytes = fs.exists(out) ? fs.getContentSummary(out).getLength() : 0;
      fs.delete(out, true);
      Result result = new Result(readSeconds, landingBytes, sources, writeSeconds, outputBytes, outputs.size());
      LOG.info(result.describe());
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("floor measurement failed", e);
    }
  }

  /** The run date's published folders (complete ones, with _SUCCESS). */
  static List<Path> published(FileSystem fs, WarehouseLayout layout, LocalDate runDate) throws IOException {
    List<Path> candidates = new ArrayList<>(List.of(new Path(layout.customerProfile(), "dt=" + runDate),
        layout.customerEvents(), layout.features(runDate), layout.scores(runDate)));
    candidates.addAll(glob(fs, new Path(layout.root(), "gold/segments/*/dt=" + runDate)));
    candidates.addAll(glob(fs, new Path(layout.root(), WarehouseLayout.OUTBOX + "/*/*/dt=" + runDate)));
    List<Path> complete = new ArrayList<>();
    for (Path candidate : candidates) {
      if (Publisher.isPublished(fs, candidate)) {
        complete.add(candidate);
      }
    }
    return complete;
  }

  private static List<Path> glob(FileSystem fs, Path pattern) throws IOException {
    FileStatus[] found = fs.globStatus(pattern);
    List<Path> paths = new ArrayList<>();
    if (found != null) {
      for (FileStatus status : found) {
        paths.add(status.getPath());
      }
    }
    paths.sort(null);
    return paths;
  }
}
