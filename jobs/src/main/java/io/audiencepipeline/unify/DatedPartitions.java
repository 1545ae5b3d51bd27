package io.audiencepipeline.unify;

import io.audiencepipeline.io.Publisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The published {@code <key>=YYYY-MM-DD} partitions of a table (those with a {@code _SUCCESS} marker). */
public final class DatedPartitions {
  private DatedPartitions() {
  }

  public static List<LocalDate> list(FileSystem fs, Path table, String key) {
    List<LocalDate> dates = new ArrayList<>();
    try {
      if (!fs.exists(table)) {
        return dates;
      }
      for (FileStatus status : fs.listStatus(table)) {
        String name = status.getPath().getName();
        if (!status.isDirectory() || !name.startsWith(key + "=")) {
          continue;
        }
        try {
          LocalDate date = LocalDate.parse(name.substring(key.length() + 1));
          if (Publisher.isPublished(fs, status.getPath())) {
            dates.add(date);
          }
        } catch (DateTimeParseException e) {
          // Not one of ours; leave it alone.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + table, e);
    }
    dates.sort(null);
    return dates;
  }

  public static Optional<LocalDate> latestBefore(FileSystem fs, Path table, String key, LocalDate date) {
    return list(fs, table, key).stream().filter(d -> d.isBefore(date)).reduce((a, b) -> b);
  }

  public static Path partition(Path table, String key, LocalDate date) {
    return new Path(table, key + "=" + date);
  }
}
