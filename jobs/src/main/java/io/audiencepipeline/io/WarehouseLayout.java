package io.audiencepipeline.io;

import java.time.LocalDate;
import org.apache.hadoop.fs.Path;

/** The one definition of where every table lives under the warehouse root (DESIGN.md storage layout). */
public final class WarehouseLayout {
  private final Path root;

  public WarehouseLayout(String root) {
    this.root = new Path(root);
  }

  public Path root() {
    return root;
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
