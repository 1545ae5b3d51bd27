package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.substring_index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads a generated landing zone the way a tolerant consumer would: as text, so malformed rows are kept. */
final class LandingFiles {
  private LandingFiles() {
  }

  static Path feedDir(Path root, Feed feed) {
    return root.resolve("landing").resolve(feed.system()).resolve(feed.name());
  }

  /** The raw lines of a CSV or JSON feed (CSV header lines included), with their landing date. */
  static Dataset<Row> lines(SparkSession spark, Path root, Feed feed) {
    return spark.read().text(feedDir(root, feed).toString()).select(col("value").as("line"), col("dt"));
  }

  /** The record key of every delivered row, as it appears in the file. */
  static Dataset<Row> recordKeys(SparkSession spark, Path root, Feed feed) {
    return switch (feed.format()) {
      case PARQUET -> spark.read().parquet(feedDir(root, feed).toString())
          .select(col(feed.recordKey()).cast("string").as("record_key"));
      case CSV -> lines(spark, root, feed)
          .filter(col("line").notEqual(lit(String.join(",", feed.columns()))))
          .select(substring_index(col("line"), ",", 1).as("record_key"));
      case JSON -> lines(spark, root, feed)
          .select(regexp_extract(col("line"), "^\\{\"" + feed.recordKey() + "\":\"([^\"]*)\"", 1).as("record_key"));
    };
  }

  /** The landing-date folders of a feed, each with the names of its files. */
  static List<Path> dateFolders(Path root, Feed feed) {
    try (Stream<Path> dirs = Files.list(feedDir(root, feed))) {
      return dirs.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> fileNames(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
