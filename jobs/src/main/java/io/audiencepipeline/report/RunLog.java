package io.audiencepipeline.report;

import io.audiencepipeline.export.ExportStage;
import io.audiencepipeline.ingest.IngestReport;
import io.audiencepipeline.ingest.SourceCounts;
import io.audiencepipeline.modeling.TrainStage;
import io.audiencepipeline.segmentation.SegmentStage;
import io.audiencepipeline.segmentation.WaterfallReport;
import io.audiencepipeline.unify.UnifyReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the stages of one run reported, collected as they finish, for {@link RunReport}. Kept in the report's own
 * terms (counts, never identifiers), so that a stage run as a command of its own can leave its part as a
 * {@link Record} ({@link StageRecords}) and {@code report} can assemble the night from the parts.
 */
public final class RunLog {
  private final String command;
  private final Instant started;
  private final List<RunSummary.Stage> stages = new ArrayList<>();
  private List<RunSummary.SourceQuality> dataQuality = List.of();
  private UnifyReport identity;
  private final List<String> trainedTonight = new ArrayList<>();
  private final Map<String, List<WaterfallReport.Step>> waterfalls = new LinkedHashMap<>();
  private final Map<String, CampaignExport> exports = new LinkedHashMap<>();

  public RunLog(String command) {
    this(command, Instant.now());
  }

  private RunLog(String command, Instant started) {
    this.command = command;
    this.started = started;
  }

  /** One campaign's export: its quality gate decision and the folders published. */
  public record CampaignExport(String qualityGate, String gateReason, List<RunSummary.Published> published) {
  }

  /**
   * One command's part of a night, as JSON ({@code reports/_stages/dt=D/<command>.json}).
   *
   * @param exitCode the command's exit code
   * @param trainedTonight {@code target:version} of every version trained
   */
  public record Record(String command, String runId, String startedAt, int exitCode, List<RunSummary.Stage> stages,
      List<RunSummary.SourceQuality> dataQuality, UnifyReport identity, List<String> trainedTonight,
      Map<String, List<WaterfallReport.Step>> waterfalls, Map<String, CampaignExport> exports) {
  }

  public Record record(String runId, int exitCode) {
    return new Record(command, runId, started.toString(), exitCode, stages(), dataQuality, identity,
        List.copyOf(trainedTonight), new LinkedHashMap<>(waterfalls), new LinkedHashMap<>(exports));
  }

  /**
   * The night assembled from its commands' records (ordered as {@code expected}): the earliest start, each part
   * from the record that holds it (a later record wins), and every expected stage without a record in its place
   * as {@code missing}: it did not run for this date, or died before it could leave one.
   */
  public static RunLog assemble(String command, List<Record> records, List<String> expected) {
    Instant started = records.stream().map(r -> Instant.parse(r.startedAt())).min(Comparator.naturalOrder())
        .orElse(Instant.now());
    RunLog log = new RunLog(command, started);
    List<String> recorded = records.stream().map(Record::command).toList();
    for (String stage : expected) {
      if (!recorded.contains(stage)) {
        log.stage(stage, "missing", 0, null, "no record: the stage did not run for this date, or died before it "
            + "could leave one");
      }
      records.stream().filter(r -> r.command().equals(stage)).forEach(r -> log.stages.addAll(r.stages()));
    }
    for (Record r : records) {
      if (!expected.contains(r.command())) {
        log.stages.addAll(r.stages());
      }
      if (!r.dataQuality().isEmpty()) {
        log.dataQuality = List.copyOf(r.dataQuality());
      }
      if (r.identity() != null) {
        log.identity = r.identity();
      }
      log.trainedTonight.addAll(r.trainedTonight());
      if (!r.waterfalls().isEmpty()) {
        log.waterfalls.clear();
        log.waterfalls.putAll(r.waterfalls());
      }
      log.exports.putAll(r.exports());
    }
    return log;
  }

  public String command() {
    return command;
  }

  public Instant started() {
    return started;
  }

  public List<RunSummary.Stage> stages() {
    return List.copyOf(stages);
  }

  public void stage(String name, String status, double seconds, String summary, String error) {
    stages.add(new RunSummary.Stage(name, status, seconds, summary, error));
  }

  /** Rows in, good and quarantined per source over tonight's landing dates. */
  public void ingested(IngestReport report) {
    Map<String, long[]> bySource = new TreeMap<>();
    for (SourceCounts c : report.counts()) {
      long[] sums = bySource.computeIfAbsent(c.source(), k -> new long[3]);
      sums[0]++;
      sums[1] += c.good();
      sums[2] += c.quarantined();
    }
    List<RunSummary.SourceQuality> rows = new ArrayList<>();
    bySource.forEach((source, sums) -> {
      long in = sums[1] + sums[2];
      rows.add(new RunSummary.SourceQuality(source, (int) sums[0], in, sums[1], sums[2],
          in == 0 ? 0 : sums[2] / (double) in));
    });
    dataQuality = List.copyOf(rows);
  }

  public void unified(UnifyReport report) {
    identity = report;
  }

  public void trained(List<TrainStage.Outcome> outcomes) {
    outcomes.forEach(o -> trainedTonight.add(o.target() + ":" + o.version()));
  }

  public void segmented(SegmentStage.Report report) {
    waterfalls.clear();
    waterfalls.putAll(report.waterfalls());
  }

  public void exported(ExportStage.Report report) {
    for (ExportStage.Outcome o : report.campaigns()) {
      List<RunSummary.Published> published = new ArrayList<>();
      o.published().forEach(p -> published.add(new RunSummary.Published(p.destination(), p.path().toString(),
          p.rows(), p.diff().addedRows(), p.diff().removedRows())));
      exports.put(o.campaign(), new CampaignExport(o.decision().status().json(), o.decision().reason(),
          List.copyOf(published)));
    }
  }

  List<RunSummary.SourceQuality> dataQuality() {
    return dataQuality;
  }

  UnifyReport identity() {
    return identity;
  }

  boolean trainedTonight(String target, int version) {
    return trainedTonight.contains(target + ":" + version);
  }

  Map<String, List<WaterfallReport.Step>> waterfalls() {
    return waterfalls;
  }

  Map<String, CampaignExport> exports() {
    return exports;
  }
}
