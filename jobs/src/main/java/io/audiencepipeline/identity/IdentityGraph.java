package io.audiencepipeline.identity;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.soundex;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;

/**
 * The identity graph over bronze records: nodes are normalised identifier values, and two identifiers
 * are linked when one record carries both. Emails are keyed by their SHA-256 so that third-party
 * records keyed by hashed email join the same node. Guards keep over-shared identifiers out of links.
 */
public final class IdentityGraph {
  /** Identifier kinds that may link records; all of them are strong per DESIGN.md. */
  private static final List<IdentifierKind> LINKING = List.of(IdentifierKind.EMAIL, IdentifierKind.PHONE,
      IdentifierKind.ACCOUNT_ID, IdentifierKind.CRM_CONTACT_ID, IdentifierKind.LOYALTY_ID,
      IdentifierKind.DEVICE_ID, IdentifierKind.COOKIE_ID, IdentifierKind.HASHED_EMAIL);

  private static final String[] RECORD = {"source", "record_key"};

  private IdentityGraph() {
  }

  /**
   * The node key of a record's identifier of this kind ({@code <kind>:<value>}; an email's value is its SHA-256,
   * and a hashed email is keyed as an email), null when the record has none.
   */
  static Column nodeKey(IdentifierKind kind) {
    Column value = col(kind.column());
    String nodeKind = kind == IdentifierKind.HASHED_EMAIL ? IdentifierKind.EMAIL.column() : kind.column();
    Column keyValue = kind == IdentifierKind.EMAIL ? sha2(value, 256) : value;
    return when(value.isNotNull(), concat(lit(nodeKind + ":"), keyValue));
  }

  /**
   * One row per (record, identifier): {@code source, record_key, kind, node_key, node}. Input: bronze
   * rows with the identifier columns and optionally {@code first_name}.
   */
  public static Dataset<Row> recordIdentifiers(Dataset<Row> records) {
    List<Column> entries = new ArrayList<>();
    for (IdentifierKind kind : LINKING) {
      Column value = col(kind.column());
      entries.add(when(value.isNotNull(), struct(lit(kind.column()).as("kind"), nodeKey(kind).as("node_key"),
          value.as("value"))));
    }
    // Exploded with the absent kinds as nulls, then filtered: a higher-order filter over the array would run
    // without code generation (at 1M people it cost 416 s of CPU for 37M records).
    return records
        .select(col("source"), col("record_key"), firstName(records).as("first_name"),
            explode(array(entries.toArray(Column[]::new))).as("id"))
        .where(col("id").isNotNull())
        .select(col("source"), col("record_key"), col("first_name"), col("id.kind").as("kind"),
            col("id.node_key").as("node_key"), col("id.value").as("value"),
            xxhash64(col("id.node_key")).as("node"));
  }

  private static Column firstName(Dataset<Row> records) {
    return Arrays.asList(records.columns()).contains("first_name")
        ? col("first_name") : lit(null).cast(DataTypes.StringType);
  }

  /**
   * Node keys that must not link, with the guard that excluded them (the first by name when several do):
   * {@code node_key, guard}. Read from the records themselves, one row per record: each record carries at most
   * one identifier of a kind, so an identifier's first names and the other identifiers seen with it are counted
   * in one aggregation per guarded kind, without pairing the records' identifiers by a join.
   *
   * @param records bronze rows with the identifier columns and optionally {@code first_name}
   */
  public static Dataset<Row> overShared(Dataset<Row> records, LinkGuards guards) {
    Column email = col(IdentifierKind.EMAIL.column());
    Dataset<Row> roles = records
        .where(email.isNotNull().and(lower(substring_index(email, "@", 1)).isin(guards.roleLocalParts().toArray())))
        .select(nodeKey(IdentifierKind.EMAIL).as("node_key"), lit("role_address").as("guard"));
    List<Dataset<Row>> excluded = new ArrayList<>(List.of(roles));
    Column firstName = firstName(records);
    TreeSet<String> guarded = new TreeSet<>(guards.maxFirstNames().keySet());
    guarded.addAll(guards.maxCoOccurring().keySet());
    for (String kindName : guarded) {
      IdentifierKind kind = kind(kindName);
      List<Column> counts = new ArrayList<>();
      List<Column> exceeded = new ArrayList<>();
      Integer maxNames = guards.maxFirstNames().get(kindName);
      if (maxNames != null) {
        counts.add(countDistinct(soundex(firstName)).as("names"));
        exceeded.add(when(col("names").gt(maxNames), lit("shared_by_names")));
      }
      for (Map.Entry<String, Integer> limit : guards.maxCoOccurring().getOrDefault(kindName, Map.of()).entrySet()) {
        String counted = "others_" + limit.getKey();
        counts.add(countDistinct(nodeKey(kind(limit.getKey()))).as(counted));
        exceeded.add(when(col(counted).gt(limit.getValue()), lit("shared_by_" + limit.getKey())));
      }
      if (counts.isEmpty()) {
        continue; // a kind listed with no limits (a default switched off in the configuration)
      }
      excluded.add(records.where(col(kind.column()).isNotNull())
          .groupBy(nodeKey(kind).as("node_key"))
          .agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new))
          .select(col("node_key"), explode(array(exceeded.toArray(Column[]::new))).as("guard"))
          .where(col("guard").isNotNull()));
    }
    return excluded.stream().reduce(Dataset::union).orElseThrow()
        .groupBy("node_key").agg(min("guard").as("guard"));
  }

  private static IdentifierKind kind(String column) {
    return IdentifierKind.fromColumn(column)
        .orElseThrow(() -> new IllegalArgumentException("unknown identifier kind '" + column + "'"));
  }

  /**
   * The linkable identifiers of each record (those not over-shared), each with its record's anchor, the smallest
   * linkable node of the record: {@code source, record_key, kind, node_key, node, anchor, anchor_row}, where
   * {@code anchor_row} marks one row per record (the anchor's). A star from each record's anchor to its other
   * identifiers is enough for connectivity, and the anchor's component is the record's.
   *
   * @param overShared {@code node_key} of the identifiers that link nothing (small: broadcast)
   */
  public static Dataset<Row> anchored(Dataset<Row> records, Dataset<Row> overShared) {
    WindowSpec record = Window.partitionBy(RECORD[0], RECORD[1]).orderBy(col("node"), col("kind"));
    return recordIdentifiers(records)
        .join(broadcast(overShared.select("node_key")), new String[] {"node_key"}, "left_anti")
        .select(col("source"), col("record_key"), col("kind"), col("node_key"), col("node"),
            first(col("node")).over(record).as("anchor"), row_number().over(record).equalTo(1).as("anchor_row"));
  }

  /** Edges between each record's anchor and its other identifiers ({@link #anchored}): {@code src, dst}. */
  public static Dataset<Row> edges(Dataset<Row> anchored) {
    return anchored.where(col("node").notEqual(col("anchor")))
        .select(col("node").as("src"), col("anchor").as("dst"));
  }
}
