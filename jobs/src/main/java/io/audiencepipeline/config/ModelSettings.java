package io.audiencepipeline.config;

import io.audiencepipeline.models.targets.TargetSpec;
import io.audiencepipeline.models.training.TrainingSettings;
import java.util.List;
import java.util.Optional;

/** {@code audience.models}: the targets and how their models are trained and promoted. */
public record ModelSettings(List<TargetSpec> targets, TrainingSettings training) {
  public Optional<TargetSpec> target(String name) {
    return targets.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
