package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_extract_all;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.audiencepipeline.testing.SharedSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The mess of DATA.md is really in the files, and mess.json counts it. */
class SampleDataMessTest {
  private final SparkSession spark = SharedSpark.session();
  private final Path root = GeneratedSample.root();

  @Test
  void messJsonCountsEveryKindOfMess() throws IOException {
    JsonNode totals = messJson().get("totals");
    for (MessKind kind : MessKind.values()) {
      assertTrue(totals.get(kind.tag()).asLong() > 0, kind.tag() + " was never injected");
    }
  }

  @Test
  void messJsonAgreesWithTheSummaryAndTheFiles() throws IOException {
    GenerationSummary summary = GeneratedSample.summary();
    JsonNode byFeed = messJson().get("by_feed");
    for (Feed feed : Feeds.ALL) {
      long rows = byFeed.get(feed.name()).get("rows").asLong();
      assertEquals(summary.rowsPerFeed().get(feed.name()), rows, feed.name());
      assertEquals(rows, LandingFiles.recordKeys(spark, root, feed).count(), feed.name() + ": rows on disk");
    }
    assertEquals(messJson().get("totals").get("duplicate_row").asLong(),
        summary.messCounts().get(MessKind.DUPLICATE_ROW.tag()));
  }

  @Test
  void everyFeedHasAtLeastOneMalformedRow() throws IOException {
    JsonNode byFeed = messJson().get("by_feed");
    for (Feed feed : Feeds.ALL) {
      long malformed = 0;
      for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) () -> byFeed.get(feed.name()).fields()) {
        if (entry.getKey().startsWith("malformed_")) {
          malformed += entry.getValue().asLong();
        }
      }
      assertTrue(malformed > 0, feed.name());
    }
  }

  @Test
  void malformedCsvRowsLackTheirLastColumnAndMalformedJsonIsCutShort() {
    long shortCsvRows = 0;
    long cutJsonLines = 0;
    for (Feed feed : Feeds.ALL) {
      if (feed.format() == Feed.Format.CSV) {
        // No generated CSV value contains a comma except quoted ones; counting commas outside quotes is enough.
        shortCsvRows += LandingFiles.lines(spark, root, feed)
            .withColumn("fields", size(split(regexp_replace(col("line"), "\"[^\"]*\"", "x"), ",")))
            .filter(col("fields").equalTo(feed.columns().size() - 1)).count();
      } else if (feed.format() == Feed.Format.JSON) {
        cutJsonLines += LandingFiles.lines(spark, root, feed).filter(not(col("line").endsWith("}"))).count();
      }
    }
    assertTrue(shortCsvRows > 0, "no CSV row with a missing column");
    assertTrue(cutJsonLines > 0, "no truncated JSON line");
  }

  @Test
  void somePersonAppearsWithGmailAddressesThatDifferOnlyInDots() {
    Dataset<Row> gmail = allText()
        .select(explode(regexp_extract_all(col("line"), lit("([a-z0-9._]+)@gmail\\.com"), lit(1))).as("local"))
        .distinct()
        .groupBy(regexp_replace(col("local"), "\\.", "").as("undotted"))
        .agg(countDistinct("local").as("variants"));
    assertTrue(gmail.filter(col("variants").gt(1)).count() > 0);
  }

  @Test
  void phonesAppearInNationalFormats() {
    Dataset<Row> text = allText();
    assertTrue(text.filter(col("line").rlike("\\(\\d{3}\\) \\d{3}-\\d{4}")).count() > 0, "US (415) 555-0132");
    assertTrue(text.filter(col("line").rlike(",0\\d{2,4} \\d{3,6}")).count() > 0, "GB/DE 020 7946 0018");
    assertTrue(text.filter(col("line").rlike("0049 \\(0\\)\\d+ \\d+|0044 \\d+")).count() > 0, "0049 (0)30 ...");
  }

  @Test
  void enrichmentHashesTheNormalisedPrimaryEmail() throws NoSuchAlgorithmException {
    Dataset<Row> persons = spark.read().parquet(root.resolve("_truth/persons").toString());
    Dataset<Row> truth = spark.read().parquet(root.resolve("_truth/record_person").toString())
        .filter(col("source").equalTo("enrichment"));
    Dataset<Row> enrichment = spark.read().parquet(root.resolve("landing/external/enrichment").toString())
        .filter(col("hashed_email").isNotNull());
    List<Row> rows = enrichment.join(truth, enrichment.col("record_id").equalTo(truth.col("record_key")))
        .join(persons, "person_id").select("hashed_email", "primary_email").collectAsList();
    assertTrue(rows.size() > 100);
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (Row row : rows) {
      String expected = HexFormat.of().formatHex(
          sha256.digest(normalised(row.getString(1)).getBytes(StandardCharsets.UTF_8)));
      assertEquals(expected, row.getString(0), row.getString(1));
    }
  }

  /** DATA.md's normalisation, written independently of the generator's Spark version. */
  private static String normalised(String email) {
    String cleaned = email.trim().toLowerCase(Locale.ROOT);
    String local = cleaned.substring(0, cleaned.indexOf('@')).replaceAll("\\+.*$", "");
    String domain = cleaned.substring(cleaned.indexOf('@') + 1);
    if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
      return local.replace(".", "") + "@gmail.com";
    }
    return local + "@" + domain;
  }

  private Dataset<Row> allText() {
    Dataset<Row> text = null;
    for (Feed feed : Feeds.ALL) {
      if (feed.format() != Feed.Format.PARQUET) {
        Dataset<Row> lines = LandingFiles.lines(spark, root, feed).select("line");
        text = text == null ? lines : text.unionByName(lines);
      }
    }
    return text;
  }

  private JsonNode messJson() throws IOException {
    return new ObjectMapper().readTree(root.resolve("_truth/mess.json").toFile());
  }
}
