package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract_all;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.testing.SharedSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The generated landing zone keeps the DATA.md contract and its truth accounts for every record. */
class SampleDataConsistencyTest {
  private final SparkSession spark = SharedSpark.session();
  private final Path root = GeneratedSample.root();

  @Test
  void everyRecordKeyHasExactlyOneTruthRowAndViceVersa() {
    Dataset<Row> truth = spark.read().parquet(root.resolve("_truth/record_person").toString());
    assertEquals(truth.count(), truth.select("source", "record_key").distinct().count(),
        "one truth row per (source, record_key)");
    for (Feed feed : Feeds.ALL) {
      Dataset<Row> landed = LandingFiles.recordKeys(spark, root, feed).distinct();
      Dataset<Row> known = truth.filter(col("source").equalTo(feed.name())).select("record_key");
      assertTrue(landed.count() > 0, feed.name() + " delivered nothing");
      assertEquals(0, landed.filter(col("record_key").equalTo("")).count(), feed.name() + ": unreadable key");
      assertEquals(0, landed.except(known).count(), feed.name() + ": landed keys missing from the truth");
      assertEquals(0, known.except(landed).count(), feed.name() + ": truth keys that never landed");
    }
  }

  @Test
  void everyTruthPersonExists() {
    Dataset<Row> persons = spark.read().parquet(root.resolve("_truth/persons").toString());
    assertEquals(GeneratedSample.PEOPLE, persons.count());
    assertEquals(GeneratedSample.PEOPLE, persons.select("person_id").distinct().count());
    for (String table : List.of("record_person", "propensity", "response_probability")) {
      Dataset<Row> referenced = spark.read().parquet(root.resolve("_truth").resolve(table).toString())
          .select("person_id").distinct();
      assertEquals(0, referenced.except(persons.select("person_id")).count(), table + ": unknown person_id");
    }
  }

  @Test
  void propensityHasEveryPersonAndCategoryWithProbabilitiesStrictlyBetweenZeroAndOne() {
    Dataset<Row> propensity = spark.read().parquet(root.resolve("_truth/propensity").toString());
    assertEquals(GeneratedSample.PEOPLE * 6, propensity.count());
    assertEquals(GeneratedSample.PEOPLE * 6, propensity.select("person_id", "category").distinct().count());
    assertEquals(6, propensity.select("category").distinct().count());
    Row range = propensity.agg(min("true_probability"), max("true_probability")).first();
    assertTrue(range.getDouble(0) > 0 && range.getDouble(1) < 1, range.toString());
    assertEquals(0, propensity.filter(col("horizon_days").notEqual(30)).count());
  }

  @Test
  void trueProbabilityRanksOutcomesWellAndBaseRatesArePlausible() {
    Dataset<Row> propensity = spark.read().parquet(root.resolve("_truth/propensity").toString())
        .withColumn("label", col("outcome").cast("double"));
    double auc = new BinaryClassificationEvaluator().setRawPredictionCol("true_probability")
        .setLabelCol("label").evaluate(propensity);
    double baseRate = propensity.agg(avg("label")).first().getDouble(0);
    assertTrue(auc > 0.65, "AUC " + auc);
    assertTrue(baseRate > 0.02 && baseRate < 0.2, "base rate " + baseRate);
  }

  @Test
  void everyFeedHasTheColumnsOfDataMdInOrder() {
    for (Feed feed : Feeds.ALL) {
      List<String> expected = GeneratedSample.COLUMNS.get(feed.system() + "/" + feed.name());
      List<String> actual = switch (feed.format()) {
        case PARQUET -> Arrays.stream(spark.read().parquet(LandingFiles.feedDir(root, feed).toString()).columns())
            .filter(c -> !c.equals("dt")).toList();
        case CSV -> headers(feed);
        case JSON -> jsonKeys(feed);
      };
      assertEquals(expected, actual, feed.name());
    }
  }

  @Test
  void landingDatesLieBetweenTheStartAndSixDaysAfterTheEnd() {
    LocalDate first = GeneratedSample.END_DATE.minusDays(GeneratedSample.DAYS - 1);
    LocalDate last = GeneratedSample.END_DATE.plusDays(6);
    for (Feed feed : Feeds.ALL) {
      for (Path folder : LandingFiles.dateFolders(root, feed)) {
        String name = folder.getFileName().toString();
        assertTrue(name.startsWith("dt="), feed.name() + ": " + name);
        LocalDate dt = LocalDate.parse(name.substring(3));
        assertTrue(!dt.isBefore(first) && !dt.isAfter(last), feed.name() + ": " + dt);
        List<String> files = LandingFiles.fileNames(folder);
        assertEquals(1, files.size(), feed.name() + " " + name + ": " + files);
        assertTrue(files.get(0).matches("part-.*\\." + feed.format().extension()
            + "|part-.*\\.snappy\\.parquet"), files.get(0));
      }
    }
  }

  @Test
  void csvFilesStartWithTheirHeader() {
    for (Feed feed : Feeds.ALL) {
      if (feed.format() == Feed.Format.CSV) {
        long files = LandingFiles.dateFolders(root, feed).size();
        long headers = LandingFiles.lines(spark, root, feed)
            .filter(col("line").equalTo(lit(String.join(",", feed.columns())))).count();
        assertEquals(files, headers, feed.name());
      }
    }
  }

  private List<String> headers(Feed feed) {
    List<String> distinct = LandingFiles.lines(spark, root, feed)
        .filter(col("line").startsWith(feed.columns().get(0) + ",").and(col("line").contains(feed.columns().get(1))))
        .select("line").distinct().collectAsList().stream().map(r -> r.getString(0)).toList();
    assertEquals(1, distinct.size(), feed.name() + ": " + distinct);
    return Arrays.asList(distinct.get(0).split(","));
  }

  /** The keys of complete JSON lines, in order; all complete lines must agree. */
  private List<String> jsonKeys(Feed feed) {
    List<Row> keyLists = LandingFiles.lines(spark, root, feed)
        .filter(col("line").endsWith("}"))
        .select(regexp_extract_all(col("line"), lit("\"([a-z_]+)\":"), lit(1)).as("keys"))
        .agg(countDistinct("keys"), min("keys")).collectAsList();
    assertEquals(1L, keyLists.get(0).getLong(0), feed.name() + ": complete lines disagree on their keys");
    return keyLists.get(0).getList(1).stream().map(Object::toString).collect(Collectors.toList());
  }
}
