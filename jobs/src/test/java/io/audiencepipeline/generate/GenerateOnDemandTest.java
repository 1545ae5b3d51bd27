package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;

import io.audiencepipeline.testing.SharedSpark;
import java.time.LocalDate;
import java.util.TreeMap;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: runs the generator when {@code -Dgenerate.out=PATH} is given (with optional
 * {@code generate.people}, {@code generate.seed}, {@code generate.endDate}, {@code generate.days}), for ad-hoc
 * samples and measurements until the CLI exists.
 */
@EnabledIfSystemProperty(named = "generate.out", matches = ".+")
class GenerateOnDemandTest {

  @Test
  void generate() {
    GeneratorSettings settings = new GeneratorSettings(
        Long.getLong("generate.people", 2500),
        Long.getLong("generate.seed", 42),
        LocalDate.parse(System.getProperty("generate.endDate", "2026-11-21")),
        Integer.getInteger("generate.days", 90),
        System.getProperty("generate.out"));
    long started = System.nanoTime();
    GenerationSummary summary = SampleDataGenerator.run(SharedSpark.session(), settings);
    System.out.printf("generated %d rows in %.1f s%n", summary.totalRows(), (System.nanoTime() - started) / 1e9);
    new TreeMap<>(summary.rowsPerFeed()).forEach((feed, rows) -> System.out.printf("  %-20s %,12d%n", feed, rows));
    new TreeMap<>(summary.messCounts()).forEach((kind, rows) -> System.out.printf("  %-34s %,10d%n", kind, rows));
    printTrueProbabilityAuc(settings.outputPath());
  }

  /** How well the true probability ranks the realised outcomes, per category: the ceiling for any model. */
  private static void printTrueProbabilityAuc(String root) {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> propensity = spark.read().parquet(root + "/_truth/propensity")
        .withColumn("label", col("outcome").cast("double"));
    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator()
        .setRawPredictionCol("true_probability").setLabelCol("label");
    for (String category : Catalog.CATEGORIES) {
      Dataset<Row> rows = propensity.filter(col("category").equalTo(category));
      System.out.printf("  AUC %-10s %.3f   base rate %.3f%n", category, auc.evaluate(rows),
          rows.agg(avg("label")).first().getDouble(0));
    }
  }
}
