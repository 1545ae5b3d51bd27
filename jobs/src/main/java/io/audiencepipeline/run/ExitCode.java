package io.audiencepipeline.run;

/** The process exit codes schedulers rely on (DESIGN.md, contract). */
public enum ExitCode {
  OK(0),
  FAILED(1),
  BAD_CONFIG(2),
  INPUT_REJECTED(3),
  HELD_BY_QUALITY_GATE(4);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
