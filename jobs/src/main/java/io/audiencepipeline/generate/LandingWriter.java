package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes a feed's records as its landing files: one file per landing date, rows sorted by record key, so
 * the same settings give the same bytes. CSV and JSON lines are rendered as text here (that is how a row
 * can lose its last column or be cut short); Parquet goes through Spark's writer.
 */
final class LandingWriter {
  private static final String LINE = "line";
  private static final String KEY = "_key";
  private static final String TEXT = "text";
  /** Hadoop writes _SUCCESS markers unless told not to; the landing zone should hold data files only. */
  static final String NO_SUCCESS_MARKER = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

  private LandingWriter() {
  }

  static void write(Dataset<Row> records, Feed feed, String outputRoot, OutputFiles files) {
    String path = feed.landingPath(outputRoot);
    switch (feed.format()) {
      case CSV -> writeText(csvLines(records, feed), path, String.join(",", feed.columns()));
      case JSON -> writeText(jsonLines(records, feed), path, null);
      case PARQUET -> writeParquet(records, feed, path);
    }
    if (feed.format() != Feed.Format.PARQUET) {
      files.renameExtensions(path, ".txt", "." + feed.format().extension());
    }
  }

  /** A CSV field: quoted (with doubled quotes) only when it holds a quote, comma, line break or edge space. */
  static Column csvField(Column value) {
    Column text = value.cast("string");
    return when(text.isNull(), lit(""))
        .when(text.rlike("[\",\\r\\n]|^\\s|\\s$"), concat(lit("\""), regexp_replace(text, "\"", "\"\""), lit("\"")))
        .otherwise(text);
  }

  private static Dataset<Row> csvLines(Dataset<Row> records, Feed feed) {
    List<String> columns = feed.columns();
    Column full = csvLine(columns);
    Column lastColumnMissing = csvLine(columns.subList(0, columns.size() - 1));
    Column line = when(col(Mess.DEFECT).equalTo(MessKind.MALFORMED_MISSING_COLUMN.tag()), lastColumnMissing)
        .otherwise(full);
    return records.select(col(Mess.LANDING_DATE), col(feed.recordKey()).cast("string").as(KEY), line.as(LINE));
  }

  private static Column csvLine(List<String> columns) {
    return concat_ws(",", columns.stream().map(c -> csvField(col("`" + c + "`"))).toArray(Column[]::new));
  }

  private static Dataset<Row> jsonLines(Dataset<Row> records, Feed feed) {
    Column json = to_json(struct(feed.columns().stream().map(c -> col(c)).toArray(Column[]::new)),
        Map.of("ignoreNullFields", "false"));
    Column line = when(col(Mess.DEFECT).equalTo(MessKind.MALFORMED_TRUNCATED_JSON.tag()),
        substring(json, lit(1), greatest(lit(40), floor(length(json).multiply(0.6)).cast("int"))));
    for (Defect defect : feed.defects()) {
      if (defect.kind() == MessKind.MALFORMED_WRONG_TYPE) {
        String field = "\"" + defect.field() + "\":";
        line = line.when(col(Mess.DEFECT).equalTo(defect.kind().tag()),
            regexp_replace(json, field + "-?[0-9]+", field + "\"yesterday\""));
      }
    }
    return records.select(col(Mess.LANDING_DATE), col(feed.recordKey()).cast("string").as(KEY),
        line.otherwise(json).as(LINE));
  }

  /**
   * One file per landing date, lines sorted by record key (then line, for the repeated keys of account
   * snapshots). A CSV header is prefixed to each file's first line: ranking rows within their landing date
   * already shuffles by landing date and sorts like the write, so it costs no extra pass.
   */
  private static void writeText(Dataset<Row> lines, String path, String header) {
    Dataset<Row> clustered;
    if (header == null) {
      clustered = lines.withColumn(TEXT, col(LINE)).repartition(col(Mess.LANDING_DATE));
    } else {
      Column rank = row_number().over(
          org.apache.spark.sql.expressions.Window.partitionBy(col(Mess.LANDING_DATE)).orderBy(col(KEY), col(LINE)));
      clustered = lines.withColumn(TEXT,
          when(rank.equalTo(1), concat(lit(header + "\n"), col(LINE))).otherwise(col(LINE)));
    }
    clustered
        .sortWithinPartitions(col(Mess.LANDING_DATE), col(KEY), col(LINE))
        .select(col(Mess.LANDING_DATE), col(TEXT))
        .write()
        .mode(SaveMode.Overwrite)
        .option(NO_SUCCESS_MARKER, "false")
        .partitionBy(Mess.LANDING_DATE)
        .text(path);
  }

  private static void writeParquet(Dataset<Row> records, Feed feed, String path) {
    List<Column> sortOrder = new ArrayList<>();
    sortOrder.add(col(Mess.LANDING_DATE));
    sortOrder.add(col(feed.recordKey()));
    feed.columns().stream().filter(c -> !c.equals(feed.recordKey())).forEach(c -> sortOrder.add(col(c)));
    List<Column> projection = new ArrayList<>(feed.columns().stream().map(c -> col(c)).toList());
    projection.add(col(Mess.LANDING_DATE));
    records.select(projection.toArray(Column[]::new))
        .repartition(col(Mess.LANDING_DATE))
        .sortWithinPartitions(sortOrder.toArray(Column[]::new))
        .write()
        .mode(SaveMode.Overwrite)
        .option(NO_SUCCESS_MARKER, "false")
        .partitionBy(Mess.LANDING_DATE)
        .parquet(path);
  }
}
