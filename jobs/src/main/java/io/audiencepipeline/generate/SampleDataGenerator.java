package io.audiencepipeline.generate;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the landing zone of docs/DATA.md for a fictional outdoor retailer, with its ground truth, from a
 * seed: the same settings always give the same file contents. All generation is distributed Spark SQL.
 */
public final class SampleDataGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(SampleDataGenerator.class);
  /** Bump when the same settings would generate different data. */
  public static final String VERSION = "1";

  private SampleDataGenerator() {
  }

  /**
   * Replaces a previous generator output (or creates the folder) with a freshly generated landing zone and
   * truth. Refuses to delete a non-empty folder that is not a generator output.
   */
  public static GenerationSummary run(SparkSession spark, GeneratorSettings settings) {
    String root = settings.outputPath().replaceAll("/+$", "");
    OutputFiles files = new OutputFiles(root, spark.sparkContext().hadoopConfiguration());
    if (!files.isAbsentEmptyOrGeneratorOutput(root)) {
      throw new IllegalArgumentException("outputPath " + root + " is a non-empty folder that is not a generator "
          + "output (no _manifest.json, landing/ or _truth/); refusing to delete it");
    }
    files.deleteRecursively(root);

    Draws draws = new Draws(settings.seed());
    Period period = Period.of(settings);
    Dataset<Row> people = People.build(spark, settings, draws, period).persist(StorageLevel.MEMORY_AND_DISK());
    Scenario scenario = Scenario.of(people, draws, period, settings).persisted();
    try {
      TruthWriter truth = new TruthWriter(root, draws, settings);
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
      scenario.unpersist();
      people.unpersist();
    }
  }

  /**
   * Generates one feed in two passes over its persisted records: the truth rows (observing which rows are
   * always malformed), then the landing files with the delivery mess (observing the mess counts).
   */
  private static Map<String, Long> generate(Feed feed, Scenario scenario, String root, OutputFiles files,
      TruthWriter truth) {
    Draws draws = scenario.draws();
    long started = System.nanoTime();
    Dataset<Row> records = feed.records().apply(scenario).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Defects never touch the record key and duplicates repeat it, so the truth can come first.
      Observation smallestHashes = new Observation("smallest_malformed_hashes_" + feed.name());
      Column[] smallest = Mess.smallestMalformedHashes(draws, feed);
      truth.appendRecordPersons(records.observe(smallestHashes, smallest[0],
          Arrays.copyOfRange(smallest, 1, smallest.length)), feed);
      Long[] alwaysMalformed = Mess.smallestMalformedHashes(smallestHashes, feed);

      Observation messCounts = new Observation("mess_" + feed.name());
      Dataset<Row> delivered = Mess.withDuplicates(Mess.withDefects(records, draws, feed, alwaysMalformed), draws,
          feed, scenario.period());
      LandingWriter.write(Mess.observeCounts(delivered, messCounts), feed, root, files);
      Map<String, Long> counts = Mess.counts(messCounts);
      LOG.info("{}/{}: {} rows in {} s", feed.system(), feed.name(), counts.get("rows"),
          Math.round((System.nanoTime() - started) / 1e8) / 10.0);
      return counts;
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
