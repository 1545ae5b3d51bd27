package io.audiencepipeline.cli;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SettingsLoader;
import io.audiencepipeline.export.ExportStage;
import io.audiencepipeline.features.FeaturesStage;
import io.audiencepipeline.generate.GenerationSummary;
import io.audiencepipeline.generate.GeneratorSettings;
import io.audiencepipeline.generate.SampleDataGenerator;
import io.audiencepipeline.ingest.IngestReport;
import io.audiencepipeline.ingest.IngestStage;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.modeling.ModelEvaluation;
import io.audiencepipeline.modeling.ScoreStage;
import io.audiencepipeline.modeling.TrainStage;
import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.report.RunLog;
import io.audiencepipeline.report.RunReport;
import io.audiencepipeline.report.StageRecords;
import io.audiencepipeline.run.ExitCode;
import io.audiencepipeline.segmentation.SegmentStage;
import io.audiencepipeline.segmentation.WaterfallReport;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.run.RunContext;
import io.audiencepipeline.unify.IdentityEvaluation;
import io.audiencepipeline.unify.UnifyReport;
import io.audiencepipeline.unify.UnifyStage;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point: {@code audience-pipeline <command> --run-date D}. Parses arguments, loads and
 * validates settings before Spark starts, runs the command, stops Spark, maps failures to exit codes.
 */
public final class AudiencePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(AudiencePipeline.class);
  /** The stages of a night, in the order {@code nightly} runs them (the Airflow DAG runs the same). */
  public static final List<String> NIGHTLY_STAGES = List.of("ingest", "unify", "features", "train", "score",
      "segment", "export");

  private AudiencePipeline() {
  }

  public static void main(String[] args) {
    ProgressListener progress = new ProgressListener(30);
    int exit = execute(args, sparkDefaults -> {
      SparkSession spark = SparkSessions.create("audience-pipeline", sparkDefaults);
      spark.sparkContext().addSparkListener(progress);
      return spark;
    }, true);
    progress.logTotals();
    System.exit(exit);
  }

  /**
   * Runs a command and returns its exit code. {@code sparkFactory} builds the session from the
   * configured Spark defaults once settings are valid; {@code stopSpark} is false when the caller
   * owns the session (tests).
   */
  public static int execute(String[] args, Function<Map<String, String>, SparkSession> sparkFactory,
      boolean stopSpark) {
    SparkSession spark = null;
    try {
      CommandLine commandLine = CommandLine.parse(args);
      if (commandLine.command().equals("generate")) {
        GeneratorSettings generator = generatorSettings(commandLine);
        spark = sparkFactory.apply(SettingsLoader.sparkDefaults(commandLine.configFiles(),
            commandLine.overrides()));
        SparkSession session = spark;
        timed("generate", () -> {
          GenerationSummary summary = SampleDataGenerator.run(session, generator);
          return String.format(Locale.ROOT, "%,d people, %,d rows in %d feeds written to %s",
              generator.people(), summary.totalRows(), summary.rowsPerFeed().size(), generator.outputPath());
        });
        return ExitCode.OK.code();
      }
      Settings settings = SettingsLoader.load(commandLine.configFiles(), commandLine.overrides());
      switch (commandLine.command()) {
        case "validate-config" -> {
          commandLine.allowOnly();
          LOG.info("configuration is valid: {} sources, fingerprint {}", settings.sources().size(),
              settings.fingerprint().substring(0, 12));
          return ExitCode.OK.code();
        }
        case "ingest", "unify", "features", "score", "segment", "export", "nightly" -> {
          boolean gated = commandLine.command().equals("export") || commandLine.command().equals("nightly");
          if (gated) {
            commandLine.allowOnly("allow-size-change");
          } else {
            commandLine.allowOnly();
          }
          LocalDate runDate = commandLine.requireRunDate();
          RunContext run = new RunContext(runDate, newRunId(), commandLine.from().orElse(runDate));
          spark = sparkFactory.apply(settings.spark());
          runStages(spark, settings, run, commandLine.command(),
              commandLine.options().containsKey("allow-size-change"));
        }
        case "train" -> {
          commandLine.allowOnly("target", "if-stale");
          LocalDate runDate = commandLine.requireRunDate();
          String only = commandLine.options().get("target");
          boolean ifStale = commandLine.options().containsKey("if-stale");
          if (only != null && settings.models().target(only).isEmpty()) {
            throw PipelineFailure.badConfig("--target " + only + ": not one of the configured targets "
                + settings.models().targets().stream().map(TargetSpec::name).toList());
          }
          if (settings.models().targets().isEmpty() && !ifStale) {
            throw PipelineFailure.badConfig("audience.models.targets: no target to train");
          }
          RunContext run = new RunContext(runDate, newRunId(), runDate);
          spark = sparkFactory.apply(settings.spark());
          SparkSession session = spark;
          RunLog log = new RunLog("train");
          int exit = ExitCode.FAILED.code();
          try {
            forgetRecords(session, settings, runDate, "train");
            Publisher.recoverAndClean(new WarehouseLayout(settings.warehouse()),
                session.sparkContext().hadoopConfiguration());
            java.util.function.Predicate<TargetSpec> stale = ifStale ? TrainStage.stale(session, settings, runDate)
                : t -> true;
            java.util.function.Predicate<TargetSpec> chosen = t -> (only == null || t.name().equals(only))
                && stale.test(t);
            if (settings.models().targets().isEmpty()) {
              log.stage("train", "skipped", 0, "no targets configured (audience.models.targets)", null);
            } else if (settings.models().targets().stream().noneMatch(chosen)) {
              String why = "every champion is fresh (audience.models.retrain-after-days); nothing to train";
              LOG.info("train: {}", why);
              log.stage("train", "skipped", 0, why, null);
            } else {
              timed(log, "train", () -> {
                List<TrainStage.Outcome> outcomes = TrainStage.run(session, settings, run, chosen);
                log.trained(outcomes);
                return describe(outcomes);
              });
            }
            exit = ExitCode.OK.code();
          } catch (Exception | Error e) {
            exit = exitCode(e);
            throw e;
          } finally {
            keepRecord(session, settings, run, log, exit);
          }
        }
        case "report" -> {
          commandLine.allowOnly();
          LocalDate runDate = commandLine.requireRunDate();
          spark = sparkFactory.apply(settings.spark());
          return report(spark, settings, runDate);
        }
        case "evaluate-models" -> {
          commandLine.allowOnly("truth");
          LocalDate runDate = commandLine.requireRunDate();
          String truth = commandLine.requireOption("truth");
          spark = sparkFactory.apply(settings.spark());
          LOG.info("models as of {} against {}:\n{}", runDate, truth,
              ModelEvaluation.describe(ModelEvaluation.evaluate(spark, settings, runDate, truth)));
        }
        case "floor" -> {
          commandLine.allowOnly("scratch");
          LocalDate runDate = commandLine.requireRunDate();
          String scratch = commandLine.requireOption("scratch");
          spark = sparkFactory.apply(settings.spark());
          SparkSession session = spark;
          timed("floor", () -> io.audiencepipeline.bench.Floor.run(session, settings, runDate, scratch).describe());
        }
        case "evaluate-identity" -> {
          commandLine.allowOnly("truth");
          LocalDate runDate = commandLine.requireRunDate();
          String truth = commandLine.requireOption("truth");
          spark = sparkFactory.apply(settings.spark());
          IdentityEvaluation.Metrics metrics = IdentityEvaluation.evaluate(spark, settings, runDate, truth);
          LOG.info("identity resolution for {} against {}:\n{}", runDate, truth, metrics.describe());
        }
        default -> throw CommandLine.usage("unknown command '" + commandLine.command() + "'");
      }
      return ExitCode.OK.code();
    } catch (PipelineFailure e) {
      LOG.error("{} (exit {})", e.getMessage(), e.exitCode().code());
      if (e.getCause() != null) {
        LOG.debug("cause", e.getCause());
      }
      return e.exitCode().code();
    } catch (Exception | Error e) {
      // Spark throws checked exceptions (AnalysisException) from Scala code, so catch Exception.
      Optional<String> unreadable = unreadableFile(e);
      if (unreadable.isPresent()) {
        LOG.error("{} (exit {})", unreadable.get(), ExitCode.INPUT_REJECTED.code());
        LOG.debug("cause", e);
        return ExitCode.INPUT_REJECTED.code();
      }
      LOG.error("run failed: {}", e.toString(), e);
      return ExitCode.FAILED.code();
    } finally {
      if (spark != null && stopSpark) {
        spark.stop();
      }
    }
  }

  /**
   * An input file Spark cannot read (FAILED_READ_FILE / CANNOT_READ_FILE_FOOTER anywhere in the cause chain:
   * corrupt, truncated or malformed) is rejected input, exit 3, named with the file, not a crash with a stack
   * trace.
   */
  static Optional<String> unreadableFile(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.spark.SparkThrowable spark && spark.getCondition() != null
          && (spark.getCondition().startsWith("FAILED_READ_FILE")
              || spark.getCondition().startsWith("CANNOT_READ_FILE_FOOTER"))) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
          root = root.getCause();
        }
        String message = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
        return Optional.of("an input file cannot be read (corrupt, truncated or malformed): " + message + " ("
            + root + "). Re-deliver it if it is landing data, or re-run the stage that wrote it");
      }
    }
    return Optional.empty();
  }

  private static void runStages(SparkSession spark, Settings settings, RunContext run, String command,
      boolean allowSizeChange) {
    LOG.info("{} for run date {} (run {}), landing dates {}..{}, warehouse {}", command, run.runDate(),
        run.runId(), run.backfillFrom(), run.runDate(), settings.warehouse());
    RunLog log = new RunLog(command);
    int exit = ExitCode.FAILED.code();
    try {
      forgetRecords(spark, settings, run.runDate(), command);
      Publisher.recoverAndClean(new WarehouseLayout(settings.warehouse()),
          spark.sparkContext().hadoopConfiguration());
      stages(spark, settings, run, command, allowSizeChange, log);
      exit = ExitCode.OK.code();
    } catch (Exception | Error e) {
      exit = exitCode(e);
      throw e;
    } finally {
      if (command.equals("nightly")) {
        // Also after a failure: the report says which stage failed and what the others did.
        try {
          Path report = RunReport.write(spark, settings, run, log, exit);
          LOG.info("run report: {}/{} and {}", report, RunReport.HTML_FILE, RunReport.JSON_FILE);
        } catch (Exception e) {
          // Never let the report hide the run's own outcome.
          LOG.warn("could not write the run report: {}", e.toString());
        }
      } else {
        keepRecord(spark, settings, run, log, exit);
      }
    }
  }

  /**
   * The exit code a failure maps to. Spark's checked exceptions (SparkException, AnalysisException) arrive as
   * well, whatever Java declares.
   */
  private static int exitCode(Throwable e) {
    if (e instanceof PipelineFailure failure) {
      return failure.exitCode().code();
    }
    return unreadableFile(e).isPresent() ? ExitCode.INPUT_REJECTED.code() : ExitCode.FAILED.code();
  }

  /**
   * Before a stage runs on its own, the records of it and of later stages go (they describe an earlier attempt);
   * before {@code nightly}, all of them (it writes its own report).
   */
  private static void forgetRecords(SparkSession spark, Settings settings, LocalDate runDate, String command) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    org.apache.hadoop.fs.FileSystem fs = layout.fileSystem(spark.sparkContext().hadoopConfiguration());
    if (command.equals("nightly")) {
      StageRecords.clearAll(fs, layout, runDate);
    } else {
      StageRecords.clearFrom(fs, layout, runDate, command, NIGHTLY_STAGES);
    }
  }

  /**
   * A stage run on its own leaves its part of the night for {@code report} (also after a failure); like the
   * report, the record can never hide the stage's own outcome.
   */
  private static void keepRecord(SparkSession spark, Settings settings, RunContext run, RunLog log, int exit) {
    try {
      WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
      StageRecords.write(layout.fileSystem(spark.sparkContext().hadoopConfiguration()), layout, run.runDate(),
          log.record(run.runId(), exit));
    } catch (Exception e) {
      LOG.warn("could not keep this stage's record for the run report: {}", e.toString());
    }
  }

  /**
   * {@code report}: the run report of a night whose stages ran as separate commands, assembled from their
   * records. Returns the night's exit code (the first stage, in nightly order, that did not succeed), so a
   * scheduler's last task fails when the night did.
   */
  private static int report(SparkSession spark, Settings settings, LocalDate runDate) {
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    org.apache.hadoop.fs.FileSystem fs = layout.fileSystem(spark.sparkContext().hadoopConfiguration());
    List<RunLog.Record> records = StageRecords.read(fs, layout, runDate, NIGHTLY_STAGES);
    if (records.isEmpty()) {
      throw PipelineFailure.badConfig("report: no stage records for " + runDate + " under "
          + layout.stageRecords(runDate) + "; every stage run on its own leaves one (nightly writes its own "
          + "report)");
    }
    boolean missing = !records.stream().map(RunLog.Record::command).toList().containsAll(NIGHTLY_STAGES);
    // A stage without a record did not run, or died before it could leave one (a killed driver): not a success.
    int exit = records.stream().mapToInt(RunLog.Record::exitCode).filter(c -> c != 0).findFirst()
        .orElse(missing ? ExitCode.FAILED.code() : ExitCode.OK.code());
    RunLog log = RunLog.assemble("stages " + String.join(",", records.stream().map(RunLog.Record::command)
        .toList()), records, NIGHTLY_STAGES);
    RunContext run = new RunContext(runDate, newRunId(), runDate);
    Path report = RunReport.write(spark, settings, run, log, exit);
    LOG.info("run report of {} stage(s) ({}): {}/{} and {}", records.size(), exit == 0 ? "the night succeeded"
        : "the night's exit code is " + exit, report, RunReport.HTML_FILE, RunReport.JSON_FILE);
    return exit;
  }

  private static void stages(SparkSession spark, Settings settings, RunContext run, String command,
      boolean allowSizeChange, RunLog log) {
    boolean all = command.equals("nightly");
    if (all || command.equals("ingest")) {
      timed(log, "ingest", () -> {
        IngestReport report = IngestStage.run(spark, settings, run);
        log.ingested(report);
        return String.format(Locale.ROOT, "%,d rows in", report.counts().stream().mapToLong(c -> c.rowsIn()).sum());
      });
    }
    if (all || command.equals("unify")) {
      timed(log, "unify", () -> {
        UnifyReport report = UnifyStage.run(spark, settings, run);
        log.unified(report);
        return String.format(Locale.ROOT, "%,d customers, %,d timeline events", report.customers(),
            report.events());
      });
    }
    if (all || command.equals("features")) {
      timed(log, "features", () -> {
        FeaturesStage.Report report = FeaturesStage.run(spark, settings, run);
        return String.format(Locale.ROOT, "%,d customers x %d features, %,d built from their events (%s)",
            report.customers(), report.features(), report.built(), report.how());
      });
    }
    if (all && !settings.models().targets().isEmpty()) {
      java.util.function.Predicate<TargetSpec> stale = TrainStage.stale(spark, settings, run.runDate());
      List<TargetSpec> due = settings.models().targets().stream().filter(stale).toList();
      if (due.isEmpty()) {
        log.stage("train", "skipped", 0, "every champion is fresh (audience.models.retrain-after-days)", null);
      } else {
        timed(log, "train", () -> {
          List<TrainStage.Outcome> outcomes = TrainStage.run(spark, settings, run, due::contains);
          log.trained(outcomes);
          return describe(outcomes);
        });
      }
    }
    if ((all && !settings.models().targets().isEmpty()) || command.equals("score")) {
      timed(log, "score", () -> {
        ScoreStage.Report report = ScoreStage.run(spark, settings, run);
        return String.format(Locale.ROOT, "%,d scores, champions %s", report.rows(), report.versions());
      });
    }
    if ((all && !settings.segmentation().campaigns().isEmpty()) || command.equals("segment")) {
      timed(log, "segment", () -> {
        SegmentStage.Report report = SegmentStage.run(spark, settings, run);
        log.segmented(report);
        StringBuilder text = new StringBuilder();
        report.waterfalls().forEach((campaign, steps) -> text.append(String.format(Locale.ROOT,
            "%n campaign %s: %,d exported%n%s", campaign, steps.get(steps.size() - 1).remaining(),
            WaterfallReport.table(steps))));
        return report.waterfalls().size() + " campaign(s)" + text;
      });
    }
    boolean exporting = settings.segmentation().campaigns().stream().anyMatch(c -> !c.destinations().isEmpty());
    if ((all && exporting) || command.equals("export")) {
      timed(log, "export", () -> {
        ExportStage.Report report = ExportStage.run(spark, settings, run, allowSizeChange);
        log.exported(report);
        String summary = String.format(Locale.ROOT, "%d campaign(s), %,d contact history rows",
            report.campaigns().size(), report.contactHistoryRows()) + report.describe();
        Optional<PipelineFailure> held = report.held();
        if (held.isPresent()) {
          LOG.info("export on {}: {}", run.runDate(), summary);
          throw held.get();
        }
        return summary;
      });
    }
  }

  private static String describe(List<TrainStage.Outcome> outcomes) {
    StringBuilder text = new StringBuilder();
    for (TrainStage.Outcome o : outcomes) {
      text.append(String.format(Locale.ROOT, "%n  %s v%d %s: %s; %s", o.target(), o.version(), o.algorithm(),
          o.metrics().summary(), o.reason()));
    }
    return outcomes.size() + " target(s) trained" + text;
  }

  /** A command outside a run report (generate, train on its own). */
  private static void timed(String stage, java.util.function.Supplier<String> body) {
    timed(new RunLog(stage), stage, body);
  }

  /** Runs a stage with start and finish lines in the log, and records its outcome for the run report. */
  private static void timed(RunLog log, String stage, java.util.function.Supplier<String> body) {
    long started = System.nanoTime();
    LOG.info("stage {} started", stage);
    String summary;
    try {
      summary = body.get();
    } catch (Exception | Error e) {
      // Spark's checked exceptions (SparkException, AnalysisException) arrive here too, whatever Java declares.
      double seconds = (System.nanoTime() - started) / 1e9;
      boolean held = e instanceof PipelineFailure f && f.exitCode() == ExitCode.HELD_BY_QUALITY_GATE;
      log.stage(stage, held ? "held" : "failed", round(seconds), null, reportable(e));
      throw e;
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    log.stage(stage, "ok", round(seconds), summary, null);
    LOG.info(String.format(Locale.ROOT, "stage %s finished in %.1f s: %s", stage, seconds, summary));
  }

  /**
   * What the run report may say of a failure: our own messages (they name keys, files and counts, never
   * customers), otherwise only Spark's error condition or the exception's class, because Spark's messages can
   * quote data values (e.g. CAST_INVALID_INPUT). The full message stays in the log.
   */
  static String reportable(Throwable e) {
    if (e instanceof PipelineFailure) {
      return e.getMessage();
    }
    Optional<String> unreadable = unreadableFile(e);
    if (unreadable.isPresent()) {
      return "an input file cannot be read (corrupt, truncated or malformed); see the log for the file";
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.spark.SparkThrowable spark && spark.getCondition() != null) {
        return e.getClass().getSimpleName() + " " + spark.getCondition() + "; see the log";
      }
    }
    return e.getClass().getName() + "; see the log";
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }

  private static GeneratorSettings generatorSettings(CommandLine commandLine) {
    commandLine.allowOnly("people", "seed", "end-date", "days", "out");
    try {
      return new GeneratorSettings(commandLine.longOption("people", 2500), commandLine.longOption("seed", 42),
          commandLine.dateOption("end-date"), (int) commandLine.longOption("days", 90),
          commandLine.requireOption("out"));
    } catch (IllegalArgumentException e) {
      throw PipelineFailure.badConfig(e.getMessage());
    }
  }

  static String newRunId() {
    return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
        + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
