package io.audiencepipeline.generate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Generates the landing zone of docs/DATA.md for a fictional outdoor retailer, with its ground truth, from a
 * seed: the same settings always give the same file contents. All generation is distributed Spark SQL.
 */
public final class SampleDataGenerator {
  /** Bump when the same settings would generate different data. */
  public static final String VERSION = "1";

  private SampleDataGenerator() {
  }

  /** Replaces whatever is at the output path with a freshly generated landing zone and truth. */
  public static GenerationSummary run(SparkSession spark, GeneratorSettings settings) {
    String root = settings.outputPath().replaceAll("/+$", "");
    OutputFiles files = new OutputFiles(root, spark.sparkContext().hadoopConfiguration());
    files.deleteRecursively(root);

    Draws draws = new Draws(settings.seed());
    Period period = Period.of(settings);
    Dataset<Row> people = People.build(spark, settings, draws, period).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Scenario scenario = new Scenario(people, draws, period, settings);
      TruthWriter truth = new TruthWriter(root, draws, settings);
      long p0 = System.nanoTime();
      truth.writePersons(people);
  
      truth.writePropensity(people);
      truth.writeResponseProbability(MarketingFeeds.offers(scenario));

      Map<String, Map<String, Long>> messByFeed = new LinkedHashMap<>();
      for (Feed feed : Feeds.ALL) {
        messByFeed.put(feed.name(), generate(feed, scenario, root, files, truth));
      }
      Map<String, Long> totals = totals(messByFeed);
      files.writeText(root + "/_truth/mess.json", MessReport.json(VERSION, totals, messByFeed));
      files.writeText(root + "/_manifest.json", manifest(settings));
      files.removeChecksumFiles(root);

      Map<String, Long> rows = messByFeed.entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get("rows")));
      totals.remove("rows");
      return new GenerationSummary(settings, rows, totals);
    } finally {
      people.unpersist();
    }
  }

  /**
   * Generates one feed in two passes over its persisted records: the truth rows (observing which row is
   * always malformed), then the landing files with the delivery mess (observing the mess counts).
   */
  private static Map<String, Long> generate(Feed feed, Scenario scenario, String root, OutputFiles files,
      TruthWriter truth) {
    Draws draws = scenario.draws();
    Dataset<Row> records = feed.records().apply(scenario).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Defects never touch the record key and duplicates repeat it, so the truth can come first.
      long t0 = System.nanoTime();
      Observation smallestHash = new Observation("smallest_malformed_hash_" + feed.name());
      truth.appendRecordPersons(records.observe(smallestHash, Mess.smallestMalformedHash(draws, feed)), feed);
      long t1 = System.nanoTime();
      Long alwaysMalformed = (Long) Mess.metrics(smallestHash).get("smallest");
      long t2 = System.nanoTime();

      Observation messCounts = new Observation("mess_" + feed.name());
      Dataset<Row> delivered = Mess.withDuplicates(Mess.withDefects(records, draws, feed, alwaysMalformed), draws,
          feed, scenario.period());
      LandingWriter.write(Mess.observeCounts(delivered, messCounts), feed, root, files);
      long t3 = System.nanoTime();
      Map<String, Long> c = Mess.counts(messCounts);
      long t4 = System.nanoTime();

      return c;
    } finally {
      records.unpersist();
    }
  }

  private static Map<String, Long> totals(Map<String, Map<String, Long>> messByFeed) {
    Map<String, Long> totals = new TreeMap<>();
    for (MessKind kind : MessKind.values()) {
      totals.put(kind.tag(), 0L);
    }
    messByFeed.values().forEach(counts -> counts.forEach((kind, n) -> totals.merge(kind, n, Long::sum)));
    return totals;
  }

  private static String manifest(GeneratorSettings settings) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("generator", SampleDataGenerator.class.getName());
    fields.put("generator_version", VERSION);
    fields.put("seed", settings.seed());
    fields.put("people", settings.people());
    fields.put("end_date", settings.endDate().toString());
    fields.put("days", settings.days());
    fields.put("start_date", settings.startDate().toString());
    fields.put("label_horizon_days", Period.LABEL_HORIZON_DAYS);
    fields.put("feeds", Feeds.ALL.stream().map(f -> f.system() + "/" + f.name()).toList());
    return MessReport.object(fields, "") + "\n";
  }
}
