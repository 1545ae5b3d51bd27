package io.audiencepipeline.ingest;

import io.audiencepipeline.config.SourceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Where each source lands: {@code <landing>/<path>/dt=YYYY-MM-DD/} folders, one per landing date. */
public final class LandingZone {
  private final Path root;
  private final FileSystem fs;

  public LandingZone(String root, Configuration hadoopConf) {
    this.root = new Path(root);
    try {
      this.fs = this.root.getFileSystem(hadoopConf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + root, e);
    }
  }

  public Path sourceFolder(SourceSpec source) {
    return new Path(root, source.path());
  }

  /** The landing dates of a source within [from, to], in order; folder names only, no data read. */
  public List<LocalDate> landedDates(SourceSpec source, LocalDate from, LocalDate to) {
    Path folder = sourceFolder(source);
    List<LocalDate> dates = new ArrayList<>();
    try {
      if (!fs.exists(folder)) {
        return dates;
      }
      for (FileStatus status : fs.listStatus(folder)) {
        String name = status.getPath().getName();
        if (status.isDirectory() && name.startsWith("dt=")) {
          try {
            LocalDate date = LocalDate.parse(name.substring(3));
            if (!date.isBefore(from) && !date.isAfter(to)) {
              dates.add(date);
            }
          } catch (DateTimeParseException e) {
            // Not a landing partition; ignored like any other foreign folder.
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
    dates.sort(null);
    return dates;
  }

  public Path partition(SourceSpec source, LocalDate date) {
    return new Path(sourceFolder(source), "dt=" + date);
  }
}
