package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.levenshtein;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.soundex;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.regexp_replace;

import io.audiencepipeline.config.UnifySettings;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Optional scored edges between records with similar full names in the same postcode. Blocking on
 * (postcode, Soundex of the last name) keeps the comparison local; a block larger than the configured
 * size is skipped as too common. Similarity = 1 - Levenshtein distance / length of the longer name.
 */
final class FuzzyEdges {
  private FuzzyEdges() {
  }

  /**
   * @param records bronze records (need first_name, last_name, postcode; otherwise no edges)
   * @param anchors source, record_key, node: each linkable record's anchor identifier node
   * @return src, dst (anchor nodes of matched records), or null when the records lack the fields
   */
  static Dataset<Row> of(Dataset<Row> records, Dataset<Row> anchors, UnifySettings.Fuzzy fuzzy) {
    Set<String> columns = Set.of(records.columns());
    if (!columns.containsAll(Set.of("first_name", "last_name", "postcode"))) {
      return null;
    }
    Column name = lower(trim(concat_ws(" ", col("first_name"), col("last_name"))));
    Column postcode = upper(regexp_replace(col("postcode"), "\\s+", ""));
    Dataset<Row> named = records
        .where(col("first_name").isNotNull().and(col("last_name").isNotNull()).and(col("postcode").isNotNull()))
        .select(col("source"), col("record_key"), name.as("name"),
            concat_ws("|", postcode, soundex(col("last_name"))).as("block"))
        .join(anchors, new String[] {"source", "record_key"})
        .select("block", "name", "node")
        .distinct();
    Dataset<Row> small = named.groupBy("block").agg(count(lit(1)).as("size"))
        .where(col("size").leq(fuzzy.maxBlockSize())).select("block");
    Dataset<Row> blocked = named.join(small, "block");
    Dataset<Row> left = blocked.select(col("block"), col("name").as("name_a"), col("node").as("a"));
    Dataset<Row> right = blocked.select(col("block"), col("name").as("name_b"), col("node").as("b"));
    Column similarity = lit(1.0).minus(levenshtein(col("name_a"), col("name_b"))
        .divide(greatest(length(col("name_a")), length(col("name_b")))));
    return left.join(right, "block")
        .where(col("a").lt(col("b")))
        .where(similarity.geq(fuzzy.threshold()))
        .select(col("a").as("src"), col("b").as("dst"))
        .distinct();
  }
}
