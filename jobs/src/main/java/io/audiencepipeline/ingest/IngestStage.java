package io.audiencepipeline.ingest;

import static org.apache.spark.sql.functions.col;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.run.RunContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest: every configured source's landing partitions for the run (the run date, or a backfill
 * range) become {@code bronze/<source>/dt=D/} and {@code quarantine/<source>/dt=D/}. All sources are
 * staged and checked before anything is published: one rejected source publishes no bronze at all.
 */
public final class IngestStage {
  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);

  private IngestStage() {
  }

  public static IngestReport run(SparkSession spark, Settings settings, RunContext run) {
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    LandingZone landing = new LandingZone(settings.landing(), hadoopConf);
    Publisher publisher = new Publisher(layout, hadoopConf, run.runId());

    List<SourceCounts> counts = new ArrayList<>();
    List<String> rejections = new ArrayList<>();
    List<StagedSource> staged = new ArrayList<>();
    try {
      for (SourceSpec source : settings.sources()) {
        long started = System.nanoTime();
        List<LocalDate> dates = landing.landedDates(source, run.backfillFrom(), run.runDate());
        if (source.required() && !dates.contains(run.runDate())) {
          rejections.add("required source '" + source.name() + "' has no landing partition dt="
              + run.runDate() + " under " + landing.sourceFolder(source));
          continue;
        }
        if (dates.isEmpty()) {
          LOG.info("ingest {}: nothing landed between {} and {}", source.name(), run.backfillFrom(),
              run.runDate());
          continue;
        }
        StagedSource result = stage(spark, settings, run, source, landing, dates, publisher);
        staged.add(result);
        counts.addAll(result.counts());
        rejections.addAll(check(source, result.counts(), run.runDate(),
            settings.ingest().badRowRateMinRows()));
        log(source, result.counts(), started);
      }
      for (StagedSource result : staged) {
        for (LocalDate date : result.dates()) {
          publisher.replace(partition(result.quarantine(), date), layout.quarantine(result.source(), date));
        }
      }
      if (!rejections.isEmpty()) {
        throw PipelineFailure.inputRejected("ingest rejected the input for " + run.runDate()
            + "; no bronze data was published:\n  - " + String.join("\n  - ", rejections));
      }
      for (StagedSource result : staged) {
        for (LocalDate date : result.dates()) {
          publisher.replace(partition(result.bronze(), date), layout.bronze(result.source(), date));
        }
      }
      return new IngestReport(List.copyOf(counts), List.of());
    } finally {
      publisher.cleanUp();
    }
  }

  private record StagedSource(String source, List<LocalDate> dates, Path bronze, Path quarantine,
      List<SourceCounts> counts) {
  }

  private static StagedSource stage(SparkSession spark, Settings settings, RunContext run,
      SourceSpec source, LandingZone landing, List<LocalDate> dates, Publisher publisher) {
    List<String> paths = dates.stream().map(d -> landing.partition(source, d).toString()).toList();
    Path bronze = publisher.staging("ingest/bronze/" + source.name());
    Path quarantine = publisher.staging("ingest/quarantine/" + source.name());
    Dataset<Row> validated = new SourceValidator(source, settings.identifiers(), settings.ingest(),
        run.runDate()).validate(SourceReader.read(spark, source, paths));
    // Both outputs come from one parse of the input.
    validated.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> good = SourceValidator.good(validated);
      Dataset<Row> bad = SourceValidator.bad(validated);
      write(good, bronze);
      write(bad, quarantine);
      Map<LocalDate, Long> goodCounts = countByDate(spark, bronze, good.schema());
      Map<LocalDate, Long> badCounts = countByDate(spark, quarantine, bad.schema());
      List<SourceCounts> counts = dates.stream().map(date -> new SourceCounts(source.name(), date,
          goodCounts.getOrDefault(date, 0L), badCounts.getOrDefault(date, 0L))).toList();
      return new StagedSource(source.name(), dates, bronze, quarantine, counts);
    } catch (Exception e) {
      // SparkException and AnalysisException are checked exceptions thrown from Scala code.
      if (isReadFailure(e)) {
        throw PipelineFailure.inputRejected("source '" + source.name() + "' cannot be read as declared"
            + " (format " + source.format().name().toLowerCase(Locale.ROOT) + ", columns "
            + source.columns().stream().map(SourceSpec.Column::name).toList() + "): "
            + rootMessage(e), e);
      }
      throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    } finally {
      validated.unpersist();
    }
  }

  private static void write(Dataset<Row> rows, Path path) {
    // One file per landing date keeps bronze compact; AQE sizes the shuffle.
    rows.repartition(col(SourceReader.LANDING_DATE))
        .write().mode(SaveMode.Overwrite).partitionBy(SourceReader.LANDING_DATE)
        .parquet(path.toString());
  }

  /**
   * Row counts per landing date of a staged table; Parquet answers these from file footers. The
   * collect is one row per landing date (at most the backfill range), never customer-sized.
   */
  private static Map<LocalDate, Long> countByDate(SparkSession spark, Path path, StructType schema) {
    Map<LocalDate, Long> counts = new TreeMap<>();
    List<Row> rows = spark.read().schema(schema).parquet(path.toString())
        .groupBy(SourceReader.LANDING_DATE).count().collectAsList();
    for (Row row : rows) {
      counts.put(row.getDate(0).toLocalDate(), row.getLong(1));
    }
    return counts;
  }

  private static Path partition(Path table, LocalDate date) {
    return WarehouseLayout.datePartition(table, date);
  }

  static List<String> check(SourceSpec source, List<SourceCounts> counts, LocalDate runDate,
      long minRows) {
    List<String> problems = new ArrayList<>();
    for (SourceCounts count : counts) {
      double judgedRate = (double) count.quarantined() / Math.max(count.rowsIn(), minRows);
      if (judgedRate > source.maxBadRowRate()) {
        problems.add(String.format(Locale.ROOT,
            "source '%s' dt=%s: %d of %d rows are bad (%.2f%%; judged over at least %d rows),"
                + " over its limit max-bad-row-rate=%s; see quarantine/%s/dt=%s",
            source.name(), count.landingDate(), count.quarantined(), count.rowsIn(),
            100 * count.badRowRate(), minRows, source.maxBadRowRate(), source.name(), count.landingDate()));
      }
      if (!source.allowEmpty() && count.landingDate().equals(runDate) && count.rowsIn() == 0) {
        problems.add("source '" + source.name() + "' dt=" + runDate + " landed no rows"
            + " (set allow-empty = true if that can be normal)");
      }
    }
    return problems;
  }

  private static void log(SourceSpec source, List<SourceCounts> counts, long startedNanos) {
    long good = counts.stream().mapToLong(SourceCounts::good).sum();
    long bad = counts.stream().mapToLong(SourceCounts::quarantined).sum();
    LOG.info(String.format(Locale.ROOT,
        "ingest %-20s %3d landing date(s): %,d rows in, %,d good, %,d quarantined (%.2f%%) in %.1f s",
        source.name(), counts.size(), good + bad, good, bad, good + bad == 0 ? 0.0 : 100.0 * bad / (good + bad),
        (System.nanoTime() - startedNanos) / 1e9));
  }

  private static boolean isReadFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkException && String.valueOf(t.getMessage()).contains("FAILED_READ_FILE")) {
        return true;
      }
      if (t instanceof org.apache.spark.sql.AnalysisException
          || t instanceof org.apache.spark.SparkIllegalArgumentException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage());
    return message.lines().limit(6).reduce((a, b) -> a + " " + b.trim()).orElse(message);
  }
}
