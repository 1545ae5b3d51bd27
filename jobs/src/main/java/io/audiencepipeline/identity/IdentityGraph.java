package io.audiencepipeline.identity;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.soundex;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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
   * One row per (record, identifier): {@code source, record_key, kind, node_key, node}. Input: bronze
   * rows with the identifier columns and optionally {@code first_name}.
   */
  public static Dataset<Row> recordIdentifiers(Dataset<Row> records) {
    List<Column> entries = new ArrayList<>();
    for (IdentifierKind kind : LINKING) {
      Column value = col(kind.column());
      String nodeKind = kind == IdentifierKind.HASHED_EMAIL ? IdentifierKind.EMAIL.column() : kind.column();
      Column keyValue = kind == IdentifierKind.EMAIL ? sha2(value, 256) : value;
      entries.add(when(value.isNotNull(), struct(lit(kind.column()).as("kind"),
          concat(lit(nodeKind + ":"), keyValue).as("node_key"), value.as("value"))));
    }
    Column firstName = java.util.Arrays.asList(records.columns()).contains("first_name")
        ? col("first_name") : lit(null).cast("string");
    Column present = filter(array(entries.toArray(Column[]::new)), e -> e.isNotNull());
    return records
        .select(col("source"), col("record_key"), firstName.as("first_name"), present.as("ids"))
        .where(size(col("ids")).gt(0))
        .select(col("source"), col("record_key"), col("first_name"), explode(col("ids")).as("id"))
        .select(col("source"), col("record_key"), col("first_name"), col("id.kind").as("kind"),
            col("id.node_key").as("node_key"), col("id.value").as("value"),
            xxhash64(col("id.node_key")).as("node"));
  }

  /**
   * Node keys that must not link, with the guard that excluded them: {@code node_key, guard}.
   */
  public static Dataset<Row> overShared(Dataset<Row> recordIdentifiers, LinkGuards guards) {
    Dataset<Row> roles = recordIdentifiers
        .where(col("kind").equalTo(IdentifierKind.EMAIL.column())
            .and(lower(substring_index(col("value"), "@", 1)).isin(guards.roleLocalParts().toArray())))
        .select(col("node_key"), lit("role_address").as("guard"));
    List<Dataset<Row>> excluded = new ArrayList<>(List.of(roles));
    guards.maxFirstNames().forEach((kind, max) -> excluded.add(recordIdentifiers
        .where(col("kind").equalTo(kind).and(col("first_name").isNotNull()))
        .groupBy("node_key").agg(countDistinct(soundex(col("first_name"))).as("names"))
        .where(col("names").gt(max))
        .select(col("node_key"), lit("shared_by_names").as("guard"))));
    guards.maxCoOccurring().forEach((kind, limits) -> limits.forEach((other, max) -> {
      Dataset<Row> others = recordIdentifiers.where(col("kind").equalTo(other))
          .select(col("source"), col("record_key"), col("node_key").as("other"));
      excluded.add(recordIdentifiers
          .where(col("kind").equalTo(kind))
          .join(others, RECORD)
          .groupBy("node_key").agg(countDistinct(col("other")).as("others"))
          .where(col("others").gt(max))
          .select(col("node_key"), lit("shared_by_" + other).as("guard")));
    }));
    return excluded.stream().reduce(Dataset::union).orElseThrow()
        .groupBy("node_key").agg(org.apache.spark.sql.functions.min("guard").as("guard"));
  }

  /**
   * Edges between the linkable identifiers of each record: every identifier to the record's first
   * linkable one (a star per record is enough for connectivity). Columns {@code src, dst}.
   */
  public static Dataset<Row> edges(Dataset<Row> recordIdentifiers, Dataset<Row> overShared) {
    Dataset<Row> linkable = recordIdentifiers.join(overShared.select("node_key"), new String[] {"node_key"},
        "left_anti");
    Dataset<Row> anchors = linkable.groupBy("source", "record_key")
        .agg(org.apache.spark.sql.functions.min("node").as("anchor"));
    return linkable.join(anchors, RECORD)
        .where(col("node").notEqual(col("anchor")))
        .select(col("node").as("src"), col("anchor").as("dst"))
        .distinct();
  }
}
