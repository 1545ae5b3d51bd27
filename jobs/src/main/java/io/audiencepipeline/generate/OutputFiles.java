package io.audiencepipeline.generate;

import io.audiencepipeline.io.FileTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/** File operations on the output root through Hadoop's FileSystem, so local, HDFS and S3 paths all work. */
final class OutputFiles {
  private final FileSystem fs;

  OutputFiles(String root, Configuration conf) {
    try {
      this.fs = new Path(root).getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the file system of " + root, e);
    }
  }

  /** True unless the path is a non-empty folder without the marks of a generator output. */
  boolean isAbsentEmptyOrGeneratorOutput(String path) {
    Path root = new Path(path);
    try {
      if (!fs.exists(root)) {
        return true;
      }
      if (!fs.getFileStatus(root).isDirectory()) {
        return false;
      }
      return fs.listStatus(root).length == 0 || fs.exists(new Path(root, "_manifest.json"))
          || fs.exists(new Path(root, "landing")) || fs.exists(new Path(root, "_truth"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot inspect " + path, e);
    }
  }

  void deleteRecursively(String path) {
    try {
      fs.delete(new Path(path), true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path, e);
    }
  }

  void writeText(String path, String content) {
    try (OutputStream out = fs.create(new Path(path), true)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path, e);
    }
  }

  /** Spark's text writer names files {@code .txt}; the landing contract says .csv or .json. */
  void renameExtensions(String dir, String from, String to) {
    try {
      for (Path file : listFiles(fs, new Path(dir))) {
        String name = file.getName();
        if (name.startsWith("part-") && name.endsWith(from)) {
          Path target = new Path(file.getParent(), name.substring(0, name.length() - from.length()) + to);
          if (!fs.rename(file, target)) {
            throw new IOException("rename returned false for " + file);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot rename files under " + dir, e);
    }
  }

  /** The local file system writes a hidden .crc file next to every file; they are clutter in a sample. */
  void removeChecksumFiles(String dir) {
    if (!(fs instanceof ChecksumFileSystem checksummed)) {
      return;
    }
    FileSystem raw = checksummed.getRawFileSystem();
    try {
      for (Path file : listFiles(raw, raw.makeQualified(new Path(dir)))) {
        if (file.getName().endsWith(".crc")) {
          raw.delete(file, false);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove checksum files under " + dir, e);
    }
  }

  private static List<Path> listFiles(FileSystem fs, Path dir) throws IOException {
    return FileTrees.files(fs, dir).stream().map(FileStatus::getPath).toList();
  }
}
