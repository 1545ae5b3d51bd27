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
      "source string, record_key string, event_time timestamp, email string, origin_file string, dt date");

  private static Row delivery(String key, String email, String file, String date) {
    return RowFactory.create("web", key, Timestamp.valueOf("2026-11-01 10:00:00"), email, file,
        Date.valueOf(date));
  }

  /** With {@code broadcastRows} -1, {@link BronzeRecords#latestRanked} (the incremental night's). */
  private static List<String> latest(List<Row> rows, long broadcastRows) {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> deliveries = spark.createDataFrame(rows, DELIVERIES).repartition(3);
    Dataset<Row> latest = broadcastRows < 0 ? BronzeRecords.latestRanked(deliveries)
        : BronzeRecords.latest(deliveries, broadcastRows);
    List<String> out = new ArrayList<>();
    for (Row row : latest.orderBy("source", "record_key")
        .select(col("record_key"), col("email"), col("origin_file"), col("dt").cast("string"),
            col(BronzeRecords.RECORD_TIME).cast("string"))
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
        delivery("alike", "same@x.com", "f2", "2026-11-02")));
    List<String> expected = latest(rows, 0);   // every delivery through the window
    assertEquals(5, expected.size(), expected::toString);
    assertEquals(List.of(
        "alike same@x.com f2 2026-11-02 2026-11-01 10:00:00",
        "files late@x.com f3b 2026-11-03 2026-11-01 10:00:00",
        "once a@x.com f1 2026-11-01 2026-11-01 10:00:00",
        "twice new@x.com f2 2026-11-02 2026-11-01 10:00:00"),
        expected.stream().filter(row -> !row.startsWith("within")).toList());
    String within = expected.stream().filter(row -> row.startsWith("within")).findFirst().orElseThrow();
    assertEquals("f2 2026-11-02", within.split(" ")[2] + " " + within.split(" ")[3]);

    Random random = new Random(7);
    for (int attempt = 0; attempt < 3; attempt++) {
      Collections.shuffle(rows, random);
      assertEquals(expected, latest(rows, 0), "the window, rows in another order");
      assertEquals(expected, latest(rows, 1_000), "broadcast key sets");
      assertEquals(expected, latest(rows, 3), "more repeated keys (4) than may be broadcast: the window");
      assertEquals(expected, latest(rows, 5), "more losing deliveries (7) than may be broadcast: the window");
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
