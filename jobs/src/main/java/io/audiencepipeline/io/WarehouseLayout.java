package io.audiencepipeline.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The one definition of where every table lives under the warehouse root (DESIGN.md storage layout). */
public final class WarehouseLayout {
  public static final String OUTBOX = "outbox";
  /** Written into each {@code gold/features/as_of=D} folder: what it was built from (the features stage). */
  public static final String FEATURES_STATE_FILE = "_features_state.json";
  private final Path root;

  public WarehouseLayout(String root) {
    this.root = new Path(root);
  }

  public Path root() {
    return root;
  }

  /** The file system the warehouse lives on (local, HDFS, S3A ...). */
  public FileSystem fileSystem(Configuration hadoopConf) {
    try {
      return root.getFileSystem(hadoopConf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach the warehouse " + root, e);
    }
  }

  public Path bronze(String source) {
    return new Path(root, "bronze/" + source);
  }

  public Path bronze(String source, LocalDate date) {
    return datePartition(bronze(source), date);
  }

  public Path quarantine(String source) {
    return new Path(root, "quarantine/" + source);
  }

  public Path quarantine(String source, LocalDate date) {
    return datePartition(quarantine(source), date);
  }

  /** Source record (source, record_key) -> customer_id, one snapshot per run date ({@code dt=D}). */
  public Path identityMap() {
    return new Path(root, "silver/identity_map");
  }

  /**
   * Linkable identifier -> customer_id and customer_since, one snapshot per run date; a run reads the
   * latest one before its date to keep ids stable.
   */
  public Path identityNodes() {
    return new Path(root, "silver/identity_nodes");
  }

  /**
   * Identifiers the link guards keep out of the graph (node_key, guard), one snapshot per run date: the state
   * an incremental unify starts from (guards only ever add identifiers as records arrive).
   */
  public Path identityOverShared() {
    return new Path(root, "silver/identity_overshared");
  }

  /** Customer ids merged into another or split off, per run date. */
  public Path identityMerges() {
    return new Path(root, "silver/identity_merges");
  }

  public Path customerProfile() {
    return new Path(root, "silver/customer_profile");
  }

  /** The unified timeline, partitioned by {@code event_date}; replaced as a whole each run. */
  public Path customerEvents() {
    return new Path(root, "silver/customer_events");
  }

  /** Salted hashes of every identifier of an erased person; only grows. */
  public Path erasureSuppression() {
    return new Path(root, "silver/erasure_suppression");
  }

  /** Customer ids retired by erasure, so later stages' older partitions can be purged of them. */
  public Path erasedCustomers() {
    return new Path(root, "silver/erased_customers");
  }

  public Path features() {
    return new Path(root, "gold/features");
  }

  public Path features(LocalDate asOf) {
    return new Path(features(), "as_of=" + asOf);
  }

  /** The model registry: {@code models/<target>/v<N>/} and {@code models/<target>/CHAMPION}. */
  public Path models() {
    return new Path(root, "models");
  }

  public Path scores() {
    return new Path(root, "gold/scores");
  }

  public Path scores(LocalDate asOf) {
    return new Path(scores(), "as_of=" + asOf);
  }

  /** One campaign's assignments of a night: {@code gold/segments/<campaign>/dt=D}. */
  public Path segments(String campaign, LocalDate date) {
    return datePartition(new Path(new Path(root, "gold/segments"), campaign), date);
  }

  /** One campaign's waterfall report of a night (waterfall.csv, waterfall.json). */
  public Path waterfall(String campaign, LocalDate date) {
    return datePartition(new Path(new Path(root, "gold/waterfall"), campaign), date);
  }

  /** What was sent, per night: {@code gold/contact_history/dt=D}; frequency caps read it. */
  public Path contactHistory() {
    return new Path(root, "gold/contact_history");
  }

  /**
   * One campaign's audience for one destination of a night, as campaign tools pick it up:
   * {@code outbox/<campaign>/<destination>/dt=D/} with the files, {@code _manifest.json} and {@code _SUCCESS}.
   */
  public Path outbox(String campaign, String destination, LocalDate date) {
    return datePartition(new Path(new Path(new Path(root, OUTBOX), campaign), destination), date);
  }

  /**
   * The parts of a night whose stages ran as commands of their own (one JSON per command), from which
   * {@code report} assembles the run report: {@code reports/_stages/dt=D/}.
   */
  public Path stageRecords(LocalDate date) {
    return datePartition(new Path(root, "reports/_stages"), date);
  }

  /** The run report of a night: {@code reports/dt=D/} with run.json and report.html. */
  public Path report(LocalDate date) {
    return datePartition(new Path(root, "reports"), date);
  }

  /** Everything a run writes before publication; hidden from readers by the leading underscore. */
  public Path stagingRoot() {
    return new Path(root, "_staging");
  }

  public Path staging(String runId) {
    return new Path(stagingRoot(), runId);
  }

  public static Path datePartition(Path table, LocalDate date) {
    return new Path(table, "dt=" + date);
  }
}
