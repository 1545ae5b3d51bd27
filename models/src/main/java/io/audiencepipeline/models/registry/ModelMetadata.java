package io.audiencepipeline.models.registry;

import io.audiencepipeline.models.scoring.Explanation;
import io.audiencepipeline.models.training.Trainer;
import java.util.List;
import java.util.Map;

/**
 * {@code metadata.json} of a model version: what it predicts, how and on what it was trained, how to
 * score with it and explain its scores, and whether it was promoted. {@code trainingRows} and
 * {@code trainingPositives} count the rows the candidates were fitted on; {@code trainingSample} says how they
 * were sampled from all training rows.
 */
public record ModelMetadata(
    String target,
    String targetDescription,
    int version,
    String trainedFor,
    String runId,
    String createdAt,
    String algorithm,
    Map<String, Double> candidateRocAuc,
    String calibration,
    List<String> trainingAsOfDates,
    String validationAsOfDate,
    long trainingRows,
    long trainingPositives,
    Trainer.Sampling trainingSample,
    long seed,
    List<String> featureColumns,
    String configFingerprint,
    Explanation explanation,
    Promotion promotion) {

  /**
   * @param championVersion the champion it was compared with (0 = none)
   * @param championRocAuc the champion's ROC AUC on the same test rows (NaN = none or not comparable)
   */
  public record Promotion(boolean promoted, int championVersion, double rocAuc, double championRocAuc,
      double tolerance, String reason) {
  }

  public ModelMetadata withPromotion(Promotion decided) {
    return new ModelMetadata(target, targetDescription, version, trainedFor, runId, createdAt, algorithm,
        candidateRocAuc, calibration, trainingAsOfDates, validationAsOfDate, trainingRows, trainingPositives,
        trainingSample, seed, featureColumns, configFingerprint, explanation, decided);
  }
}
