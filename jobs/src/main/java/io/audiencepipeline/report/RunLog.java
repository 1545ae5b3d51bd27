package io.audiencepipeline.report;

import io.audiencepipeline.export.ExportStage;
import io.audiencepipeline.ingest.IngestReport;
import io.audiencepipeline.modeling.ScoreStage;
import io.audiencepipeline.modeling.TrainStage;
import io.audiencepipeline.segmentation.SegmentStage;
import io.audiencepipeline.unify.UnifyReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What the stages of one run reported, collected as they finish, for {@link RunReport}. */
public final class RunLog {
  private final String command;
  private final Instant started = Instant.now();
  private final List<RunSummary.Stage> stages = new ArrayList<>();
  IngestReport ingest;
  UnifyReport unify;
  List<TrainStage.Outcome> trained = List.of();
  ScoreStage.Report score;
  SegmentStage.Report segment;
  ExportStage.Report export;

  public RunLog(String command) {
    this.command = command;
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

  public void ingested(IngestReport report) {
    ingest = report;
  }

  public void unified(UnifyReport report) {
    unify = report;
  }

  public void trained(List<TrainStage.Outcome> outcomes) {
    trained = List.copyOf(outcomes);
  }

  public void scored(ScoreStage.Report report) {
    score = report;
  }

  public void segmented(SegmentStage.Report report) {
    segment = report;
  }

  public void exported(ExportStage.Report report) {
    export = report;
  }
}
