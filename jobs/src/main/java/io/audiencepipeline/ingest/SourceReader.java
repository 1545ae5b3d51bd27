package io.audiencepipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;

import io.audiencepipeline.config.SourceSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the landed files of one source with its declared schema, never inference. Text formats are
 * read as strings (typing happens in {@link SourceValidator}, so a bad value quarantines its row
 * instead of failing the job); Parquet is read with its declared types.
 */
public final class SourceReader {
  public static final String CORRUPT_RECORD = "_corrupt_record";
  public static final String ORIGIN_FILE = "origin_file";
  public static final String LANDING_DATE = "dt";

  private SourceReader() {
  }

  /** Declared columns plus {@code _corrupt_record}, {@code origin_file} and {@code dt}. */
  public static Dataset<Row> read(SparkSession spark, SourceSpec source, List<String> paths) {
    boolean text = source.format() != SourceSpec.SourceFormat.PARQUET;
    DataFrameReader reader = spark.read().schema(readSchema(source)).options(source.readOptions());
    String[] files = paths.toArray(String[]::new);
    Dataset<Row> raw = switch (source.format()) {
      case CSV -> reader.option("header", "true")
          .option("enforceSchema", "false")
          .option("mode", "PERMISSIVE")
          .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
          .csv(files);
      case JSON -> reader.option("mode", "PERMISSIVE")
          .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
          .json(files);
      case PARQUET -> reader.parquet(files);
    };
    List<Column> columns = new ArrayList<>();
    for (SourceSpec.Column column : source.columns()) {
      columns.add(col(quote(column.name())));
    }
    columns.add(text ? col(CORRUPT_RECORD) : lit(null).cast(DataTypes.StringType).as(CORRUPT_RECORD));
    Column file = col("_metadata.file_path");
    columns.add(file.as(ORIGIN_FILE));
    columns.add(regexp_extract(file, "/dt=(\\d{4}-\\d{2}-\\d{2})/", 1).cast(DataTypes.DateType).as(LANDING_DATE));
    return raw.select(columns.toArray(Column[]::new));
  }

  static StructType readSchema(SourceSpec source) {
    List<StructField> fields = new ArrayList<>();
    boolean text = source.format() != SourceSpec.SourceFormat.PARQUET;
    for (SourceSpec.Column column : source.columns()) {
      fields.add(DataTypes.createStructField(column.name(),
          text ? DataTypes.StringType : column.type().sparkType(), true));
    }
    if (text) {
      fields.add(DataTypes.createStructField(CORRUPT_RECORD, DataTypes.StringType, true));
    }
    return DataTypes.createStructType(fields);
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
