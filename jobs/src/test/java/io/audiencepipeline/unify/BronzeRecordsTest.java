package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.audiencepipeline.testing.SharedSpark;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Each record's last delivery, whichever way it is found (broadcast key sets or one window over all). */
class BronzeRecordsTest {
  private static final StructType DELIVERIES = StructType.fromDDL(
      "source string, record_key string, event_time timestamp, email string, email_other string, origin_file string,"
          + " dt date");

  private static Row delivery(String key, String email, String file, String date) {
    return delivery(key, email, null, file, date);
  }

  private static Row delivery(String key, String email, String other, String file, String date) {
    return RowFactory.create("web", key, Timestamp.valueOf("2026-11-01 10:00:00"), email, other, file,
        Date.valueOf(date));
  }

  /** With {@code broadcastRows} -1, {@link BronzeRecords#latestRanked} (the incremental night's). */
  private static List<String> latest(List<Row> rows, long broadcastRows) {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> deliveries = spark.createDataFrame(rows, DELIVERIES).repartition(3);
    Dataset<Row> latest = broadcastRows < 0 ? BronzeRecords.latestRanked(deliveries)
        : BronzeRecords.latest(deliveries, broadcastRows);
    assertEquals(List.of("source", "record_key", "event_time", "email", "email_other", "origin_file", "dt",
        BronzeRecords.RECORD_TIME), List.of(latest.columns()));
    List<String> out = new ArrayList<>();
    for (Row row : latest.orderBy("source", "record_key", "email", "email_other")
        .select(col("record_key"), col("email"), col("origin_file"), col("dt").cast("string"),
            col(BronzeRecords.RECORD_TIME).cast("string"), col("source"), col("event_time").cast("string"),
            col("email_other"))
        .collectAsList()) {
      out.add(row.mkString(" "));
    }
    return out;
  }

  @Test
  void eachRecordIsItsLastDeliveryAndAKeyRepeatedInOneFileResolvesTheSameWayEveryTime() {
    List<Row> rows = new ArrayList<>(List.of(
        delivery("once", "a@x.com", "f1", "2026-11-01"),
        delivery("twice", "old@x.com", "f1", "2026-11-01"),
        delivery("twice", "new@x.com", "f2", "2026-11-02"),
        // Same landing date: the later file name wins.
        delivery("files", "early@x.com", "f3a", "2026-11-03"),
        delivery("files", "late@x.com", "f3b", "2026-11-03"),
        // Twice in its last file, once before: one of the last file's two rows, decided by their contents.
        delivery("within", "before@x.com", "f1", "2026-11-01"),
        delivery("within", "one@x.com", "f2", "2026-11-02"),
        delivery("within", "two@x.com", "f2", "2026-11-02"),
        // Twice alike in its only file: one row.
        delivery("alike", "same@x.com", "f2", "2026-11-02"),
        delivery("alike", "same@x.com", "f2", "2026-11-02"),
        // Twice in one file, the same value in two neighbouring columns (by name) and null in the other: both hashes
        // skip nulls, so the two rows hash alike.
        delivery("swapped", "x", null, "f2", "2026-11-02"),
        delivery("swapped", null, "x", "f2", "2026-11-02")));
    List<String> expected = latest(rows, 0);   // every delivery through the window
    assertEquals(6, expected.size(), expected::toString);
    String rest = " 2026-11-01 10:00:00 web 2026-11-01 10:00:00 null";
    assertEquals(List.of(
        "alike same@x.com f2 2026-11-02" + rest,
        "files late@x.com f3b 2026-11-03" + rest,
        "once a@x.com f1 2026-11-01" + rest,
        "twice new@x.com f2 2026-11-02" + rest),
        expected.stream().filter(row -> !row.startsWith("within") && !row.startsWith("swapped")).toList());
    String within = expected.stream().filter(row -> row.startsWith("within")).findFirst().orElseThrow();
    assertEquals("f2 2026-11-02", within.split(" ")[2] + " " + within.split(" ")[3]);
    // Ordered by the columns themselves once the hashes tie: a null sorts first, so email null wins.
    assertEquals("swapped null f2 2026-11-02 2026-11-01 10:00:00 web 2026-11-01 10:00:00 x",
        expected.stream().filter(row -> row.startsWith("swapped")).findFirst().orElseThrow());

    Random random = new Random(7);
    for (int attempt = 0; attempt < 3; attempt++) {
      Collections.shuffle(rows, random);
      assertEquals(expected, latest(rows, 0), "the window, rows in another order");
      assertEquals(expected, latest(rows, 1_000), "broadcast key sets");
      assertEquals(expected, latest(rows, 4), "more repeated keys (5) than may be broadcast: the window");
      assertEquals(expected, latest(rows, 5), "more losing deliveries (6) than may be broadcast: the window");
      assertEquals(expected, latest(rows, -1), "the incremental night's window");
    }
  }

  @Test
  void manyRecordsDeliveredAgainGiveTheSameRowsEitherWay() {
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    for (int key = 0; key < 400; key++) {
      int deliveries = 1 + random.nextInt(3);
      for (int i = 0; i < deliveries; i++) {
        rows.add(delivery("k" + key, "e" + random.nextInt(5) + "@x.com", "f" + random.nextInt(2),
            "2026-11-0" + (1 + random.nextInt(3))));
      }
    }
    List<String> window = latest(rows, 0);
    assertEquals(400, new TreeSet<>(window.stream().map(row -> row.split(" ")[0]).toList()).size());
    assertEquals(400, window.size());
    assertEquals(window, latest(rows, 1_000_000));
    assertEquals(window, latest(rows, -1));
  }
}
