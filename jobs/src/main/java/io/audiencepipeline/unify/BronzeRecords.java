package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.io.WarehouseLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
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

  private BronzeRecords() {
  }

  /** Returns the records, or null when no bronze exists yet. */
  public static Dataset<Row> read(SparkSession spark, Settings settings, LocalDate runDate) {
    Dataset<Row> all = deliveries(spark, settings, runDate);
    return all == null ? null : latest(all);
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

  /** Each record's last delivery (latest landing date, then origin file), with {@code record_time}. */
  static Dataset<Row> latest(Dataset<Row> deliveries) {
    Column updated = java.util.Arrays.asList(deliveries.columns()).contains("updated_at")
        ? col("updated_at").cast(DataTypes.TimestampType) : lit(null).cast(DataTypes.TimestampType);
    Dataset<Row> latest = deliveries
        .withColumn("_delivery", row_number().over(Window.partitionBy("source", "record_key")
            .orderBy(col(LANDING_DATE).desc(), col("origin_file").desc())))
        .where(col("_delivery").equalTo(1))
        .drop("_delivery");
    return latest.withColumn(RECORD_TIME, coalesce(updated, col("event_time"),
        col(LANDING_DATE).cast(DataTypes.TimestampType)));
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
