package io.audiencepipeline.unify;

import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SourceSpec;
import io.audiencepipeline.io.Documents;
import io.audiencepipeline.io.FileTrees;
import io.audiencepipeline.io.WarehouseLayout;
import io.audiencepipeline.run.CodeVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a unify run was built from, written next to its identity snapshot and its timeline
 * ({@value #FILE}): the next night may start from that run's outputs only when the same bronze files and
 * settings are still in place (an incremental unify). Spark ignores files starting with an underscore.
 *
 * @param runId the run that wrote the outputs (the snapshot and the timeline must come from the same run)
 * @param runDate its run date (ISO)
 * @param bronze a digest of every bronze file landed up to the run date (path, length, modification time)
 * @param settings a digest of the unify settings and the sources
 * @param records distinct bronze records up to the run date
 * @param erasedRecords records of erased people among them
 * @param carriedFrom the run whose outputs an incremental night carried over (null after a full run); next to
 *     the timeline, {@value #CHANGED_CUSTOMERS} then lists that run's customers whose rows tonight may have
 *     changed, so the features stage can carry everyone else's over too
 */
public record UnifyState(String runId, String runDate, String bronze, String settings, long records,
    long erasedRecords, String carriedFrom) {
  public static final String FILE = "_unify_state.json";
  /** Folder inside the timeline (hidden from Spark's readers by the underscore): customer_id, one row each. */
  public static final String CHANGED_CUSTOMERS = "_changed_customers";

  public void write(FileSystem fs, Path folder) {
    Documents.writeJson(fs, new Path(folder, FILE), this);
  }

  /** The state written into {@code folder}, or null when there is none. */
  public static UnifyState read(FileSystem fs, Path folder) {
    Path file = new Path(folder, FILE);
    try {
      return fs.exists(file) ? Documents.readJson(fs, file, UnifyState.class) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Digest of the bronze files of every configured source landed on or before {@code upTo}. */
  public static String bronzeDigest(FileSystem fs, WarehouseLayout layout, List<SourceSpec> sources,
      LocalDate upTo) {
    List<String> lines = new ArrayList<>();
    try {
      for (SourceSpec source : sources) {
        Path table = layout.bronze(source.name());
        if (!fs.exists(table)) {
          continue;
        }
        for (FileStatus partition : fs.listStatus(table)) {
          String name = partition.getPath().getName();
          if (!partition.isDirectory() || !name.startsWith(BronzeRecords.LANDING_DATE + "=")) {
            continue;
          }
          LocalDate date;
          try {
            date = LocalDate.parse(name.substring(BronzeRecords.LANDING_DATE.length() + 1));
          } catch (java.time.format.DateTimeParseException e) {
            continue;   // not a landing date; Spark's partition discovery does not read it as one either
          }
          if (date.isAfter(upTo)) {
            continue;
          }
          for (FileStatus file : FileTrees.files(fs, partition.getPath())) {
            String relative = file.getPath().toString().substring(partition.getPath().toString().length());
            lines.add(source.name() + "/" + name + relative + " " + file.getLen() + " " + file.getModificationTime());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list bronze under " + layout.root(), e);
    }
    lines.sort(null);
    return Documents.sha256(String.join("\n", lines));
  }

  /**
   * Digest of everything that decides unify's outputs besides the data: the unify settings (the incremental
   * switch and the broadcast size excluded), the sources, the session time zone (it decides event dates and the
   * engagement window) and the code version (a new build may compute rows differently, so its first night runs
   * in full).
   */
  public static String settingsDigest(Settings settings, String timeZone) {
    var unify = settings.unify();
    var comparable = new io.audiencepipeline.config.UnifySettings(unify.salt(), unify.guards(), unify.fuzzy(),
        unify.survivorship(), unify.consentChannels(), unify.optOutEventTypes(), unify.preferredChannel(),
        unify.keepIdentitySnapshots(), false, 0);
    return Documents.sha256(comparable + "\n" + settings.sources() + "\n" + timeZone + "\n" + CodeVersion.get());
  }
}
