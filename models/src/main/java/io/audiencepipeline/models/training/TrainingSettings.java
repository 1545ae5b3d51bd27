package io.audiencepipeline.models.training;

import java.util.List;

/**
 * How propensity models are trained, evaluated and promoted ({@code audience.models}).
 *
 * @param trainingDates how many past as-of dates give training rows
 * @param stepDays days between consecutive training as-of dates
 * @param labelDelayDays days after the run date's data is considered complete (late rows); the
 *     validation as-of date is {@code runDate - horizon - labelDelay}
 * @param minHistoryDays a training as-of date needs this many days of timeline before it (by default the longest
 *     feature window, so windowed features mean the same at training and at scoring)
 * @param maxTrainingRows above this, training rows are sampled (stable hash of customer and date)
 * @param classWeights {@code balanced} (weight classes to equal total weight) or {@code none}
 * @param calibration {@code platt} or {@code isotonic}
 * @param candidates the model families tried, best validation ROC AUC wins
 * @param promotionTolerance a new version becomes champion unless its ROC AUC is lower than the
 *     champion's on the same validation rows by more than this
 * @param retrainAfterDays the nightly run retrains when the champion is older than this
 * @param seed for sampling, splits and tree ensembles
 * @param trainingIdentifiers identifier kinds (e.g. {@code email}); when not empty, a purchase target's training
 *     rows are the customers whose profile holds at least one of them (validation keeps every customer)
 */
public record TrainingSettings(int trainingDates, int stepDays, int labelDelayDays, int minHistoryDays,
    long maxTrainingRows, String classWeights, String calibration, List<Candidate> candidates,
    double promotionTolerance, int retrainAfterDays, long seed, List<String> trainingIdentifiers) {

  /**
   * A model family and its hyper-parameters.
   *
   * @param name unique within the list, e.g. {@code logistic} or {@code gbt}
   * @param kind {@code logistic-regression} or {@code gradient-boosted-trees}
   * @param regParam L2/elastic-net strength (logistic regression)
   * @param elasticNetParam 0 = L2, 1 = L1 (logistic regression)
   * @param maxIter iterations (logistic regression) or trees (gradient-boosted trees)
   * @param maxDepth tree depth (gradient-boosted trees)
   * @param stepSize learning rate (gradient-boosted trees)
   */
  public record Candidate(String name, String kind, double regParam, double elasticNetParam, int maxIter,
      int maxDepth, double stepSize) {
    public static final String LOGISTIC = "logistic-regression";
    public static final String GBT = "gradient-boosted-trees";
  }
}
