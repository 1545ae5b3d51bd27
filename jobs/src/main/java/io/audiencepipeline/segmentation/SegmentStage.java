package io.audiencepipeline.segmentation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.audiencepipeline.config.SegmentationSettings;
import io.audiencepipeline.config.SegmentationSettings.Campaign;
import io.audiencepipeline.config.SegmentationSettings.Segment;
import io.audiencepipeline.config.SegmentationSettings.Suppression;
import io.audiencepipeline.config.Settings;
import io.audiencepipeline.io.Documents;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.run.RunContext;
import io.audiencepipeline.unify.DatedPartitions;
import io.audiencepipeline.unify.IdentityResolution;
import io.audiencepipeline.unify.UnifyStage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;

/**
 * Segment: every campaign's waterfall over the audience base as of the run date, arbitrated across
 * campaigns, with recommended products -> {@code gold/segments/<campaign>/dt=D/} and the waterfall report
 * {@code gold/waterfall/<campaign>/dt=D/waterfall.{csv,json}}. Rules are checked against the inputs'
 * schemas before any data is read.
 */
public final class SegmentStage {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentStage.class);
  public static final StructType CONTACT_HISTORY = StructType.fromDDL(
      "customer_id string, campaign string, channel string, segment string, offer string, dt date");

  /** The waterfall of each campaign, in config order. */
  public record Report(Map<String, List<WaterfallReport.Step>> waterfalls) {
  }

  private SegmentStage() {
  }

  public static Report run(SparkSession spark, Settings settings, RunContext run) {
    SegmentationSettings segmentation = settings.segmentation();
    if (segmentation.campaigns().isEmpty()) {
      throw PipelineFailure.badConfig("audience.campaigns: no campaign to segment");
    }
    LocalDate date = run.runDate();
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), run.runId());
    FileSystem fs = publisher.fileSystem();
    try {
      Path profilePath = DatedPartitions.partition(layout.customerProfile(), UnifyStage.DT, date);
      Publisher.requirePublished(fs, profilePath, "segmentation", "the customer profile of " + date
          + " (run unify first)");
      Publisher.requirePublished(fs, layout.features(date), "segmentation", "the features as of " + date
          + " (run the features stage first)");
      List<String> targets = settings.models().targets().stream().map(TargetSpec::name).toList();
      Dataset<Row> scores;
      if (targets.isEmpty()) {
        scores = spark.createDataFrame(List.of(), StructType.fromDDL(
            "customer_id string, target string, probability double, decile int, reasons array<string>"));
      } else {
        Publisher.requirePublished(fs, layout.scores(date), "segmentation", "the scores as of " + date
            + " (run score first)");
        scores = spark.read().parquet(layout.scores(date).toString());
      }
      Dataset<Row> base = AudienceBase.build(spark.read().parquet(profilePath.toString()).drop(UnifyStage.DT),
          spark.read().parquet(layout.features(date).toString()), scores, targets,
          readOrEmpty(spark, fs, layout.contactHistory(), CONTACT_HISTORY),
          readOrEmpty(spark, fs, layout.erasureSuppression(), IdentityResolution.SUPPRESSION),
          settings.unify().salt(), segmentation, date);
      checkRules(base, segmentation);
      // Only the columns some campaign reads are cached: the base has every feature (~200 columns), the
      // rules a few dozen, and building and reading the cache was most of the stage (docs/PERFORMANCE.md).
      base = narrowed(spark, base, segmentation, settings.unify().salt());
      base.persist(StorageLevel.MEMORY_AND_DISK());
      Dataset<Row> assignments = null;
      for (Campaign campaign : segmentation.campaigns()) {
        Dataset<Row> assigned = CampaignWaterfall.assign(base, campaign, segmentation, settings.unify().salt());
        assignments = assignments == null ? assigned : assignments.unionByName(assigned);
      }
      Dataset<Row> resolved = Arbitration.resolve(assignments, segmentation.messagesPerNight())
          .withColumn("run_date", lit(java.sql.Date.valueOf(date)));
      Dataset<Row> withContent = withRecommendations(resolved, spark.read().parquet(
          layout.customerEvents().toString()), settings, date);

      Path staged = publisher.staging("segments");
      withContent.repartition(col("campaign")).sortWithinPartitions("campaign", "status", "segment", "segment_rank",
          "customer_id").write().mode(SaveMode.Overwrite).partitionBy("campaign").parquet(staged.toString());
      base.unpersist();

      Dataset<Row> written = spark.read().parquet(staged.toString());
      List<Row> counts = written.groupBy("campaign", "status", "step").count().collectAsList();
      Map<String, List<WaterfallReport.Step>> waterfalls = new LinkedHashMap<>();
      for (Campaign campaign : segmentation.campaigns()) {
        List<WaterfallReport.Step> steps = WaterfallReport.steps(campaign, counts);
        waterfalls.put(campaign.name(), steps);
        Path report = publisher.staging("waterfall/" + campaign.name());
        Documents.writeText(fs, new Path(report, "waterfall.csv"), WaterfallReport.csv(steps));
        Documents.writeText(fs, new Path(report, "waterfall.json"), WaterfallReport.json(campaign.name(), date, steps));
        publisher.replace(new Path(staged, "campaign=" + campaign.name()), layout.segments(campaign.name(), date));
        publisher.replace(report, layout.waterfall(campaign.name(), date));
        LOG.info("campaign {} on {}:\n{}", campaign.name(), date, WaterfallReport.table(steps));
      }
      return new Report(waterfalls);
    } finally {
      publisher.cleanUp();
    }
  }

  /**
   * Every rule of every campaign resolved against the audience base's schema (no data read): an unknown
   * column or a type error is exit 2 naming the campaign and the rule.
   */
  static void checkRules(Dataset<Row> base, SegmentationSettings settings) {
    Dataset<Row> empty = base.limit(0);
    List<String> problems = new ArrayList<>();
    for (Campaign campaign : settings.campaigns()) {
      String prefix = "audience.campaigns." + campaign.name();
      check(empty, prefix + ".universe", campaign.universe(), true, problems);
      for (int i = 0; i < campaign.suppressions().size(); i++) {
        Suppression s = campaign.suppressions().get(i);
        if (s.kind().equals(Suppression.RULE)) {
          check(empty, prefix + ".suppressions[" + i + "] (" + s.name() + ").when", s.when(), true, problems);
        }
      }
      for (int i = 0; i < campaign.segments().size(); i++) {
        Segment s = campaign.segments().get(i);
        check(empty, prefix + ".segments[" + i + "] (" + s.name() + ").when", s.when(), true, problems);
        check(empty, prefix + ".segments[" + i + "] (" + s.name() + ").rank-by", s.rankBy(), false, problems);
      }
    }
    for (SegmentationSettings.Channel channel : settings.channels().values()) {
      check(empty, "audience.segmentation.channels." + channel.name() + ".address", channel.address(), false,
          problems);
    }
    if (!problems.isEmpty()) {
      throw PipelineFailure.badConfig("campaign rules do not fit the audience base (its columns are the profile,"
          + " features, score_/decile_/reasons_<target>, recent_<channel>_messages, erased and the"
          + " definitions):\n  - " + String.join("\n  - ", problems));
    }
  }

  /**
   * The base with only the columns {@link #columnsRead} finds, once every campaign is known to plan over it
   * exactly as over the whole base (same output schema); otherwise, which would be a bug here, the whole base
   * with a warning, so the night still runs.
   */
  static Dataset<Row> narrowed(SparkSession spark, Dataset<Row> base, SegmentationSettings settings, String salt) {
    List<String> read = columnsRead(spark, base, settings, salt);
    Dataset<Row> narrow = base.select(read.stream().map(c -> col("`" + c.replace("`", "``") + "`"))
        .toArray(Column[]::new));
    try {
      Dataset<Row> wholeStandIn = spark.createDataFrame(List.of(), base.schema());
      Dataset<Row> narrowStandIn = spark.createDataFrame(List.of(), narrow.schema());
      for (Campaign campaign : settings.campaigns()) {
        StructType whole = CampaignWaterfall.assign(wholeStandIn, campaign, settings, salt).schema();
        StructType fromNarrow = CampaignWaterfall.assign(narrowStandIn, campaign, settings, salt).schema();
        if (!whole.equals(fromNarrow)) {
          throw new IllegalStateException("campaign " + campaign.name() + " plans to " + fromNarrow.simpleString()
              + " over the narrowed base, " + whole.simpleString() + " over the whole base");
        }
      }
      return narrow;
    } catch (RuntimeException e) {
      LOG.warn("segment: caching the whole audience base; narrowing it to the {} columns the campaigns read failed: {}",
          read.size(), e.getMessage());
      return base;
    }
  }

  /**
   * The base's columns that the campaigns' waterfalls read, in base order: every column of a stand-in with
   * the base's schema and no rows that an expression of a campaign's analysed plan references (rules,
   * rank-by, channel addresses, and the waterfall's own columns), or that the plan outputs. Columns a
   * projection only passes along do not count. Analysed, not optimised, so a rule the optimiser would fold
   * away (a universe of {@code false}, a segment after one that is always true) still counts; matched by
   * Spark's attribute ids, so a rule may spell a name in another case.
   */
  static List<String> columnsRead(SparkSession spark, Dataset<Row> base, SegmentationSettings settings,
      String salt) {
    Dataset<Row> standIn = spark.createDataFrame(List.of(), base.schema());
    List<Attribute> columns = CollectionConverters.asJava(standIn.queryExecution().analyzed().output());
    Set<ExprId> read = new HashSet<>();
    for (Campaign campaign : settings.campaigns()) {
      LogicalPlan plan = CampaignWaterfall.assign(standIn, campaign, settings, salt).queryExecution().analyzed();
      CollectionConverters.asJava(plan.output()).forEach(attribute -> read.add(attribute.exprId()));
      plan.foreach(node -> {
        for (Expression expression : CollectionConverters.asJava(node.expressions())) {
          // The stand-in (a leaf) lists every column among its expressions.
          if (!node.children().isEmpty() && !(node instanceof Project && expression instanceof Attribute)) {
            CollectionConverters.asJava(expression.references().toSeq()).forEach(a -> read.add(a.exprId()));
          }
        }
        return BoxedUnit.UNIT;
      });
    }
    return columns.stream().filter(a -> read.contains(a.exprId())).map(Attribute::name).toList();
  }

  private static void check(Dataset<Row> empty, String key, String sql, boolean predicate, List<String> problems) {
    try {
      Dataset<Row> analysed = predicate ? empty.where(expr(sql)) : empty.select(expr(sql).cast("double"));
      analysed.schema();
    } catch (Exception e) {
      // AnalysisException is checked in Scala's sense only; Spark throws it from Java calls regardless.
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      int newline = message.indexOf('\n');
      problems.add(key + ": " + (newline < 0 ? message : message.substring(0, newline)) + " in \"" + sql + "\"");
    }
  }

  private static Dataset<Row> withRecommendations(Dataset<Row> resolved, Dataset<Row> events, Settings settings,
      LocalDate date) {
    SegmentationSettings.Recommendations r = settings.segmentation().recommendations();
    Dataset<Row> wanted = resolved.where(col("status").isin(Arbitration.EXPORTED, Arbitration.HOLDOUT)
            .and(col("recommend_category").isNotNull()))
        .select(col("campaign"), col("customer_id"),
            when(col("recommend_category").equalTo("any"), lit(null)).otherwise(col("recommend_category"))
                .as("category"));
    Dataset<Row> recommended = Recommendations.recommend(events, wanted, date, new Recommendations.Settings(
        settings.features().purchaseEventTypes(), r.lookbackDays(), r.perCustomer(), r.maxItemsPerCustomer(),
        r.minPairCustomers())).select("campaign", "customer_id", Recommendations.RECOMMENDATIONS);
    return resolved.join(recommended, new String[] {"campaign", "customer_id"}, "left");
  }

  private static Dataset<Row> readOrEmpty(SparkSession spark, FileSystem fs, Path path, StructType schema) {
    try {
      if (fs.exists(path) && fs.listStatus(path).length > 0) {
        return spark.read().parquet(path.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    return spark.createDataFrame(List.of(), schema);
  }
}
