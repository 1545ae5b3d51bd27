package io.audiencepipeline.models.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Turns feature columns into the model's vector, as MLlib stages saved with the model (so scoring
 * encodes exactly as training did): text columns are one-hot encoded (unseen or missing values get their
 * own slot), numeric columns are imputed with the training mean and, when the training rows have missing
 * values in them, get a {@code _missing} indicator.
 */
public final class FeatureStages {
  public static final String VECTOR = "features";
  static final String MISSING = "_missing";
  static final String IMPUTED = "_imputed";
  static final String AS_DOUBLE = "_as_double";
  static final String ONE_HOT = "_onehot";

  private FeatureStages() {
  }

  /** The stages for these feature columns of {@code training} (one pass to find columns with nulls). */
  public static List<PipelineStage> build(Dataset<Row> training, List<String> featureColumns) {
    List<String> categorical = new ArrayList<>();
    List<String> numeric = new ArrayList<>();
    for (String name : featureColumns) {
      StructField field = training.schema().apply(name);
      if (field.dataType().equals(DataTypes.StringType)) {
        categorical.add(name);
      } else {
        numeric.add(name);
      }
    }
    List<String> allNull = new ArrayList<>();
    List<String> withNulls = columnsWithNulls(training, numeric, allNull);
    numeric.removeAll(allNull);
    withNulls.removeAll(allNull);

    List<PipelineStage> stages = new ArrayList<>();
    List<String> assembled = new ArrayList<>();
    // Numeric inputs as doubles (booleans, ints, decimals) in new columns, plus missing-value indicators;
    // the input columns stay as they are, so the same stages transform rows with other extra columns.
    StringBuilder select = new StringBuilder("SELECT *");
    numeric.forEach(c -> select.append(", CAST(`").append(c).append("` AS DOUBLE) AS `").append(c).append(AS_DOUBLE)
        .append('`'));
    withNulls.forEach(c -> select.append(", CAST(`").append(c).append("` IS NULL AS DOUBLE) AS `").append(c)
        .append(MISSING).append('`'));
    stages.add(new SQLTransformer().setStatement(select + " FROM __THIS__"));
    // Every numeric column is imputed, so a value missing only at scoring time cannot fail the run.
    if (!numeric.isEmpty()) {
      stages.add(new Imputer().setStrategy("mean").setInputCols(numeric.stream().map(c -> c + AS_DOUBLE)
          .toArray(String[]::new))
          .setOutputCols(numeric.stream().map(c -> c + IMPUTED).toArray(String[]::new)));
    }
    numeric.forEach(c -> assembled.add(c + IMPUTED));
    withNulls.forEach(c -> assembled.add(c + MISSING));
    if (!categorical.isEmpty()) {
      String[] indexed = categorical.stream().map(c -> c + "_index").toArray(String[]::new);
      String[] encoded = categorical.stream().map(c -> c + ONE_HOT).toArray(String[]::new);
      stages.add(new StringIndexer().setInputCols(categorical.toArray(String[]::new)).setOutputCols(indexed)
          .setHandleInvalid("keep").setStringOrderType("alphabetAsc"));
      stages.add(new OneHotEncoder().setInputCols(indexed).setOutputCols(encoded).setHandleInvalid("keep")
          .setDropLast(true));
      assembled.addAll(List.of(encoded));
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol(VECTOR)
        .setHandleInvalid("error"));
    return stages;
  }

  /** A readable name for a vector slot: {@code age_band=25_34}, {@code last_satisfaction}. */
  public static String readableName(String attribute) {
    int oneHot = attribute.indexOf(ONE_HOT + "_");
    if (oneHot >= 0) {
      return attribute.substring(0, oneHot) + "=" + attribute.substring(oneHot + ONE_HOT.length() + 1);
    }
    if (attribute.endsWith(IMPUTED)) {
      return attribute.substring(0, attribute.length() - IMPUTED.length());
    }
    return attribute;
  }

  /** Numeric columns with missing values; those missing in every row are added to {@code allNull}. */
  private static List<String> columnsWithNulls(Dataset<Row> training, List<String> numeric, List<String> allNull) {
    if (numeric.isEmpty()) {
      return List.of();
    }
    List<Column> counts = new ArrayList<>();
    for (String c : numeric) {
      counts.add(sum(when(col("`" + c + "`").isNull(), 1L).otherwise(0L)).as(c));
    }
    Row row = training.agg(count(lit(1)), counts.toArray(Column[]::new)).first();
    long rows = row.getLong(0);
    List<String> withNulls = new ArrayList<>();
    for (int i = 0; i < numeric.size(); i++) {
      long nulls = row.isNullAt(i + 1) ? 0 : row.getLong(i + 1);
      if (nulls > 0) {
        withNulls.add(numeric.get(i));
      }
      if (nulls == rows) {
        allNull.add(numeric.get(i)); // nothing to learn from, and no mean to impute with
      }
    }
    return withNulls;
  }
}
