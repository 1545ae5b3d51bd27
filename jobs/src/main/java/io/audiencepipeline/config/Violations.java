package io.audiencepipeline.config;

import io.audiencepipeline.run.PipelineFailure;
import java.util.ArrayList;
import java.util.List;

/** Collects every configuration problem so the user sees them all at once, each naming its key. */
public final class Violations {
  private final List<String> messages = new ArrayList<>();

  public void add(String key, String problem) {
    messages.add(key + ": " + problem);
  }

  public boolean isEmpty() {
    return messages.isEmpty();
  }

  public List<String> messages() {
    return List.copyOf(messages);
  }

  public void throwIfAny() {
    if (!messages.isEmpty()) {
      throw PipelineFailure.badConfig("invalid configuration:\n  - " + String.join("\n  - ", messages));
    }
  }
}
