package io.audiencepipeline.modeling;

import static org.apache.spark.sql.functions.col;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.models.registry.ModelRegistry;
import io.audiencepipeline.models.scoring.Scorer;
import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.run.RunContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Score: every target's champion applied to {@code gold/features/as_of=D} ->
 * {@code gold/scores/as_of=D/} (customer_id, target, probability, decile, model_version, reasons).
 */
public final class ScoreStage {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreStage.class);

  /** Rows written and the version used per target. */
  public record Report(long rows, Map<String, String> versions) {
  }

  private ScoreStage() {
  }

  public static Report run(SparkSession spark, Settings settings, RunContext run) {
    LocalDate asOf = run.runDate();
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), run.runId());
    ModelRegistry registry = new ModelRegistry(publisher.fileSystem(), layout.models());
    try {
      if (settings.models().targets().isEmpty()) {
        throw PipelineFailure.badConfig("audience.models.targets: no target to score");
      }
      Path featuresPath = layout.features(asOf);
      Publisher.requirePublished(publisher.fileSystem(), featuresPath, "scoring",
          "the features as of " + asOf + " (run the features stage first)");
      Dataset<Row> features = spark.read().parquet(featuresPath.toString());
      Set<String> available = Set.of(features.columns());
      Map<String, String> versions = new LinkedHashMap<>();
      List<Dataset<Row>> scored = new ArrayList<>();
      for (TargetSpec target : settings.models().targets()) {
        ModelRegistry.Loaded champion;
        try {
          champion = registry.loadChampion(target.name());
        } catch (IllegalStateException e) {
          throw PipelineFailure.inputRejected(e.getMessage(), e);
        }
        List<String> missing = champion.metadata().featureColumns().stream().filter(c -> !available.contains(c))
            .toList();
        if (!missing.isEmpty()) {
          throw PipelineFailure.inputRejected("champion " + champion.versionName() + " of target " + target.name()
              + " needs features that " + featuresPath + " does not have: " + missing
              + " (the feature definitions changed: run 'train' for this target)");
        }
        versions.put(target.name(), champion.versionName());
        scored.add(Scorer.score(features, champion.model(), champion.metadata().calibration(),
            champion.metadata().explanation(), target.name(), champion.versionName()));
      }
      Dataset<Row> all = scored.stream().reduce(Dataset::unionByName).orElseThrow();
      Path staged = publisher.staging("scores/as_of=" + asOf);
      all.repartition(col("target")).sortWithinPartitions("target", "customer_id").write().mode(SaveMode.Overwrite)
          .parquet(staged.toString());
      long rows = spark.read().parquet(staged.toString()).count();
      publisher.replace(staged, layout.scores(asOf));
      LOG.info("scores as of {}: {} rows, champions {}", asOf, rows, versions);
      return new Report(rows, versions);
    } finally {
      publisher.cleanUp();
    }
  }
}
