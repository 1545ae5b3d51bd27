package io.audiencepipeline.models.training;

/** The training or validation rows cannot give a model (no positives, no rows, too little history). */
public class TrainingDataException extends RuntimeException {
  public TrainingDataException(String message) {
    super(message);
  }
}
