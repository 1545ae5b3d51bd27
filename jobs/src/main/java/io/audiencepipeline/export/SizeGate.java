package io.audiencepipeline.export;

import io.audiencepipeline.config.SegmentationSettings.QualityGate;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The quality gate on a campaign's audience size: tonight's exported count against the last published
 * night's. A campaign whose audience is empty (and may not be), or changed by more than the allowed
 * fraction, is held: nothing of it is published, unless the run says {@code --allow-size-change}.
 * A previous audience of 0 gives no baseline to compare with, so any size passes (carts come and go); an empty
 * audience passes whenever {@code allow-empty} is true, whatever the previous night's size.
 */
public final class SizeGate {
  public enum Status {
    PASSED, FIRST_PUBLICATION, HELD, OVERRIDDEN;

    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param change relative change from the previous night (NaN without a baseline)
   * @param reason why it was held or overridden, for the log and the manifest (empty when it passed)
   */
  public record Decision(Status status, long exported, OptionalLong previous, double change, QualityGate gate,
      String reason) {
    public boolean publishes() {
      return status != Status.HELD;
    }
  }

  private SizeGate() {
  }

  public static Decision decide(long exported, OptionalLong previous, QualityGate gate, boolean override) {
    double change = previous.isPresent() && previous.getAsLong() > 0
        ? Math.abs(exported - previous.getAsLong()) / (double) previous.getAsLong() : Double.NaN;
    String reason = "";
    if (exported == 0 && !gate.allowEmpty()) {
      reason = "the audience is empty and quality-gate.allow-empty is false";
    } else if (!Double.isNaN(change) && change > gate.maxChange() && !(exported == 0 && gate.allowEmpty())) {
      reason = String.format(Locale.ROOT, "the audience changed by %.1f%% (%,d -> %,d), more than"
          + " quality-gate.max-change %.1f%%", 100 * change, previous.getAsLong(), exported, 100 * gate.maxChange());
    }
    Status status;
    if (!reason.isEmpty()) {
      status = override ? Status.OVERRIDDEN : Status.HELD;
    } else {
      status = previous.isPresent() ? Status.PASSED : Status.FIRST_PUBLICATION;
    }
    return new Decision(status, exported, previous, change, gate, reason);
  }
}
