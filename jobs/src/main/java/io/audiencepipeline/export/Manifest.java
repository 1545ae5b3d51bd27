package io.audiencepipeline.export;

import io.audiencepipeline.export.AudienceFiles.FileEntry;
import io.audiencepipeline.io.Documents;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code _manifest.json} of a published audience folder (DESIGN.md contract; fields in snake_case): what was
 * published, by which run and code, from which configuration, with every file's rows, bytes and SHA-256, so
 * a loader can check it received everything unaltered. Only {@code run_id} and {@code created_at} differ
 * between two runs of the same date on the same inputs.
 *
 * @param files the audience files (the diff's files are listed under {@code diff})
 * @param excluded exported customers this destination could not take, counted (never silently dropped)
 */
public record Manifest(
    int manifestVersion,
    String runId,
    String runDate,
    String createdAt,
    String campaign,
    String destination,
    String format,
    String channel,
    List<String> consentsRequired,
    List<String> keys,
    List<SchemaColumn> schema,
    List<FileEntry> files,
    long totalRows,
    Excluded excluded,
    Audience audience,
    Diff diff,
    Gate qualityGate,
    String configFingerprint,
    String codeVersion) {

  public static final String FILE_NAME = "_manifest.json";
  public static final int VERSION = 1;

  /** A column of the audience files: its header and Spark SQL type. */
  public record SchemaColumn(String name, String type) {
  }

  /**
   * @param noConsent exported customers on this destination's channel without one of its required consents
   * @param noKey rows whose key columns were all null (nothing a tool could match them by)
   */
  public record Excluded(long noConsent, long noKey) {
  }

  /** The campaign's whole audience tonight (all destinations): exported, and the control holdout kept back. */
  public record Audience(long exported, long holdout) {
  }

  /**
   * Against the previous published night of this destination (null when there is none: then every row is
   * added). Files under {@code _diff/}: added rows in the destination's columns, removed rows' keys.
   */
  public record Diff(String previousRunDate, long addedRows, long removedRows, List<FileEntry> files) {
  }

  /** The quality gate's decision; change is null without a previous non-empty audience. */
  public record Gate(String status, Long previousExported, Double change, double maxChange, boolean allowEmpty,
      String reason) {
  }

  public String toJson() {
    return Documents.toJson(this);
  }

  public void write(FileSystem fs, Path folder) {
    Documents.writeJson(fs, new Path(folder, FILE_NAME), this);
  }

  public static Manifest read(FileSystem fs, Path folder) {
    return Documents.readJson(fs, new Path(folder, FILE_NAME), Manifest.class);
  }
}
