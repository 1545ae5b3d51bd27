package io.audiencepipeline.unify;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.map_filter;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.config.UnifySettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The unified event timeline: every event record of a living customer with typed common columns
 * (channel, category, sku, quantity, amount (a line's quantity x unit price when it has no amount),
 * currency, campaign, order) and the source's other fields
 * as text in {@code details}, partitioned by {@code event_date} (UTC).
 */
public final class Timeline {
  public static final String EVENT_DATE = "event_date";

  /** Common columns and their types; a source without the field has null. */
  static final Map<String, DataType> COMMON = new LinkedHashMap<>();

  static {
    COMMON.put("category", DataTypes.StringType);
    COMMON.put("sku", DataTypes.StringType);
    COMMON.put("quantity", DataTypes.IntegerType);
    COMMON.put("amount", DataTypes.createDecimalType(12, 2));
    COMMON.put("currency", DataTypes.StringType);
    COMMON.put("campaign_id", DataTypes.StringType);
    COMMON.put("order_id", DataTypes.StringType);
  }

  private Timeline() {
  }

  /**
   * @param records bronze records of living customers, with {@code customer_id}
   * @param sources the configured sources (their channel and fields)
   * @param settings profile attributes are not repeated in {@code details}
   */
  public static Dataset<Row> build(Dataset<Row> records, List<SourceSpec> sources, UnifySettings settings) {
    Set<String> present = Set.of(records.columns());
    Column sourceChannel = lit(null).cast(DataTypes.StringType);
    for (SourceSpec source : sources) {
      sourceChannel = when(col("source").equalTo(source.name()), lit(source.channel())).otherwise(sourceChannel);
    }
    Column channel = present.contains("channel")
        ? org.apache.spark.sql.functions.coalesce(lower(col("channel")), sourceChannel) : sourceChannel;

    Set<String> skip = new TreeSet<>(COMMON.keySet());
    skip.add("channel");
    settings.survivorship().forEach(rule -> skip.add(rule.attribute()));
    Set<String> detailFields = new TreeSet<>();
    for (SourceSpec source : sources) {
      source.fields().keySet().stream().filter(f -> !skip.contains(f) && present.contains(f))
          .forEach(detailFields::add);
    }
    List<Column> entries = new ArrayList<>();
    for (String field : detailFields) {
      entries.add(lit(field));
      entries.add(col(field).cast(DataTypes.StringType));
    }
    Column details = entries.isEmpty()
        ? map().cast(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
        : map_filter(map(entries.toArray(Column[]::new)), (k, v) -> v.isNotNull());

    List<Column> out = new ArrayList<>();
    out.add(col("customer_id"));
    out.add(col("event_time"));
    out.add(col("event_type"));
    out.add(channel.as("channel"));
    COMMON.forEach((name, type) -> {
      Column value = present.contains(name) ? col(name).cast(type) : lit(null).cast(type);
      if (name.equals("amount") && present.contains("unit_price") && present.contains("quantity")) {
        // Order lines carry a unit price: their amount is the line total.
        value = org.apache.spark.sql.functions.coalesce(value,
            col("unit_price").multiply(col("quantity")).cast(type));
      }
      out.add(value.as(name));
    });
    out.add(col("source"));
    out.add(col("record_key"));
    out.add(details.as("details"));
    out.add(to_date(col("event_time")).as(EVENT_DATE));
    return records.where(col("event_type").isNotNull().and(col("event_time").isNotNull()))
        .select(out.toArray(Column[]::new));
  }
}
