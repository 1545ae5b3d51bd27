package io.audiencepipeline.modeling;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.models.evaluation.ModelMetrics;
import io.audiencepipeline.models.registry.ModelRegistry;
import io.audiencepipeline.models.scoring.Scorer;
import io.audiencepipeline.models.targets.Labels;
import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.unify.DatedPartitions;
import io.audiencepipeline.unify.IdentityEvaluation;
import io.audiencepipeline.unify.UnifyStage;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * How close the models come to the best possible, on generated data whose truth is known.
 *
 * <ul>
 *   <li>Purchase targets: the run date's published scores against the generator's realised outcome in
 *       the 30 days after its end date ({@code _truth/propensity}), next to the ROC AUC of the true
 *       probabilities (the ceiling: no model can rank better on average) and of a recency/frequency
 *       baseline (purchase days, then recency, from the same features), per true person: a customer
 *       belongs to the person most of its records belong to, and a person's score is the highest of their
 *       customers'. Run it for the generator's end date.
 *   <li>Outcome targets: the champion's validation as-of date; customers with an outcome in the window,
 *       their realised label from the data, the true response probability of their offers from
 *       {@code _truth/response_probability} (1 - product of (1 - p) over their offers).
 * </ul>
 */
public final class ModelEvaluation {
  private ModelEvaluation() {
  }

  /** ROC AUCs of one target on the same rows. */
  public record Result(String target, String version, long rows, long positives, double modelAuc,
      double trueProbabilityAuc, double baselineAuc, String rowsDescription) {
    public double gap() {
      return trueProbabilityAuc - modelAuc;
    }
  }

  public static String describe(List<Result> results) {
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  %-24s %-7s %10s %9s %9s %9s %9s %9s",
        "target", "version", "rows", "positives", "model", "truth", "baseline", "gap"));
    for (Result r : results) {
      text.append(String.format(Locale.ROOT, "%n  %-24s %-7s %,10d %,9d %9.4f %9.4f %9.4f %9.4f  (%s)", r.target(),
          r.version(), r.rows(), r.positives(), r.modelAuc(), r.trueProbabilityAuc(), r.baselineAuc(), r.gap(),
          r.rowsDescription()));
    }
    return text.toString();
  }

  public static List<Result> evaluate(SparkSession spark, Settings settings, LocalDate runDate, String truthPath) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), "evaluate");
    ModelRegistry registry = new ModelRegistry(publisher.fileSystem(), layout.models());
    Dataset<Row> persons = customerPersons(spark, settings, layout, runDate, truthPath)
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<Result> results = new ArrayList<>();
    try (TrainingData data = new TrainingData(spark, settings, layout, publisher.fileSystem(), runDate)) {
      for (TargetSpec target : settings.models().targets()) {
        results.add(switch (target.kind()) {
          case PURCHASE -> purchase(spark, publisher, layout, runDate, truthPath, persons, target);
          case OUTCOME -> outcome(spark, registry, data, settings, truthPath, target);
        });
      }
    } finally {
      persons.unpersist();
    }
    return results;
  }

  private static Result purchase(SparkSession spark, Publisher publisher, WarehouseLayout layout, LocalDate runDate,
      String truthPath, Dataset<Row> persons, TargetSpec target) {
    Publisher.requirePublished(publisher.fileSystem(), layout.scores(runDate), "model evaluation",
        "the scores as of " + runDate + " (run score first)");
    Dataset<Row> scores = spark.read().parquet(layout.scores(runDate).toString())
        .where(col("target").equalTo(target.name())).select("customer_id", "probability", "model_version");
    Dataset<Row> propensity = spark.read().parquet(truthPath + "/propensity");
    if (target.category().isPresent()) {
      propensity = propensity.where(col("category").equalTo(target.category().get()));
    }
    // P(at least one category) = 1 - prod(1 - p); outcomes were drawn independently per category.
    Dataset<Row> truth = propensity.groupBy("person_id").agg(
        lit(1.0).minus(exp(sum(log1p(col("true_probability").multiply(-1))))).as("true_probability"),
        max("outcome").as(Labels.LABEL));
    String suffix = target.category().map(c -> "_" + c).orElse("");
    Dataset<Row> features = spark.read().parquet(layout.features(runDate).toString()).select(col("customer_id"),
        col("purchase_days" + suffix).plus(lit(1.0).minus(least(col("days_since_purchase" + suffix), lit(365))
            .divide(366.0))).as("baseline"));
    // Per person, not per customer: a person resolved into several customers (a cookie-only fragment next to
    // the account) has one outcome, and a fragment without history cannot be ranked by any model. A person's
    // score is the highest of their customers' scores.
    Dataset<Row> rows = scores.join(features, "customer_id").join(persons, "customer_id")
        .groupBy("person_id").agg(max("probability").as("probability"), max("baseline").as("baseline"),
            max("model_version").as("model_version"))
        .join(truth, "person_id")
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return result(target, rows, "true persons with a scored customer on " + runDate + " (their highest score);"
          + " label = the person bought in the " + target.horizonDays() + " days after the data ends");
    } finally {
      rows.unpersist();
    }
  }

  private static Result outcome(SparkSession spark, ModelRegistry registry, TrainingData data, Settings settings,
      String truthPath, TargetSpec target) {
    ModelRegistry.Loaded champion = registry.loadChampion(target.name());
    LocalDate asOf = LocalDate.parse(champion.metadata().validationAsOfDate());
    Column day = lit(java.sql.Date.valueOf(asOf));
    Dataset<Row> offers = data.events().where(col("event_type").equalTo(target.outcomeEventType())
            .and(col("event_date").gt(day)).and(col("event_date").leq(org.apache.spark.sql.functions.date_add(day,
                target.horizonDays()))))
        .select(col("customer_id"), split(col("record_key"), "\\|").getItem(0).as("outcome_id"));
    Dataset<Row> truth = offers.join(spark.read().parquet(truthPath + "/response_probability")
            .select("outcome_id", "true_probability"), "outcome_id")
        .groupBy("customer_id")
        .agg(lit(1.0).minus(exp(sum(log1p(col("true_probability").multiply(-1))))).as("true_probability"));
    Dataset<Row> features = data.featuresAsOf(asOf, target);
    Dataset<Row> labelled = Labels.attach(data.events(), features, asOf, target,
        settings.features().purchaseEventTypes());
    String purchaseDays = "purchase_days";
    Dataset<Row> rows = Scorer.probabilities(champion.model(), champion.metadata().calibration(), labelled)
        .select(col("customer_id"), col(Scorer.SCORE).as("probability"), col(Labels.LABEL),
            col(purchaseDays).plus(lit(1.0).minus(least(col("days_since_purchase"), lit(365)).divide(366.0)))
                .as("baseline"),
            lit(champion.versionName()).as("model_version"))
        .join(truth, "customer_id")
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return result(target, rows, "customers with an outcome in the " + target.horizonDays() + " days after the"
          + " validation as-of date " + asOf + " (in-sample for the calibration half)");
    } finally {
      rows.unpersist();
    }
  }

  private static Result result(TargetSpec target, Dataset<Row> rows, String description) {
    Row counts = rows.agg(count(lit(1)), sum(col(Labels.LABEL).cast("long")), max("model_version")).first();
    if (counts.getLong(0) == 0) {
      throw PipelineFailure.inputRejected("target " + target.name() + ": no scored customer matches the truth");
    }
    return new Result(target.name(), counts.getString(2), counts.getLong(0), counts.getLong(1),
        ModelMetrics.rocAuc(rows, "probability"), ModelMetrics.rocAuc(rows, "true_probability"),
        ModelMetrics.rocAuc(rows, "baseline"), description);
  }

  /** customer_id -> the true person most of its records belong to (ties: the lower person id). */
  static Dataset<Row> customerPersons(SparkSession spark, Settings settings, WarehouseLayout layout,
      LocalDate runDate, String truthPath) {
    org.apache.hadoop.fs.Path mapPath = DatedPartitions.partition(layout.identityMap(), UnifyStage.DT, runDate);
    Dataset<Row> map;
    Dataset<Row> truth;
    try {
      map = spark.read().parquet(mapPath.toString());
      truth = spark.read().parquet(truthPath + "/record_person");
    } catch (Exception e) {
      throw PipelineFailure.inputRejected("cannot read " + mapPath + " or " + truthPath + "/record_person: "
          + e.getMessage(), e);
    }
    return map.select(col("customer_id"), IdentityEvaluation.truthFeed(settings).as("feed"), split(col("record_key"), "\\|").getItem(0).as("feed_key"))
        .join(truth.select(col("source").as("feed"), col("record_key").as("feed_key"), col("person_id")),
            new String[] {"feed", "feed_key"})
        .groupBy("customer_id", "person_id").agg(count(lit(1)).as("records"))
        .groupBy("customer_id")
        .agg(max_by(col("person_id"), struct(col("records"), greatest(lit(0L), col("person_id")).multiply(-1)))
            .as("person_id"));
  }
}
