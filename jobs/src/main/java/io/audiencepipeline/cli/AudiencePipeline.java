package io.audiencepipeline.cli;

public final class AudiencePipeline {
  public static void main(String[] args) {
  }
}
