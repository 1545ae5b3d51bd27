package io.audiencepipeline.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Listing the files under a folder. */
public final class FileTrees {
  private FileTrees() {
  }

  /**
   * Every file under {@code dir} (none when it does not exist), by a plain {@code listStatus} walk.
   * {@code FileSystem.listFiles} builds a {@code LocatedFileStatus} for each file, which copies its permissions,
   * and the local file system reads those by running {@code ls -ld} once per file: a minute for the few thousand
   * files of a bronze warehouse.
   */
  public static List<FileStatus> files(FileSystem fs, Path dir) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    if (!fs.exists(dir)) {
      return files;
    }
    for (FileStatus status : fs.listStatus(dir)) {
      if (status.isDirectory()) {
        files.addAll(files(fs, status.getPath()));
      } else {
        files.add(status);
      }
    }
    return files;
  }
}
