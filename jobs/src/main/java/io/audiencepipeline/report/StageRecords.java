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
 * runs again for the date (a retry or a cleared task). {@code report} reads them all and publishes the run
 * report as {@code nightly} would have.
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
