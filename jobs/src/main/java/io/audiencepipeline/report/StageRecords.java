package io.audiencepipeline.report;

import io.audiencepipeline.io.Documents;
import io.audiencepipeline.io.WarehouseLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The parts of a night run as separate commands (the Airflow DAG runs one task per stage):
 * {@code reports/_stages/dt=D/<command>.json}, one {@link RunLog.Record} per command, replaced when the command
 * runs again for the date (a retry or a cleared task). A stage starting deletes its own and the later stages'
 * records, so an earlier attempt's records never mix with this one's; {@code nightly} deletes them all.
 * {@code report} reads them and publishes the run report as {@code nightly} would have.
 */
public final class StageRecords {
  private static final String SUFFIX = ".json";

  private StageRecords() {
  }

  /** Writes (or replaces) one command's record for the date: written aside, then renamed into place. */
  public static void write(FileSystem fs, WarehouseLayout layout, LocalDate date, RunLog.Record record) {
    Path folder = layout.stageRecords(date);
    Path target = new Path(folder, record.command() + SUFFIX);
    Path aside = new Path(folder, "." + record.command() + "-" + record.runId() + SUFFIX);
    try {
      fs.mkdirs(folder);
      Documents.writeJson(fs, aside, record);
      fs.delete(target, false);
      if (!fs.rename(aside, target)) {
        throw new IOException("rename " + aside + " -> " + target + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the stage record " + target, e);
    }
  }

  /**
   * Deletes the date's records of {@code stage} and of every stage after it in {@code order}: a stage that runs
   * again changes what the later ones read, so their records (from an earlier attempt) no longer describe the
   * night until they run again. A stage not in {@code order} clears nothing.
   */
  public static void clearFrom(FileSystem fs, WarehouseLayout layout, LocalDate date, String stage,
      List<String> order) {
    int from = order.indexOf(stage);
    if (from < 0) {
      return;
    }
    for (String later : order.subList(from, order.size())) {
      Path record = new Path(layout.stageRecords(date), later + SUFFIX);
      try {
        fs.delete(record, false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the stage record " + record, e);
      }
    }
  }

  /** Deletes every record of the date ({@code nightly} writes its own report). */
  public static void clearAll(FileSystem fs, WarehouseLayout layout, LocalDate date) {
    Path folder = layout.stageRecords(date);
    try {
      fs.delete(folder, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the stage records " + folder, e);
    }
  }

  /** The date's records in the order of {@code order} (commands not in it last, by name). */
  public static List<RunLog.Record> read(FileSystem fs, WarehouseLayout layout, LocalDate date, List<String> order) {
    Path folder = layout.stageRecords(date);
    List<RunLog.Record> records = new ArrayList<>();
    try {
      if (!fs.exists(folder)) {
        return records;
      }
      for (FileStatus file : fs.listStatus(folder)) {
        String name = file.getPath().getName();
        if (name.endsWith(SUFFIX) && !name.startsWith(".")) {
          records.add(Documents.readJson(fs, file.getPath(), RunLog.Record.class));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the stage records in " + folder, e);
    }
    records.sort(Comparator.<RunLog.Record>comparingInt(r -> order.contains(r.command())
        ? order.indexOf(r.command()) : order.size()).thenComparing(RunLog.Record::command));
    return records;
  }
}
