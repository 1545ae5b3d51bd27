package io.audiencepipeline.report;

import io.audiencepipeline.models.evaluation.ModelMetrics;
import io.audiencepipeline.segmentation.WaterfallReport;
import io.audiencepipeline.unify.UnifyReport;
import java.util.List;

/**
 * {@code reports/dt=D/run.json} (contract; snake_case in JSON): what a nightly run did, stage by stage, and the
 * numbers a person checks the next morning. Counts and metrics only, never customer identifiers. The HTML
 * report is rendered from this same object, so the page and the JSON cannot disagree.
 *
 * @param status ok, failed or held (a quality gate held a campaign)
 * @param identity null when unify did not run
 */
public record RunSummary(
    int reportVersion,
    String runId,
    String runDate,
    String command,
    String status,
    int exitCode,
    String startedAt,
    String finishedAt,
    double seconds,
    String codeVersion,
    String configFingerprint,
    List<Stage> stages,
    List<SourceQuality> dataQuality,
    UnifyReport identity,
    List<Model> models,
    List<ScoreHistogram> scores,
    List<Campaign> campaigns) {

  public static final int VERSION = 1;

  /**
   * @param status ok, failed, held, skipped, or missing (a report assembled from stage records found none for this
   *     stage); error is the failure's message (null when ok)
   */
  public record Stage(String name, String status, double seconds, String summary, String error) {
  }

  /** One source over the landing dates ingested tonight. */
  public record SourceQuality(String source, int landingDates, long rowsIn, long good, long quarantined,
      double badRowRate) {
  }

  /** The champion that scored tonight, with its evaluation on held-out later dates. */
  public record Model(String target, String version, boolean trainedTonight, String algorithm, String trainedFor,
      ModelMetrics metrics) {
  }

  /** Customers per calibrated-probability bin of width 0.05. */
  public record ScoreHistogram(String target, List<Bin> bins) {
  }

  public record Bin(double lower, double upper, long customers) {
  }

  /**
   * @param qualityGate passed, first_publication, overridden, held, or null when the campaign exports nowhere
   * @param history exported audience of earlier nights' reports, oldest first, then tonight
   */
  public record Campaign(String campaign, List<WaterfallReport.Step> waterfall, String qualityGate,
      String gateReason, long exported, long holdout, List<Published> published, List<Night> history) {
  }

  public record Published(String destination, String path, long rows, long added, long removed) {
  }

  public record Night(String runDate, long exported) {
  }
}
