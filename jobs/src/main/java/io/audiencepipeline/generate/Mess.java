package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
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
 * {@code _mess} tags each row carries so that {@code mess.json} is a plain aggregation.
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

  /** The tags that are not null, as the {@code _mess} array. */
  static Column tags(Column... maybeTags) {
    if (maybeTags.length == 0) {
      return array().cast("array<string>");
    }
    return filter(array(maybeTags), tag -> tag.isNotNull()).cast("array<string>");
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

  /** Aggregate named {@code smallest}: that row is always malformed, so every feed has at least one. */
  static Column smallestMalformedHash(Draws draws, Feed feed) {
    return min(malformedHash(draws, feed)).as("smallest");
  }

  /** Marks about 0.2% of rows (and the always-malformed one) with one of the feed's defects and applies it. */
  static Dataset<Row> withDefects(Dataset<Row> records, Draws draws, Feed feed, Long alwaysMalformed) {
    Column hash = malformedHash(draws, feed);
    Column chosen = draws.chance(MALFORMED_SHARE, "malformed:" + feed.name(), col(feed.recordKey()));
    if (alwaysMalformed != null) {
      chosen = chosen.or(hash.equalTo(lit(alwaysMalformed)));
    }
    Column kinds = array(feed.defects().stream().map(d -> lit(d.kind().tag())).toArray(Column[]::new));
    Column kind = when(chosen,
        element_at(kinds, draws.below(feed.defects().size(), "defect:" + feed.name(), col(feed.recordKey())).plus(1)));
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
          ? when(col(DEFECT).isNotNull(), array_union(col(TAGS), array(col(DEFECT)))).otherwise(col(TAGS)).as(TAGS)
          : value.as(column));
    }
    return marked.select(projection.toArray(Column[]::new));
  }

  /** Event feeds: about 0.5% of rows are delivered again, identical, one or two days later. */
  static Dataset<Row> withDuplicates(Dataset<Row> records, Draws draws, Feed feed, Period period) {
    if (!feed.events()) {
      return records;
    }
    Column key = col(feed.recordKey());
    Dataset<Row> again = records
        .filter(draws.chance(DUPLICATE_SHARE, "duplicate:" + feed.name(), key))
        .withColumn(LANDING_DATE, least(
            date_add(col(LANDING_DATE), draws.below(2, "duplicate-delay:" + feed.name(), key).plus(1)),
            lit(period.lastLanding())))
        .withColumn(TAGS, array_union(col(TAGS), array(lit(MessKind.DUPLICATE_ROW.tag()))));
    return records.unionByName(again);
  }

  /**
   * Counts rows per mess tag, plus {@code rows}, while the rows are written: an observation, not another
   * pass over the data.
   */
  static Dataset<Row> observeCounts(Dataset<Row> delivered, Observation observation) {
    Column rows = count(lit(1)).as("rows");
    Column[] perKind = Arrays.stream(MessKind.values())
        .map(kind -> sum(when(array_contains(col(TAGS), kind.tag()), 1L).otherwise(0L)).as(kind.tag()))
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
