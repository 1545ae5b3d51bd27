package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.broadcast;

import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes newly erased customers from the earlier partitions of customer-keyed tables (profiles,
 * features, scores, segments), so "forget me" reaches history too. Each affected partition is rewritten
 * into staging and published by replacement like any other output.
 */
public final class ErasurePurge {
  private static final Logger LOG = LoggerFactory.getLogger(ErasurePurge.class);

  /**
   * A table of {@code <key>=YYYY-MM-DD} partitions with a {@code customer_id} column.
   *
   * @param relative path under the warehouse root, e.g. {@code silver/customer_profile}
   * @param keep files written beside a partition's rows that stay true of it without the erased customers, copied
   *     into the purged copy (the features' state: the next night may still carry the other customers' rows over)
   */
  public record Table(String relative, String partitionKey, List<String> keep) {
    public Table(String relative, String partitionKey) {
      this(relative, partitionKey, List.of());
    }
  }

  /** A purged copy in staging and the published partition it replaces. */
  record Staged(Path staged, Path target) {
  }

  /**
   * Every dated customer-keyed table; later stages add theirs here. {@code x/*} is one table per folder in x
   * (a campaign's segments).
   */
  public static final List<Table> CUSTOMER_TABLES = List.of(new Table("silver/customer_profile", "dt"),
      new Table("gold/features", "as_of", List.of(WarehouseLayout.FEATURES_STATE_FILE)),
      new Table("gold/scores", "as_of"), new Table("gold/segments/*", "dt"),
      new Table("gold/contact_history", "dt"));

  private ErasurePurge() {
  }

  /** Stages purged copies of every earlier partition that holds a newly erased customer. */
  static List<Staged> stage(SparkSession spark, FileSystem fs, Publisher publisher, WarehouseLayout layout,
      Dataset<Row> newlyErased, List<Table> tables, LocalDate runDate) {
    List<Staged> staged = new ArrayList<>();
    if (newlyErased.isEmpty()) {
      return staged;
    }
    Dataset<Row> ids = broadcast(newlyErased.select("customer_id"));
    int count = 0;
    for (Table table : expand(fs, layout, tables)) {
      Path root = new Path(layout.root(), table.relative());
      for (LocalDate date : DatedPartitions.list(fs, root, table.partitionKey())) {
        if (!date.isBefore(runDate)) {
          continue;
        }
        Path partition = DatedPartitions.partition(root, table.partitionKey(), date);
        Dataset<Row> rows = spark.read().parquet(partition.toString());
        if (rows.join(ids, "customer_id").isEmpty()) {
          continue;
        }
        Path copy = publisher.staging("purge/" + table.relative() + "/" + table.partitionKey() + "=" + date);
        rows.join(ids, new String[] {"customer_id"}, "left_anti")
            .write().mode(SaveMode.Overwrite).parquet(copy.toString());
        for (String name : table.keep()) {
          copyIfPresent(fs, new Path(partition, name), new Path(copy, name));
        }
        staged.add(new Staged(copy, partition));
        count++;
      }
    }
    LOG.info("erasure: {} earlier partition(s) rewritten without the newly erased customers", count);
    return staged;
  }

  private static void copyIfPresent(FileSystem fs, Path from, Path to) {
    try {
      if (fs.exists(from)) {
        FileUtil.copy(fs, from, fs, to, false, fs.getConf());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
    }
  }

  /** Tables whose path ends in {@code /*} stand for one table per folder there (e.g. per campaign). */
  private static List<Table> expand(FileSystem fs, WarehouseLayout layout, List<Table> tables) {
    List<Table> expanded = new ArrayList<>();
    for (Table table : tables) {
      if (!table.relative().endsWith("/*")) {
        expanded.add(table);
        continue;
      }
      String parent = table.relative().substring(0, table.relative().length() - 2);
      Path folder = new Path(layout.root(), parent);
      try {
        if (!fs.exists(folder)) {
          continue;
        }
        List<String> names = new ArrayList<>();
        for (FileStatus status : fs.listStatus(folder)) {
          if (status.isDirectory() && !status.getPath().getName().startsWith("_")) {
            names.add(status.getPath().getName());
          }
        }
        names.sort(null);
        names.forEach(name -> expanded.add(new Table(parent + "/" + name, table.partitionKey(), table.keep())));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + folder, e);
      }
    }
    return expanded;
  }

  static void publish(Publisher publisher, List<Staged> staged) {
    for (Staged copy : staged) {
      publisher.replace(copy.staged(), copy.target());
    }
  }
}
