package io.audiencepipeline.io;

import io.audiencepipeline.run.PipelineFailure;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes staged folders into place so that readers see either the old or the new folder, never a
 * partial one. Replacing moves the old folder aside into the run's staging area first; a run killed
 * between the two moves is repaired by {@link #recoverAndClean} at the next start.
 *
 * <p>The moves are directory renames: atomic on HDFS and local file systems. Object stores without
 * atomic rename (plain S3) need a committer-aware store; see docs/OPERATIONS.md.
 */
public final class Publisher {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
  private static final String REPLACED = "replaced";
  public static final String SUCCESS_MARKER = "_SUCCESS";

  private final WarehouseLayout layout;
  private final FileSystem fs;
  private final String runId;

  public Publisher(WarehouseLayout layout, Configuration hadoopConf, String runId) {
    this.layout = layout;
    this.runId = runId;
    try {
      this.fs = layout.root().getFileSystem(hadoopConf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + layout.root(), e);
    }
  }

  public FileSystem fileSystem() {
    return fs;
  }

  /** The folder this run stages {@code name} in. */
  public Path staging(String name) {
    return new Path(layout.staging(runId), name);
  }

  /**
   * Moves {@code staged} to {@code target}, replacing what was there, and marks it complete with a
   * {@code _SUCCESS} file. {@code staged} may be missing, which publishes an empty folder.
   */
  public void replace(Path staged, Path target) {
    try {
      if (!fs.exists(staged)) {
        fs.mkdirs(staged);
      }
      Path marker = new Path(staged, SUCCESS_MARKER);
      if (!fs.exists(marker)) {
        fs.create(marker, true).close();
      }
      Path aside = new Path(new Path(layout.staging(runId), REPLACED), relative(target));
      boolean replacing = fs.exists(target);
      if (replacing) {
        fs.mkdirs(aside.getParent());
        rename(target, aside);
      } else {
        fs.mkdirs(target.getParent());
      }
      try {
        rename(staged, target);
      } catch (IOException e) {
        if (replacing && !fs.exists(target)) {
          // Put the previous version back before cleanUp() could delete the staging folder it sits in.
          fs.rename(aside, target);
        }
        throw e;
      }
      fs.delete(aside, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + target, e);
    }
  }

  /**
   * Fails with exit 3 unless {@code path} is published (has its {@code _SUCCESS} marker).
   *
   * @param stage who needs it, e.g. "the features stage"; {@code what}: what it is and how to get it
   */
  public static void requirePublished(FileSystem fs, Path path, String stage, String what) {
    if (!isPublished(fs, path)) {
      throw PipelineFailure.inputRejected(stage + " needs " + what + ": " + path + " is not published");
    }
  }

  /** Whether {@code path} is published (has its {@code _SUCCESS} marker). */
  public static boolean isPublished(FileSystem fs, Path path) {
    try {
      return fs.exists(new Path(path, SUCCESS_MARKER));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Deletes this run's staging folder after a successful or abandoned run. */
  public void cleanUp() {
    try {
      fs.delete(layout.staging(runId), true);
    } catch (IOException e) {
      LOG.warn("Could not delete staging folder {}: {}", layout.staging(runId), e.getMessage());
    }
  }

  /**
   * Repairs what killed runs left: a published folder moved aside but not replaced is put back, then
   * every other run's staging folder is deleted. Call once at start, before anything is staged.
   */
  public static void recoverAndClean(WarehouseLayout layout, Configuration hadoopConf) {
    try {
      FileSystem fs = layout.root().getFileSystem(hadoopConf);
      Path stagingRoot = layout.stagingRoot();
      if (!fs.exists(stagingRoot)) {
        return;
      }
      for (FileStatus run : fs.listStatus(stagingRoot)) {
        Path replaced = new Path(run.getPath(), REPLACED);
        if (fs.exists(replaced)) {
          restore(fs, replaced, layout.root());
        }
        fs.delete(run.getPath(), true);
        LOG.info("Removed staging left by an interrupted run: {}", run.getPath().getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean the staging area of " + layout.root(), e);
    }
  }

  private static void restore(FileSystem fs, Path replacedRoot, Path warehouse) throws IOException {
    for (FileStatus status : fs.listStatus(replacedRoot)) {
      restoreUnder(fs, status.getPath(), warehouse, status.getPath().getName());
    }
  }

  private static void restoreUnder(FileSystem fs, Path aside, Path warehouse, String relative)
      throws IOException {
    Path target = new Path(warehouse, relative);
    if (fs.exists(new Path(aside, SUCCESS_MARKER))) {
      if (!fs.exists(target)) {
        fs.mkdirs(target.getParent());
        fs.rename(aside, target);
        LOG.warn("Restored {} from an interrupted publication", relative);
      }
      return;
    }
    for (FileStatus child : fs.listStatus(aside)) {
      if (child.isDirectory()) {
        restoreUnder(fs, child.getPath(), warehouse, relative + "/" + child.getPath().getName());
      }
    }
  }

  private String relative(Path target) {
    String rootUri = fs.makeQualified(layout.root()).toUri().getPath();
    String targetUri = fs.makeQualified(target).toUri().getPath();
    if (!targetUri.startsWith(rootUri + "/")) {
      throw new IllegalArgumentException(target + " is outside the warehouse " + layout.root());
    }
    return targetUri.substring(rootUri.length() + 1);
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename " + from + " -> " + to + " failed");
    }
  }
}
