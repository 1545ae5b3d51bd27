package io.audiencepipeline.export;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Audience files as campaign tools load them: CSV (RFC 4180 quoting, header in every file, UTF-8, no
 * compression), JSON lines, or Parquet; at most {@code maxRowsPerFile} rows per file; named
 * {@code <prefix>-00001.<ext>} in a deterministic order, so the same rows always give byte-identical files.
 * After writing, every file is read back to count its rows, and its size and SHA-256 are taken for the
 * manifest.
 */
public final class AudienceFiles {
  /** One written file as the manifest lists it; {@code name} is relative to the published folder. */
  public record FileEntry(String name, long rows, long bytes, String sha256) {
  }

  private AudienceFiles() {
  }

  public static String extension(String format) {
    return switch (format) {
      case "csv" -> "csv";
      case "jsonl" -> "jsonl";
      case "parquet" -> "parquet";
      default -> throw new IllegalArgumentException("unknown audience format " + format);
    };
  }

  /**
   * Writes {@code rows} (already projected to the output columns, plus {@code sortColumns} used only for
   * order) as {@code folder/<prefix>-NNNNN.<ext>} files and describes them.
   *
   * @param rowCount how many rows {@code rows} has (decides the number of files)
   * @param sortColumns columns that order rows within a file (and spread them across files); dropped
   *     before writing unless they are output columns
   */
  public static List<FileEntry> write(SparkSession spark, FileSystem fs, Dataset<Row> rows, List<String> outputColumns,
      List<String> sortColumns, long rowCount, String format, long maxRowsPerFile, Path folder, String prefix) {
    int files = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (rowCount + maxRowsPerFile - 1) / maxRowsPerFile));
    Column[] order = sortColumns.stream().map(c -> quoted(c).asc_nulls_first()).toArray(Column[]::new);
    Column[] spread = sortColumns.stream().map(AudienceFiles::quoted).toArray(Column[]::new);
    Dataset<Row> arranged = (files == 1 ? rows.coalesce(1) : rows.repartition(files, spread))
        .sortWithinPartitions(order)
        .select(outputColumns.stream().map(AudienceFiles::quoted).toArray(Column[]::new));
    Path scratch = new Path(folder, "_writing-" + prefix);
    DataFrameWriter<Row> writer = arranged.write().mode(SaveMode.Overwrite)
        .option("maxRecordsPerFile", maxRowsPerFile);
    switch (format) {
      case "csv" -> writer.option("header", "true").option("escape", "\"").option("encoding", "UTF-8")
          .option("ignoreLeadingWhiteSpace", "false").option("ignoreTrailingWhiteSpace", "false")
          .option("lineSep", "\n").option("dateFormat", "yyyy-MM-dd")
          .option("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss'Z'").csv(scratch.toString());
      case "jsonl" -> writer.option("ignoreNullFields", "false").option("lineSep", "\n")
          .option("dateFormat", "yyyy-MM-dd").json(scratch.toString());
      case "parquet" -> writer.parquet(scratch.toString());
      default -> throw new IllegalArgumentException("unknown audience format " + format);
    }
    List<Path> written = rename(fs, scratch, folder, prefix, extension(format));
    return describe(spark, fs, written, folder, format, arranged.schema());
  }

  /**
   * Writes the folder's {@code _SUCCESS} marker and removes the hidden {@code .crc} side files the local file
   * system writes next to every file: they are not part of the delivery (other file systems write none).
   */
  public static void markComplete(FileSystem fs, Path folder) {
    try {
      fs.create(new Path(folder, io.audiencepipeline.io.Publisher.SUCCESS_MARKER), true).close();
      dropChecksums(fs, folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot complete " + folder, e);
    }
  }

  private static void dropChecksums(FileSystem fs, Path folder) throws IOException {
    if (!(fs instanceof ChecksumFileSystem local)) {
      return;
    }
    FileSystem raw = local.getRawFileSystem();
    for (FileStatus status : raw.listStatus(folder)) {
      if (status.isDirectory()) {
        dropChecksums(fs, status.getPath());
      } else if (status.getPath().getName().startsWith(".") && status.getPath().getName().endsWith(".crc")) {
        raw.delete(status.getPath(), false);
      }
    }
  }

  static Column quoted(String column) {
    return col("`" + column.replace("`", "``") + "`");
  }

  /** Reads audience files back in their format (CSV: every column as a string). */
  public static Dataset<Row> read(SparkSession spark, String format, List<Path> files, StructType schema) {
    String[] paths = files.stream().map(Path::toString).toArray(String[]::new);
    DataFrameReader reader = spark.read();
    return switch (format) {
      case "csv" -> reader.option("header", "true").option("escape", "\"").option("multiLine", "true")
          .option("ignoreLeadingWhiteSpace", "false").option("ignoreTrailingWhiteSpace", "false")
          .option("encoding", "UTF-8").csv(paths);
      case "jsonl" -> (schema == null ? reader : reader.schema(schema)).json(paths);
      case "parquet" -> reader.parquet(paths);
      default -> throw new IllegalArgumentException("unknown audience format " + format);
    };
  }

  /** Moves Spark's part files to {@code <prefix>-00001.<ext>}... in part order, and removes the scratch folder. */
  private static List<Path> rename(FileSystem fs, Path scratch, Path folder, String prefix, String ext) {
    try {
      FileStatus[] parts = fs.listStatus(scratch, p -> p.getName().startsWith("part-"));
      // part-00000-<job uuid>-c000.csv, part-00000-<uuid>-c001.csv, part-00001-...: name order is part order.
      Arrays.sort(parts, Comparator.comparing(s -> s.getPath().getName()));
      List<Path> result = new ArrayList<>();
      for (int i = 0; i < parts.length; i++) {
        Path target = new Path(folder, String.format(Locale.ROOT, "%s-%05d.%s", prefix, i + 1, ext));
        if (!fs.rename(parts[i].getPath(), target)) {
          throw new IOException("rename " + parts[i].getPath() + " -> " + target + " failed");
        }
        result.add(target);
      }
      fs.delete(scratch, true);
      dropChecksums(fs, folder);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot arrange the audience files in " + folder, e);
    }
  }

  private static List<FileEntry> describe(SparkSession spark, FileSystem fs, List<Path> files, Path folder,
      String format, StructType schema) {
    Map<String, Long> rowsByFile = new HashMap<>();
    if (!files.isEmpty()) {
      // One row per file, so this collect is tiny.
      for (Row row : read(spark, format, files, schema).groupBy(input_file_name().as("file")).count()
          .collectAsList()) {
        rowsByFile.put(new Path(row.getString(0)).getName(), row.getLong(1));
      }
    }
    String base = fs.makeQualified(folder).toUri().getPath();
    List<FileEntry> entries = new ArrayList<>();
    for (Path file : files) {
      String relative = fs.makeQualified(file).toUri().getPath().substring(base.length() + 1);
      entries.add(new FileEntry(relative, rowsByFile.getOrDefault(file.getName(), 0L), size(fs, file),
          sha256(fs, file)));
    }
    return entries;
  }

  private static long size(FileSystem fs, Path file) {
    try {
      return fs.getFileStatus(file).getLen();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stat " + file, e);
    }
  }

  /** Streams the file through SHA-256 (files are bounded by max-rows-per-file). */
  static String sha256(FileSystem fs, Path file) {
    try (InputStream in = fs.open(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
