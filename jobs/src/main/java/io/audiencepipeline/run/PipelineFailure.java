package io.audiencepipeline.run;

/**
 * A failure with a documented exit code. Messages name the source, key or file at fault and never
 * carry values from customer rows.
 */
public class PipelineFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ExitCode exitCode;

  public PipelineFailure(ExitCode exitCode, String message) {
    this(exitCode, message, null);
  }

  public PipelineFailure(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public static PipelineFailure badConfig(String message) {
    return new PipelineFailure(ExitCode.BAD_CONFIG, message);
  }

  public static PipelineFailure inputRejected(String message) {
    return new PipelineFailure(ExitCode.INPUT_REJECTED, message);
  }

  public static PipelineFailure inputRejected(String message, Throwable cause) {
    return new PipelineFailure(ExitCode.INPUT_REJECTED, message, cause);
  }

  public static PipelineFailure heldByQualityGate(String message) {
    return new PipelineFailure(ExitCode.HELD_BY_QUALITY_GATE, message);
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
