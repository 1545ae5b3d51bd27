package io.audiencepipeline.export;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.audiencepipeline.config.SegmentationSettings;
import io.audiencepipeline.config.SegmentationSettings.Campaign;
import io.audiencepipeline.config.SegmentationSettings.Destination;
import io.audiencepipeline.config.SegmentationSettings.OutputColumn;
import io.audiencepipeline.config.Settings;
import io.audiencepipeline.export.AudienceFiles.FileEntry;
import io.audiencepipeline.io.Publisher;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.run.CodeVersion;
import io.audiencepipeline.run.PipelineFailure;
import io.audiencepipeline.run.RunContext;
import io.audiencepipeline.segmentation.Arbitration;
import io.audiencepipeline.segmentation.SegmentStage;
import io.audiencepipeline.unify.DatedPartitions;
import io.audiencepipeline.unify.UnifyStage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Export: every campaign's exported customers of the run date -> {@code outbox/<campaign>/<destination>/dt=D/}
 * (audience files, {@code _diff/} against the previous published night, {@code _manifest.json},
 * {@code _SUCCESS}), each folder published atomically; then the contact history of what was sent
 * ({@code gold/contact_history/dt=D}), which tomorrow's frequency caps read.
 *
 * <p>Before anything of a campaign is published its audience size passes the quality gate ({@link SizeGate});
 * a held campaign publishes nothing, the others go ahead, and the run ends with exit 4 naming the numbers.
 * Consent is checked again here, in code, for every row of every channel and every destination's required
 * consents: a customer without it is never written, whatever the campaign's rules said.
 */
public final class ExportStage {
  private static final Logger LOG = LoggerFactory.getLogger(ExportStage.class);
  private static final String OPT_IN = "opt_in";
  private static final String CUSTOMER = "__customer_id";
  private static final String CONSENTED = "__consented";
  private static final String KEYED = "__keyed";
  static final String DIFF = "_diff";

  /** One published destination folder. */
  public record Published(String destination, Path path, long rows, Manifest.Diff diff, Manifest.Excluded excluded) {
  }

  /** What happened to a campaign: its gate decision and, unless held, its published folders. */
  public record Outcome(String campaign, SizeGate.Decision decision, List<Published> published) {
  }

  public record Report(List<Outcome> campaigns, long contactHistoryRows) {
    /**
     * Exit 4 naming every campaign the quality gate held, or empty when none was: the caller throws it after
     * recording the report, so the other campaigns' publications and the run report still happen.
     */
    public Optional<PipelineFailure> held() {
      List<String> held = campaigns.stream().filter(o -> !o.decision().publishes())
          .map(o -> o.campaign() + ": " + o.decision().reason()).toList();
      if (held.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(PipelineFailure.heldByQualityGate("the quality gate held " + held.size() + " campaign(s);"
          + " nothing of them was published:\n  - " + String.join("\n  - ", held)
          + "\nCheck the inputs; to publish anyway, re-run export with --allow-size-change"));
    }

    public String describe() {
      StringBuilder text = new StringBuilder();
      for (Outcome o : campaigns) {
        text.append(String.format(Locale.ROOT, "%n campaign %s: %,d exported, quality gate %s%s", o.campaign(),
            o.decision().exported(), o.decision().status().json(),
            o.decision().reason().isEmpty() ? "" : " (" + o.decision().reason() + ")"));
        for (Published p : o.published()) {
          text.append(String.format(Locale.ROOT, "%n   %-22s %,8d rows (+%,d -%,d since %s)  %s",
              p.destination(), p.rows(), p.diff().addedRows(), p.diff().removedRows(),
              p.diff().previousRunDate() == null ? "never" : p.diff().previousRunDate(), p.path()));
        }
      }
      return text.toString();
    }
  }

  private ExportStage() {
  }

  public static Report run(SparkSession spark, Settings settings, RunContext run, boolean allowSizeChange) {
    SegmentationSettings segmentation = settings.segmentation();
    List<Campaign> exporting = segmentation.campaigns().stream().filter(c -> !c.destinations().isEmpty()).toList();
    if (exporting.isEmpty()) {
      LOG.info("no campaign names a destination (audience.campaigns.<name>.destinations): nothing to export");
      return new Report(List.of(), 0);
    }
    LocalDate date = run.runDate();
    WarehouseLayout layout = new WarehouseLayout(settings.warehouse());
    Publisher publisher = new Publisher(layout, spark.sparkContext().hadoopConfiguration(), run.runId());
    FileSystem fs = publisher.fileSystem();
    Dataset<Row> rows = null;
    try {
      Dataset<Row> segments = null;
      for (Campaign campaign : exporting) {
        Path path = layout.segments(campaign.name(), date);
        Publisher.requirePublished(fs, path, "export", "the segments of campaign " + campaign.name() + " on "
            + date + " (run segment first)");
        Dataset<Row> one = spark.read().parquet(path.toString()).withColumn("campaign", lit(campaign.name()));
        segments = segments == null ? one : segments.unionByName(one);
      }
      Path profilePath = DatedPartitions.partition(layout.customerProfile(), UnifyStage.DT, date);
      Publisher.requirePublished(fs, profilePath, "export", "the customer profile of " + date + " (run unify first)");
      Map<String, Optional<String>> targets = new LinkedHashMap<>();
      exporting.forEach(c -> targets.put(c.name(), c.target()));
      Dataset<Row> scores;
      if (exporting.stream().anyMatch(c -> c.target().isPresent())) {
        Publisher.requirePublished(fs, layout.scores(date), "export", "the scores as of " + date
            + " (run score first)");
        scores = spark.read().parquet(layout.scores(date).toString());
      } else {
        scores = spark.createDataFrame(List.of(), StructType.fromDDL(
            "customer_id string, target string, probability double, decile int, model_version string"));
      }
      rows = ExportRows.build(segments, spark.read().parquet(profilePath.toString()).drop(UnifyStage.DT), scores,
          targets);
      checkDestinations(rows, segmentation, exporting);
      rows.persist(StorageLevel.MEMORY_AND_DISK());

      Map<String, long[]> audience = audienceSizes(segments);
      List<Outcome> outcomes = new ArrayList<>();
      Dataset<Row> delivered = null;
      for (Campaign campaign : exporting) {
        long[] size = audience.getOrDefault(campaign.name(), new long[2]);
        SizeGate.Decision decision = SizeGate.decide(size[0], previousExported(fs, layout, campaign, date),
            campaign.qualityGate(), allowSizeChange);
        if (!decision.publishes()) {
          LOG.warn("campaign {} held by the quality gate: {}; nothing of it is published", campaign.name(),
              decision.reason());
          outcomes.add(new Outcome(campaign.name(), decision, List.of()));
          continue;
        }
        if (decision.status() == SizeGate.Status.OVERRIDDEN) {
          LOG.warn("campaign {}: {}; published anyway (--allow-size-change)", campaign.name(), decision.reason());
        }
        Map<Destination, Path> staged = new LinkedHashMap<>();
        List<Published> published = new ArrayList<>();
        for (String name : campaign.destinations()) {
          Destination destination = segmentation.destinations().get(name);
          Path folder = publisher.staging("outbox/" + campaign.name() + "/" + name);
          Dataset<Row> selected = selectFor(rows, campaign, destination, segmentation);
          Manifest manifest = writeDestination(spark, fs, layout, selected, campaign, destination, decision,
              size, folder, settings, run);
          staged.put(destination, folder);
          published.add(new Published(name, layout.outbox(campaign.name(), name, date), manifest.totalRows(),
              manifest.diff(), manifest.excluded()));
          if (!destination.channel().equals(Destination.ALL_CHANNELS)) {
            // A message went out only on a channel destination; an "all" feed (a table, the website) is not one.
            Dataset<Row> sent = selected.where(col(CONSENTED).and(col(KEYED)))
                .select(lit(campaign.name()).as("campaign"), col(CUSTOMER).as("customer_id"));
            delivered = delivered == null ? sent : delivered.unionByName(sent);
          }
        }
        staged.forEach((destination, folder) -> publisher.replace(folder,
            layout.outbox(campaign.name(), destination.name(), date)));
        outcomes.add(new Outcome(campaign.name(), decision, published));
      }
      List<String> publishedCampaigns = outcomes.stream().filter(o -> o.decision().publishes())
          .map(Outcome::campaign).toList();
      long history = publishedCampaigns.isEmpty() || delivered == null ? 0
          : writeContactHistory(spark, fs, layout, publisher, rows, delivered, publishedCampaigns, date);
      expireOutbox(fs, layout, date.minusDays(segmentation.outboxRetentionDays()));
      return new Report(outcomes, history);
    } finally {
      if (rows != null) {
        rows.unpersist();
      }
      publisher.cleanUp();
    }
  }

  /** Exported and holdout counts per campaign (one tiny row per campaign and status). */
  private static Map<String, long[]> audienceSizes(Dataset<Row> segments) {
    Map<String, long[]> sizes = new HashMap<>();
    for (Row row : segments.where(col("status").isin(Arbitration.EXPORTED, Arbitration.HOLDOUT))
        .groupBy("campaign", "status").count().collectAsList()) {
      long[] size = sizes.computeIfAbsent(row.getString(0), k -> new long[2]);
      size[row.getString(1).equals(Arbitration.EXPORTED) ? 0 : 1] = row.getLong(2);
    }
    return sizes;
  }

  /**
   * A destination's rows: the campaign's exported customers on its channel (all channels for {@code all}),
   * projected to its columns, with the customer id, whether every required consent is opt_in and whether a
   * key is present (rows failing either are counted, not written).
   */
  static Dataset<Row> selectFor(Dataset<Row> rows, Campaign campaign, Destination destination,
      SegmentationSettings segmentation) {
    Column scope = col("campaign").equalTo(campaign.name());
    if (!destination.channel().equals(Destination.ALL_CHANNELS)) {
      scope = scope.and(col("channel").equalTo(destination.channel()));
    }
    Column consented = lit(true);
    for (String consent : requiredConsents(destination, segmentation)) {
      consented = consented.and(col("consent_" + consent).eqNullSafe(OPT_IN));
    }
    List<Column> columns = new ArrayList<>();
    for (OutputColumn c : destination.columns()) {
      columns.add(expr(c.sql()).as(c.name()));
    }
    columns.add(col("customer_id").as(CUSTOMER));
    columns.add(consented.as(CONSENTED));
    Dataset<Row> projected = rows.where(scope).select(columns.toArray(Column[]::new));
    Column keyed = lit(false);
    for (String key : destination.keys()) {
      keyed = keyed.or(AudienceFiles.quoted(key).isNotNull());
    }
    return projected.withColumn(KEYED, keyed);
  }

  private static Manifest writeDestination(SparkSession spark, FileSystem fs, WarehouseLayout layout,
      Dataset<Row> selected, Campaign campaign, Destination destination, SizeGate.Decision decision, long[] size,
      Path folder, Settings settings, RunContext run) {
    long noConsent = 0;
    long noKey = 0;
    long count = 0;
    for (Row row : selected.groupBy(CONSENTED, KEYED).count().collectAsList()) {
      if (!row.getBoolean(0)) {
        noConsent += row.getLong(2);
      } else if (!row.getBoolean(1)) {
        noKey += row.getLong(2);
      } else {
        count += row.getLong(2);
      }
    }
    if (noConsent > 0) {
      // Routine for a destination's extra consents; on a message channel it means a rule let one through.
      boolean routine = destination.channel().equals(Destination.ALL_CHANNELS);
      String message = "{} / {}: {} exported customer(s) without a consent this destination requires {}: not written";
      if (routine) {
        LOG.info(message, campaign.name(), destination.name(), noConsent, requiredConsents(destination,
            settings.segmentation()));
      } else {
        LOG.warn(message, campaign.name(), destination.name(), noConsent, requiredConsents(destination,
            settings.segmentation()));
      }
    }
    Dataset<Row> good = selected.where(col(CONSENTED).and(col(KEYED))).drop(CONSENTED, KEYED);
    List<String> outputs = destination.columns().stream().map(OutputColumn::name).toList();
    List<String> order = Stream.concat(destination.keys().stream(), Stream.of(CUSTOMER)).toList();
    long maxRows = settings.segmentation().maxRowsPerFile();
    String format = destination.format();
    List<FileEntry> files = AudienceFiles.write(spark, fs, good, outputs, order, count, format, maxRows, folder,
        "audience");
    long written = files.stream().mapToLong(FileEntry::rows).sum();
    if (written != count) {
      throw new IllegalStateException(campaign.name() + " / " + destination.name() + ": " + count
          + " rows to write but " + written + " read back from the files in " + folder);
    }

    // The diff against the previous published night, compared on the keys as written.
    Optional<LocalDate> previous = previousNight(fs, layout, campaign.name(), destination.name(), run.runDate());
    Dataset<Row> previousKeys;
    long previousRows = 0;
    if (previous.isPresent()) {
      Path previousFolder = layout.outbox(campaign.name(), destination.name(), previous.get());
      Manifest before = Manifest.read(fs, previousFolder);
      if (!before.keys().equals(destination.keys()) || !before.format().equals(format)) {
        // Rows of another shape cannot be compared: tonight's diff adds everything, as on a first night.
        LOG.info("{} / {}: the keys or format changed since {} ({} {} -> {} {}); the diff adds every row",
            campaign.name(), destination.name(), previous.get(), before.format(), before.keys(), format,
            destination.keys());
        previous = Optional.empty();
        previousKeys = emptyKeys(spark, destination);
      } else {
        previousRows = before.totalRows();
        List<Path> previousFiles = before.files().stream().map(f -> new Path(previousFolder, f.name())).toList();
        StructType keySchema = emptyKeys(spark, destination).schema();
        previousKeys = previousFiles.isEmpty() ? emptyKeys(spark, destination)
            : AudienceFiles.read(spark, format, previousFiles, format.equals("jsonl") ? keySchema : null)
                .select(destination.keys().stream()
                    .map(k -> AudienceFiles.quoted(k).cast(DataTypes.StringType).as(k)).toArray(Column[]::new));
      }
    } else {
      previousKeys = emptyKeys(spark, destination);
    }
    Column sameKeys = lit(true);
    Dataset<Row> current = good.alias("c");
    Dataset<Row> before = previousKeys.alias("p");
    for (String key : destination.keys()) {
      sameKeys = sameKeys.and(col("c.`" + key + "`").eqNullSafe(col("p.`" + key + "`")));
    }
    Dataset<Row> added = current.join(before, sameKeys, "left_anti");
    Dataset<Row> removed = before.join(current, sameKeys, "left_anti");
    Path diffFolder = new Path(folder, DIFF);
    // The sizes only decide how many files to spread over, so upper bounds do (and save two counts); the
    // rows are counted when the files are read back.
    List<FileEntry> addedFiles = AudienceFiles.write(spark, fs, added, outputs, order, count, format, maxRows,
        diffFolder, "added");
    List<FileEntry> removedFiles = AudienceFiles.write(spark, fs, removed, destination.keys(), destination.keys(),
        previousRows, format, maxRows, diffFolder, "removed");
    long addedRows = addedFiles.stream().mapToLong(FileEntry::rows).sum();
    long removedRows = removedFiles.stream().mapToLong(FileEntry::rows).sum();
    List<FileEntry> diffFiles = new ArrayList<>();
    Stream.concat(addedFiles.stream(), removedFiles.stream()).forEach(f -> diffFiles.add(prefixed(f)));

    StructType schema = good.drop(CUSTOMER).schema();
    List<Manifest.SchemaColumn> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(new Manifest.SchemaColumn(field.name(), field.dataType().simpleString()));
    }
    SizeGate.Decision d = decision;
    Manifest manifest = new Manifest(Manifest.VERSION, run.runId(), run.runDate().toString(),
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), campaign.name(), destination.name(), format,
        destination.channel(), requiredConsents(destination, settings.segmentation()), destination.keys(), columns,
        files, count, new Manifest.Excluded(noConsent, noKey), new Manifest.Audience(size[0], size[1]),
        new Manifest.Diff(previous.map(LocalDate::toString).orElse(null), addedRows, removedRows, diffFiles),
        new Manifest.Gate(d.status().json(), d.previous().isPresent() ? d.previous().getAsLong() : null,
            Double.isNaN(d.change()) ? null : d.change(), d.gate().maxChange(), d.gate().allowEmpty(), d.reason()),
        settings.fingerprint(), CodeVersion.get());
    manifest.write(fs, folder);
    AudienceFiles.markComplete(fs, folder);
    return manifest;
  }

  private static FileEntry prefixed(FileEntry f) {
    return new FileEntry(DIFF + "/" + f.name(), f.rows(), f.bytes(), f.sha256());
  }

  private static List<String> requiredConsents(Destination destination, SegmentationSettings segmentation) {
    List<String> consents = new ArrayList<>();
    if (!destination.channel().equals(Destination.ALL_CHANNELS)) {
      consents.add(segmentation.channels().get(destination.channel()).consent());
    }
    destination.consents().stream().filter(c -> !consents.contains(c)).forEach(consents::add);
    return consents;
  }

  private static Dataset<Row> emptyKeys(SparkSession spark, Destination destination) {
    StructType schema = new StructType();
    for (String key : destination.keys()) {
      schema = schema.add(key, DataTypes.StringType);
    }
    return spark.createDataFrame(List.of(), schema);
  }

  /**
   * Deletes every outbox night before {@code oldestKept} (of every campaign and destination, configured or not:
   * a removed campaign's deliveries expire too).
   */
  static void expireOutbox(FileSystem fs, WarehouseLayout layout, LocalDate oldestKept) {
    Path outbox = new Path(layout.root(), WarehouseLayout.OUTBOX);
    try {
      FileStatus[] nights = fs.globStatus(new Path(outbox, "*/*/dt=*"));
      int deleted = 0;
      for (FileStatus night : nights == null ? new FileStatus[0] : nights) {
        try {
          if (LocalDate.parse(night.getPath().getName().substring(3)).isBefore(oldestKept)) {
            fs.delete(night.getPath(), true);
            deleted++;
          }
        } catch (DateTimeParseException e) {
          // Not one of ours; leave it alone.
        }
      }
      if (deleted > 0) {
        LOG.info("outbox: {} folder(s) from before {} deleted (audience.segmentation.outbox-retention-days)", deleted,
            oldestKept);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot expire old folders in " + outbox, e);
    }
  }

  /** The latest published night of a destination before {@code date}. */
  static Optional<LocalDate> previousNight(FileSystem fs, WarehouseLayout layout, String campaign,
      String destination, LocalDate date) {
    Path parent = layout.outbox(campaign, destination, date).getParent();
    List<LocalDate> published = DatedPartitions.list(fs, parent, "dt");
    for (int i = published.size() - 1; i >= 0; i--) {
      LocalDate night = published.get(i);
      if (night.isBefore(date) && exists(fs, new Path(layout.outbox(campaign, destination, night),
          Manifest.FILE_NAME))) {
        return Optional.of(night);
      }
    }
    return Optional.empty();
  }

  private static boolean exists(FileSystem fs, Path path) {
    try {
      return fs.exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** The exported audience of the campaign's latest published night before {@code date}, over its destinations. */
  private static OptionalLong previousExported(FileSystem fs, WarehouseLayout layout, Campaign campaign,
      LocalDate date) {
    LocalDate best = null;
    String from = null;
    for (String destination : campaign.destinations()) {
      Optional<LocalDate> night = previousNight(fs, layout, campaign.name(), destination, date);
      if (night.isPresent() && (best == null || night.get().isAfter(best))) {
        best = night.get();
        from = destination;
      }
    }
    if (best == null) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Manifest.read(fs, layout.outbox(campaign.name(), from, best)).audience().exported());
  }

  /**
   * Replaces {@code gold/contact_history/dt=D} with what the published campaigns delivered tonight, keeping the
   * rows an earlier run of the same date wrote for campaigns not published by this run (held ones).
   */
  private static long writeContactHistory(SparkSession spark, FileSystem fs, WarehouseLayout layout,
      Publisher publisher, Dataset<Row> rows, Dataset<Row> delivered, List<String> publishedCampaigns,
      LocalDate date) {
    Dataset<Row> sent = rows.join(delivered.distinct(), new String[] {"campaign", "customer_id"}, "left_semi")
        .select(col("customer_id"), col("campaign"), col("channel"), col("segment"), col("offer"));
    Path target = WarehouseLayout.datePartition(layout.contactHistory(), date);
    if (Publisher.isPublished(fs, target)) {
      Dataset<Row> kept = spark.read().parquet(target.toString())
          .where(col("campaign").isin(publishedCampaigns.toArray()).unary_$bang())
          .select("customer_id", "campaign", "channel", "segment", "offer");
      sent = sent.unionByName(kept);
    }
    Path staged = publisher.staging("contact_history");
    StructType schema = SegmentStage.CONTACT_HISTORY;
    sent.select(java.util.Arrays.stream(schema.fieldNames()).filter(n -> !n.equals("dt")).map(n -> col(n))
            .toArray(Column[]::new))
        .repartition(col("campaign")).sortWithinPartitions("campaign", "customer_id")
        .write().mode(SaveMode.Overwrite).parquet(staged.toString());
    long count = spark.read().parquet(staged.toString()).count();
    publisher.replace(staged, target);
    return count;
  }

  /**
   * Every destination column resolved against the export row's schema (no data read): an unknown column, a
   * type error, a CSV column that is not a plain value, or a key that is not a string is exit 2 naming the
   * destination and the column.
   */
  static void checkDestinations(Dataset<Row> rows, SegmentationSettings segmentation, List<Campaign> campaigns) {
    Dataset<Row> empty = rows.limit(0);
    List<String> problems = new ArrayList<>();
    List<String> checked = new ArrayList<>();
    List<String> have = List.of(rows.columns());
    for (Campaign campaign : campaigns) {
      for (String name : campaign.destinations()) {
        if (checked.contains(name)) {
          continue;
        }
        checked.add(name);
        Destination destination = segmentation.destinations().get(name);
        String prefix = "audience.segmentation.destinations." + name;
        for (String consent : requiredConsents(destination, segmentation)) {
          if (!have.contains("consent_" + consent)) {
            problems.add(prefix + ": the profile has no consent_" + consent + " column");
          }
        }
        for (int i = 0; i < destination.columns().size(); i++) {
          OutputColumn c = destination.columns().get(i);
          String key = prefix + ".columns[" + i + "] (" + c.name() + ").value";
          DataType type;
          try {
            type = empty.select(expr(c.sql()).as(c.name())).schema().fields()[0].dataType();
          } catch (Exception e) {
            // AnalysisException is checked in Scala's sense only; Spark throws it from Java calls regardless.
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            int newline = message.indexOf('\n');
            problems.add(key + ": " + (newline < 0 ? message : message.substring(0, newline)) + " in \""
                + c.sql() + "\"");
            continue;
          }
          boolean nested = type instanceof ArrayType || type instanceof MapType || type instanceof StructType;
          if (destination.format().equals("csv") && nested) {
            problems.add(key + ": is " + type.simpleString() + ", which a CSV cell cannot hold (e.g. array_join("
                + "recommendations, '|'))");
          }
          if (destination.keys().contains(c.name()) && !type.equals(DataTypes.StringType)) {
            problems.add(key + ": is a key, so it must be a string (e.g. cast(... as string)), not "
                + type.simpleString());
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw PipelineFailure.badConfig("destination columns do not fit the export row (docs/SEGMENTATION.md lists"
          + " its fields):\n  - " + String.join("\n  - ", problems));
    }
  }
}
