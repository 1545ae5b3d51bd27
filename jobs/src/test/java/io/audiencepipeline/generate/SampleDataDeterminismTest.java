package io.audiencepipeline.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.RuntimeConfig;
import org.junit.jupiter.api.Test;

/** Same settings, same bytes: whatever the partitioning, adaptive execution or session time zone. */
class SampleDataDeterminismTest {
  private static final List<String> TRUTH_TABLES = List.of("persons", "propensity", "response_probability",
      "record_person");
  private final SparkSession spark = SharedSpark.session();

  @Test
  void sameSettingsGiveIdenticalFilesUnderOtherSparkSettings() throws IOException {
    Path first = GeneratedSample.root();
    GeneratorSettings same = GeneratedSample.settings();
    String otherPath = GeneratedSample.temporaryDirectory("generated-again");
    Map<String, String> overrides = Map.of("spark.sql.shuffle.partitions", "7", "spark.sql.adaptive.enabled",
        "false", "spark.sql.session.timeZone", "America/Los_Angeles");
    withConf(overrides, () -> SampleDataGenerator.run(spark, new GeneratorSettings(same.people(), same.seed(),
        same.endDate(), same.days(), otherPath)));
    Path second = Path.of(otherPath);

    // CSV and JSON landing files and the JSON reports must match byte for byte (file names carry a random id).
    Map<String, String> firstText = textFiles(first);
    assertTrue(firstText.size() > 100, "only " + firstText.size() + " text files");
    assertEquals(firstText, textFiles(second));
    for (Feed feed : Feeds.ALL) {
      if (feed.format() == Feed.Format.PARQUET) {
        assertSameRows(feed.name(), LandingFiles.feedDir(first, feed), LandingFiles.feedDir(second, feed));
      }
    }
    for (String table : TRUTH_TABLES) {
      assertSameRows(table, first.resolve("_truth").resolve(table), second.resolve("_truth").resolve(table));
    }
  }

  @Test
  void anotherSeedGivesOtherPeopleAndOtherEvents() {
    GeneratorSettings settings = GeneratedSample.settings();
    Dataset<Row> seven = emailEvents(settings.seed());
    Dataset<Row> eight = emailEvents(settings.seed() + 1);
    assertNotEquals(0, seven.except(eight).count());
  }

  private Dataset<Row> emailEvents(long seed) {
    GeneratorSettings base = GeneratedSample.settings();
    GeneratorSettings settings = new GeneratorSettings(base.people(), seed, base.endDate(), base.days(), "/unused");
    Draws draws = new Draws(seed);
    Period period = Period.of(settings);
    Scenario scenario = Scenario.of(People.build(spark, settings, draws, period), draws, period, settings);
    return MarketingFeeds.emailEvents(scenario).select("event_id", "email_address", "event_type", "event_time");
  }

  private static void assertSameRows(String name, Path first, Path second) {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> a = spark.read().parquet(first.toString());
    Dataset<Row> b = spark.read().parquet(second.toString());
    assertEquals(a.schema(), b.schema(), name);
    assertEquals(a.count(), b.count(), name);
    assertEquals(0, a.exceptAll(b).count(), name);
    assertEquals(0, b.exceptAll(a).count(), name);
  }

  /** Every CSV, JSON-lines and JSON file by its folder (file names differ by Spark's random id). */
  private static Map<String, String> textFiles(Path root) throws IOException {
    Map<String, String> contents = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".csv") || name.endsWith(".json")) {
          String key = root.relativize(file.getParent()) + "/" + name.replaceAll("^part-.*\\.", "part.");
          contents.merge(key, Files.readString(file), (x, y) -> x + y);
        }
      }
    }
    return contents;
  }

  private void withConf(Map<String, String> overrides, Runnable action) {
    RuntimeConfig conf = spark.conf();
    Map<String, String> previous = new TreeMap<>();
    overrides.keySet().forEach(key -> previous.put(key, conf.get(key)));
    overrides.forEach(conf::set);
    try {
      action.run();
    } finally {
      previous.forEach(conf::set);
    }
  }
}
