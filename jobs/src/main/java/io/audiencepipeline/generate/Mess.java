package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;

/**
 * Delivery mess shared by all feeds: late arrival, malformed rows and re-delivered duplicates, plus the
 * {@code _mess} tags each row carries (comma-separated) so that {@code mess.json} is a plain aggregation.
 */
final class Mess {
  static final String PERSON = "_person_id";
  static final String TAGS = "_mess";
  static final String DEFECT = "_defect";
  static final String LANDING_DATE = "dt";
  static final double LATE_SHARE = 0.03;
  static final double MALFORMED_SHARE = 0.002;
  static final double DUPLICATE_SHARE = 0.005;

  private Mess() {
  }

  /**
   * The tags that are not null, comma-separated, as the {@code _mess} column. A string, not an array: arrays
   * without nulls need filter(), a higher-order function, which Spark evaluates without code generation,
   * together with every expression below it (the hashes of the whole row).
   */
  static Column tags(Column... maybeTags) {
    return maybeTags.length == 0 ? lit("") : concat_ws(",", maybeTags);
  }

  /** True when the row carries the tag. */
  static Column has(MessKind kind) {
    return concat(lit(","), col(TAGS), lit(",")).contains("," + kind.tag() + ",");
  }

  private static Column withTag(Column tag) {
    return when(col(TAGS).equalTo(""), tag).otherwise(concat_ws(",", col(TAGS), tag));
  }

  static Column tagIf(Column condition, MessKind kind) {
    return when(condition, lit(kind.tag()));
  }

  /** Landing delay in days: the next day, or 2-5 days for the late share. */
  static Column delay(Draws draws, String salt, Column... keys) {
    return when(draws.chance(LATE_SHARE, "late:" + salt, keys), draws.below(4, "late-days:" + salt, keys).plus(2))
        .otherwise(lit(1));
  }

  static Column lateTag(Column delay) {
    return tagIf(delay.gt(1), MessKind.LATE_ROW);
  }

  /** Hash of the record key that decides whether a row is malformed. */
  static Column malformedHash(Draws draws, Feed feed) {
    return draws.hash("malformed:" + feed.name(), col(feed.recordKey()));
  }

  /**
   * One aggregate per defect kind of the feed, {@code smallest_<i>}: the smallest malformed-hash among rows
   * whose hash falls in bucket i. Those rows always get defect i, so every feed has every one of its kinds
   * of malformed row, however small the sample.
   */
  static Column[] smallestMalformedHashes(Draws draws, Feed feed) {
    int kinds = feed.defects().size();
    Column hash = malformedHash(draws, feed);
    Column[] aggregates = new Column[kinds];
    for (int i = 0; i < kinds; i++) {
      aggregates[i] = min(when(pmod(hash, lit((long) kinds)).equalTo(i), hash)).as("smallest_" + i);
    }
    return aggregates;
  }

  static Long[] smallestMalformedHashes(Observation observation, Feed feed) {
    Map<String, Object> metrics = metrics(observation);
    Long[] hashes = new Long[feed.defects().size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = (Long) metrics.get("smallest_" + i);
    }
    return hashes;
  }

  /**
   * Marks about 0.2% of rows with one of the feed's defects, plus the always-malformed row of each defect
   * kind, and applies the defects' column edits.
   */
  static Dataset<Row> withDefects(Dataset<Row> records, Draws draws, Feed feed, Long[] alwaysMalformed) {
    Column hash = malformedHash(draws, feed);
    Column kinds = array(feed.defects().stream().map(d -> lit(d.kind().tag())).toArray(Column[]::new));
    Column kind = when(draws.chance(MALFORMED_SHARE, "malformed:" + feed.name(), col(feed.recordKey())),
        element_at(kinds, draws.below(feed.defects().size(), "defect:" + feed.name(), col(feed.recordKey())).plus(1)));
    for (int i = alwaysMalformed.length - 1; i >= 0; i--) {
      if (alwaysMalformed[i] != null) {
        kind = when(hash.equalTo(lit(alwaysMalformed[i])), lit(feed.defects().get(i).kind().tag())).otherwise(kind);
      }
    }
    Dataset<Row> marked = records.withColumn(DEFECT, kind);

    Map<String, Column> edited = new LinkedHashMap<>();
    for (Defect defect : feed.defects()) {
      defect.edits().forEach((column, value) -> {
        Column current = edited.getOrDefault(column, null);
        Column branch = current == null
            ? when(col(DEFECT).equalTo(defect.kind().tag()), value)
            : current.when(col(DEFECT).equalTo(defect.kind().tag()), value);
        edited.put(column, branch);
      });
    }
    List<Column> projection = new ArrayList<>();
    for (String column : marked.columns()) {
      Column value = edited.containsKey(column) ? edited.get(column).otherwise(col(column)) : col(column);
      projection.add(column.equals(TAGS)
          ? when(col(DEFECT).isNotNull(), withTag(col(DEFECT))).otherwise(col(TAGS)).as(TAGS)
          : value.as(column));
    }
    return marked.select(projection.toArray(Column[]::new));
  }

  /** Event feeds: about 0.5% of rows are delivered again, identical, one or two days later. */
  static Dataset<Row> withDuplicates(Dataset<Row> records, Draws draws, Feed feed, Period period) {
    if (feed.delivery() != Feed.Delivery.EVENTS) {
      return records;
    }
    Column key = col(feed.recordKey());
    Dataset<Row> again = records
        .filter(draws.chance(DUPLICATE_SHARE, "duplicate:" + feed.name(), key))
        .withColumn(LANDING_DATE, least(
            date_add(col(LANDING_DATE), draws.below(2, "duplicate-delay:" + feed.name(), key).plus(1)),
            lit(period.lastLanding())))
        .withColumn(TAGS, withTag(lit(MessKind.DUPLICATE_ROW.tag())));
    return records.unionByName(again);
  }

  /**
   * Counts rows per mess tag, plus {@code rows}, while the rows are written: an observation, not another
   * pass over the data.
   */
  static Dataset<Row> observeCounts(Dataset<Row> delivered, Observation observation) {
    Column rows = count(lit(1)).as("rows");
    Column[] perKind = Arrays.stream(MessKind.values())
        .map(kind -> sum(when(has(kind), 1L).otherwise(0L)).as(kind.tag()))
        .toArray(Column[]::new);
    return delivered.observe(observation, rows, perKind);
  }

  /** The feed's entry in mess.json: rows, and rows per kind of mess that occurred. */
  static Map<String, Long> counts(Observation observation) {
    Map<String, Long> counts = new TreeMap<>();
    metrics(observation).forEach((kind, n) -> {
      long value = n == null ? 0L : ((Number) n).longValue();
      if (value > 0 || kind.equals("rows")) {
        counts.put(kind, value);
      }
    });
    return counts;
  }

  /** The metrics of an observation whose action has run (so this does not wait). */
  static Map<String, Object> metrics(Observation observation) {
    try {
      return observation.getAsJava();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading " + observation.name(), e);
    }
  }
}
