package io.audiencepipeline.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.io.Documents;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.models.registry.ModelMetadata;
import io.audiencepipeline.models.registry.ModelRegistry;
import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.run.CodeVersion;
import io.audiencepipeline.run.RunContext;
import io.audiencepipeline.segmentation.Arbitration;
import io.audiencepipeline.segmentation.WaterfallReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run report of a nightly run: {@code reports/dt=D/run.json} and {@code report.html} (one self-contained
 * page, see {@link ReportHtml}), published atomically like every other output. Written at the end of the
 * run whether it succeeded or not, from what the stages reported plus small reads of tonight's published
 * outputs (score histogram, model registry, earlier nights' reports).
 */
public final class RunReport {
  private static final Logger LOG = LoggerFactory.getLogger(RunReport.class);
  public static final String JSON_FILE = "run.json";
  public static final String HTML_FILE = "report.html";
  /** Earlier nights shown next to tonight's audience sizes. */
  static final int HISTORY_NIGHTS = 14;
  private static final int SCORE_BINS = 20;

  private RunReport() {
  }

  /**
   * Builds and publishes the report; returns where it went.
   *
   * @param exitCode the run's exit code (0 ok, 4 held, anything else failed)
   */
  public static Path write(SparkSession spark, Settings settings, RunContext run, RunLog log, int exitCode) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), run.runId() + "-report");
    FileSystem fs = publisher.fileSystem();
    try {
      RunSummary summary = summarise(spark, fs, settings, run, log, exitCode, layout);
      Path staged = publisher.staging("report");
      Documents.writeJson(fs, new Path(staged, JSON_FILE), summary);
      Documents.writeText(fs, new Path(staged, HTML_FILE), ReportHtml.render(summary));
      Path target = layout.report(run.runDate());
      publisher.replace(staged, target);
      return target;
    } finally {
      publisher.cleanUp();
    }
  }

  public static RunSummary read(FileSystem fs, Path folder) {
    return Documents.readJson(fs, new Path(folder, JSON_FILE), RunSummary.class);
  }

  static RunSummary summarise(SparkSession spark, FileSystem fs, Settings settings, RunContext run, RunLog log,
      int exitCode, WarehouseLayout layout) {
    Instant finished = Instant.now();
    String status = exitCode == 0 ? "ok" : exitCode == 4 ? "held" : "failed";
    return new RunSummary(RunSummary.VERSION, run.runId(), run.runDate().toString(), log.command(), status, exitCode,
        log.started().truncatedTo(ChronoUnit.SECONDS).toString(), finished.truncatedTo(ChronoUnit.SECONDS).toString(),
        Math.round((finished.toEpochMilli() - log.started().toEpochMilli()) / 100.0) / 10.0, CodeVersion.get(),
        settings.fingerprint(), log.stages(), log.dataQuality(), log.identity(),
        models(fs, settings, layout, log, run.runDate().toString()),
        scores(spark, fs, layout, run.runDate()), campaigns(fs, layout, log, run.runDate()));
  }

  private static List<RunSummary.Model> models(FileSystem fs, Settings settings, WarehouseLayout layout, RunLog log,
      String runDate) {
    ModelRegistry registry = new ModelRegistry(fs, layout.models());
    List<RunSummary.Model> models = new ArrayList<>();
    for (TargetSpec target : settings.models().targets()) {
      Optional<Integer> champion = registry.champion(target.name());
      if (champion.isEmpty()) {
        continue;
      }
      int version = champion.get();
      ModelMetadata metadata = registry.metadata(target.name(), version);
      // Also a version trained for this date by an earlier attempt (a retried train finds it fresh and skips).
      boolean tonight = log.trainedTonight(target.name(), version) || runDate.equals(metadata.trainedFor());
      models.add(new RunSummary.Model(target.name(), "v" + version, tonight, metadata.algorithm(),
          metadata.trainedFor(), registry.metrics(target.name(), version)));
    }
    return models;
  }

  /** Customers per probability bin per target; a tiny aggregate of tonight's scores. */
  private static List<RunSummary.ScoreHistogram> scores(SparkSession spark, FileSystem fs, WarehouseLayout layout,
      LocalDate date) {
    Path path = layout.scores(date);
    if (!Publisher.isPublished(fs, path)) {
      return List.of();
    }
    Map<String, long[]> counts = new TreeMap<>();
    for (Row row : spark.read().parquet(path.toString())
        .select(col("target"), least(floor(col("probability").multiply(SCORE_BINS)), lit(SCORE_BINS - 1)).as("bin"))
        .groupBy("target", "bin").count().collectAsList()) {
      counts.computeIfAbsent(row.getString(0), k -> new long[SCORE_BINS])[(int) row.getLong(1)] = row.getLong(2);
    }
    List<RunSummary.ScoreHistogram> histograms = new ArrayList<>();
    counts.forEach((target, bins) -> {
      List<RunSummary.Bin> list = new ArrayList<>();
      for (int i = 0; i < SCORE_BINS; i++) {
        list.add(new RunSummary.Bin(i / (double) SCORE_BINS, (i + 1) / (double) SCORE_BINS, bins[i]));
      }
      histograms.add(new RunSummary.ScoreHistogram(target, list));
    });
    return histograms;
  }

  private static List<RunSummary.Campaign> campaigns(FileSystem fs, WarehouseLayout layout, RunLog log,
      LocalDate date) {
    if (log.waterfalls().isEmpty()) {
      return List.of();
    }
    Map<String, List<RunSummary.Night>> history = history(fs, layout, date);
    List<RunSummary.Campaign> campaigns = new ArrayList<>();
    log.waterfalls().forEach((campaign, steps) -> {
      long selected = steps.get(steps.size() - 1).remaining();
      long holdout = steps.stream().filter(s -> s.name().equals(Arbitration.HOLDOUT))
          .mapToLong(WaterfallReport.Step::taken)
          .sum();
      RunLog.CampaignExport outcome = log.exports().get(campaign);
      List<RunSummary.Published> published = outcome == null ? List.of() : outcome.published();
      List<RunSummary.Night> nights = new ArrayList<>(history.getOrDefault(campaign, List.of()));
      nights.add(new RunSummary.Night(date.toString(), selected));
      campaigns.add(new RunSummary.Campaign(campaign, steps,
          outcome == null ? null : outcome.qualityGate(), outcome == null ? null : outcome.gateReason(), selected,
          holdout, published, nights));
    });
    return campaigns;
  }

  /** Each campaign's exported audience in the reports of the {@value #HISTORY_NIGHTS} nights before {@code date}. */
  private static Map<String, List<RunSummary.Night>> history(FileSystem fs, WarehouseLayout layout, LocalDate date) {
    Map<String, List<RunSummary.Night>> history = new LinkedHashMap<>();
    for (int back = HISTORY_NIGHTS; back >= 1; back--) {
      LocalDate night = date.minusDays(back);
      Path folder = layout.report(night);
      try {
        if (!fs.exists(new Path(folder, JSON_FILE))) {
          continue;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + folder, e);
      }
      try {
        for (RunSummary.Campaign c : read(fs, folder).campaigns()) {
          history.computeIfAbsent(c.campaign(), k -> new ArrayList<>())
              .add(new RunSummary.Night(night.toString(), c.exported()));
        }
      } catch (UncheckedIOException e) {
        LOG.warn("skipping an unreadable earlier report {}: {}", folder, e.getMessage());
      }
    }
    return history;
  }
}
