package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.io.Checkpoints;
import io.audiencepipeline.io.WarehouseLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * Every source's bronze records landed up to the run date, as one frame: the core columns, the eight
 * identifier columns, every source's canonical fields (null where a source has none) and
 * {@code record_time} (when the record says it was true: its update time, else its event time, else
 * its landing date). A record re-delivered on several landing dates counts once, as last delivered.
 */
public final class BronzeRecords {
  public static final String RECORD_TIME = "record_time";
  static final String LANDING_DATE = "dt";
  private static final String ORIGIN_FILE = "origin_file";
  private static final String[] RECORD_KEY_NAMES = {"source", "record_key"};
  private static final Column[] RECORD_COLUMNS = {col("source"), col("record_key")};
  /** A delivery of a record: its key, landing date and file. */
  private static final String[] DELIVERY_NAMES = {"source", "record_key", LANDING_DATE, ORIGIN_FILE};
  private static final Column[] DELIVERY_COLUMNS = Arrays.stream(DELIVERY_NAMES).map(name -> col(name))
      .toArray(Column[]::new);

  private BronzeRecords() {
  }

  /**
   * Returns the records, or null when no bronze exists yet.
   *
   * @param broadcastRows see {@link #latest(Dataset, long)}
   */
  public static Dataset<Row> read(SparkSession spark, Settings settings, LocalDate runDate, long broadcastRows) {
    Dataset<Row> all = deliveries(spark, settings, runDate);
    return all == null ? null : latest(all, broadcastRows);
  }

  /**
   * Every delivery of every source's bronze records landed up to the run date (a record re-delivered on
   * several landing dates appears once per delivery), with the landing date {@code dt} and
   * {@code origin_file}; null when no bronze exists yet.
   */
  static Dataset<Row> deliveries(SparkSession spark, Settings settings, LocalDate runDate) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    FileSystem fs = fileSystem(spark, layout);
    List<Dataset<Row>> tables = new ArrayList<>();
    for (SourceSpec source : settings.sources()) {
      Path table = layout.bronze(source.name());
      if (!exists(fs, table)) {
        continue;
      }
      Dataset<Row> bronze;
      try {
        bronze = spark.read().parquet(table.toString());
      } catch (Exception e) {
        // AnalysisException is checked in Scala; a source whose every partition is empty has no schema.
        if (String.valueOf(e.getMessage()).contains("UNABLE_TO_INFER_SCHEMA")) {
          continue;
        }
        throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
      }
      tables.add(bronze.where(col(LANDING_DATE).leq(lit(Date.valueOf(runDate)))));
    }
    return tables.isEmpty() ? null : unionWithCommonTypes(tables);
  }

  /**
   * Each record's last delivery (latest landing date, then origin file), with {@code record_time}. Rows alike in
   * both (a key repeated within one file) are ordered by two hashes of the whole row, so the choice never depends
   * on the order tasks read them.
   *
   * <p>Most records are delivered once, so the wide rows are not ranked: the keys delivered more than once are
   * found from the key columns alone, then which of their deliveries lose, from the key and delivery columns
   * (both checkpointed). Every delivery is then read as it is, less the losing ones (a broadcast anti-join on
   * key, landing date and file), plus, ranked by a window and checkpointed, the last deliveries that hold one key
   * several times. When the repeated keys or their deliveries number more than {@code broadcastRows}, every
   * delivery is ranked by the window instead. The key, landing date and file are never null in bronze (ingest
   * quarantines a row without a complete key, names the file every row came from and writes it under its landing
   * date), so plain equality joins match every delivery.
   */
  static Dataset<Row> latest(Dataset<Row> deliveries, long broadcastRows) {
    Dataset<Row> repeated = deliveries.groupBy(RECORD_COLUMNS).agg(count(lit(1)).as("deliveries"))
        .where(col("deliveries").gt(1))
        .select(RECORD_COLUMNS)
        .transform(Checkpoints::local);
    long repeatedKeys = repeated.count();
    Dataset<Row> latest = deliveries;
    if (repeatedKeys > broadcastRows) {
      latest = rankedOnce(deliveries);
    } else if (repeatedKeys > 0) {
      Dataset<Row> ranked = deliveries.join(broadcast(repeated), RECORD_KEY_NAMES, "left_semi")
          .groupBy(col("source"), col("record_key"), col(LANDING_DATE), col(ORIGIN_FILE))
          .agg(count(lit(1)).as("rows"))
          .withColumn("rank", row_number().over(Window.partitionBy(RECORD_COLUMNS)
              .orderBy(col(LANDING_DATE).desc(), col(ORIGIN_FILE).desc())))
          .transform(Checkpoints::local);
      // The deliveries read as they are lose every row of these; a last delivery holding its key several times
      // is among them, and one of its rows comes back below.
      Dataset<Row> dropped = ranked.where(col("rank").gt(1).or(col("rows").gt(1))).select(DELIVERY_COLUMNS);
      Dataset<Row> several = ranked.where(col("rank").equalTo(1).and(col("rows").gt(1))).select(DELIVERY_COLUMNS);
      if (dropped.count() > broadcastRows) {
        latest = rankedOnce(deliveries);
      } else {
        latest = deliveries.join(broadcast(dropped), DELIVERY_NAMES, "left_anti");
        if (!several.isEmpty()) {
          latest = latest.unionByName(
              lastDelivery(deliveries.join(broadcast(several), DELIVERY_NAMES, "left_semi"))
                  .transform(Checkpoints::local));
        }
      }
    }
    return withRecordTime(latest, deliveries.columns());
  }

  /**
   * The same rows as {@link #latest(Dataset, long)}, every delivery ranked by one window: for a set of deliveries
   * that is small already (an incremental night's), where reading it three times costs more than shuffling it.
   */
  static Dataset<Row> latestRanked(Dataset<Row> deliveries) {
    return withRecordTime(lastDelivery(deliveries), deliveries.columns());
  }

  private static Dataset<Row> withRecordTime(Dataset<Row> latest, String[] columns) {
    Column updated = Arrays.asList(columns).contains("updated_at")
        ? col("updated_at").cast(DataTypes.TimestampType) : lit(null).cast(DataTypes.TimestampType);
    return latest.select(Stream.concat(Arrays.stream(columns).map(BronzeRecords::column),
            Stream.of(coalesce(updated, col("event_time"), col(LANDING_DATE).cast(DataTypes.TimestampType))
                .as(RECORD_TIME)))
        .toArray(Column[]::new));
  }

  /**
   * Every delivery ranked by the window, checkpointed: the callers read the records several times (the graph, the
   * erasure checks, the join with the identity map), and the window's sort keys read every column.
   */
  private static Dataset<Row> rankedOnce(Dataset<Row> deliveries) {
    return lastDelivery(deliveries).transform(Checkpoints::local);
  }

  /**
   * The last delivery of each key among {@code deliveries}, by a window over the key. Rows of one key in one file
   * are ordered by two hashes of the row, then by every column: hashes skip nulls, so two rows whose values differ
   * only in which columns are null can hash alike, and only the columns themselves order them for certain.
   */
  private static Dataset<Row> lastDelivery(Dataset<Row> deliveries) {
    // By name: a join may have moved the key columns first, and the order must not depend on column order.
    Column[] columns = Arrays.stream(deliveries.schema().fields())
        .filter(field -> !(field.dataType() instanceof MapType))   // neither hashed nor sorted; bronze has none
        .map(StructField::name)
        .sorted()
        .map(BronzeRecords::column)
        .toArray(Column[]::new);
    List<Column> order = new ArrayList<>(List.of(col(LANDING_DATE).desc(), col(ORIGIN_FILE).desc(),
        xxhash64(columns).desc(), hash(columns).desc()));
    order.addAll(Arrays.asList(columns));
    return deliveries
        .withColumn("_delivery", row_number().over(Window.partitionBy(RECORD_COLUMNS)
            .orderBy(order.toArray(Column[]::new))))
        .where(col("_delivery").equalTo(1))
        .drop("_delivery");
  }

  private static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  /**
   * Unions by column name; a field two sources declare with different types is kept as text, so a
   * deployment's type choices cannot fail the union.
   */
  static Dataset<Row> unionWithCommonTypes(List<Dataset<Row>> tables) {
    Map<String, DataType> types = new HashMap<>();
    Map<String, Boolean> conflicting = new HashMap<>();
    for (Dataset<Row> table : tables) {
      for (StructField field : table.schema().fields()) {
        DataType seen = types.putIfAbsent(field.name(), field.dataType());
        if (seen != null && !seen.equals(field.dataType())) {
          conflicting.put(field.name(), true);
        }
      }
    }
    Dataset<Row> union = null;
    for (Dataset<Row> table : tables) {
      Dataset<Row> aligned = table;
      for (String name : table.columns()) {
        if (conflicting.containsKey(name)) {
          aligned = aligned.withColumn(name, col(name).cast(DataTypes.StringType));
        }
      }
      union = union == null ? aligned : union.unionByName(aligned, true);
    }
    return union;
  }

  private static FileSystem fileSystem(SparkSession spark, WarehouseLayout layout) {
    return layout.fileSystem(spark.sparkContext().hadoopConfiguration());
  }

  private static boolean exists(FileSystem fs, Path path) {
    try {
      return fs.exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
