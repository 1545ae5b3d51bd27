package io.audiencepipeline.models.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.audiencepipeline.models.evaluation.ModelMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;

/**
 * The model registry, {@code models/<target>/v<N>/} (the saved PipelineModel under {@code model/},
 * {@code metadata.json}, {@code metrics.json}) and {@code models/<target>/CHAMPION} naming the version
 * scoring uses. Versions are published whole (staged, then renamed into place); the champion pointer is
 * replaced by an atomic rename.
 */
public final class ModelRegistry {
  public static final String CHAMPION = "CHAMPION";
  public static final String METADATA = "metadata.json";
  public static final String METRICS = "metrics.json";
  public static final String MODEL = "model";
  private static final Pattern VERSION = Pattern.compile("v([1-9][0-9]*)");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final FileSystem fs;
  private final Path root;

  /** A version read back: the model and what was recorded with it. */
  public record Loaded(PipelineModel model, ModelMetadata metadata, ModelMetrics metrics) {
    public String versionName() {
      return "v" + metadata.version();
    }
  }

  public ModelRegistry(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path versionPath(String target, int version) {
    return new Path(new Path(root, target), "v" + version);
  }

  /** Published version numbers of a target, ascending. */
  public List<Integer> versions(String target) {
    List<Integer> versions = new ArrayList<>();
    try {
      Path dir = new Path(root, target);
      if (!fs.exists(dir)) {
        return versions;
      }
      for (FileStatus status : fs.listStatus(dir)) {
        Matcher m = VERSION.matcher(status.getPath().getName());
        if (status.isDirectory() && m.matches() && fs.exists(new Path(status.getPath(), METADATA))) {
          versions.add(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + new Path(root, target), e);
    }
    versions.sort(Integer::compare);
    return versions;
  }

  /**
   * The version number a training run for {@code runDate} writes: the version already trained for that
   * date (a re-run replaces it, never adds a duplicate), else one more than the highest.
   */
  public int versionFor(String target, String runDate) {
    List<Integer> versions = versions(target);
    for (int v : versions) {
      if (metadata(target, v).trainedFor().equals(runDate)) {
        return v;
      }
    }
    return versions.isEmpty() ? 1 : versions.get(versions.size() - 1) + 1;
  }

  public Optional<Integer> champion(String target) {
    Path pointer = new Path(new Path(root, target), CHAMPION);
    try {
      if (!fs.exists(pointer)) {
        return Optional.empty();
      }
      String text;
      try (InputStream in = fs.open(pointer)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      Matcher m = VERSION.matcher(text);
      if (!m.matches()) {
        throw new IllegalStateException(pointer + " holds '" + text + "', expected v<N>");
      }
      return Optional.of(Integer.parseInt(m.group(1)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pointer, e);
    }
  }

  /**
   * Writes a version: model, metadata and metrics go to {@code staging}, then {@code publish} moves the
   * folder to {@code models/<target>/v<N>} (replacing a version of the same number).
   */
  public Path save(ModelMetadata metadata, PipelineModel model, ModelMetrics metrics, Path staging,
      BiConsumer<Path, Path> publish) {
    try {
      model.write().overwrite().save(new Path(staging, MODEL).toString());
      writeJson(new Path(staging, METADATA), metadata);
      writeJson(new Path(staging, METRICS), metrics);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model version to " + staging, e);
    }
    Path target = versionPath(metadata.target(), metadata.version());
    publish.accept(staging, target);
    return target;
  }

  /** Makes {@code version} the champion: the pointer file is replaced in one rename. */
  public void promote(String target, int version) {
    Path dir = new Path(root, target);
    Path pointer = new Path(dir, CHAMPION);
    Path temporary = new Path(dir, "_" + CHAMPION + "." + System.nanoTime());
    try {
      try (OutputStream out = fs.create(temporary, true)) {
        out.write(("v" + version + "\n").getBytes(StandardCharsets.UTF_8));
      }
      FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(fs.makeQualified(temporary),
          fs.makeQualified(pointer), Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot promote " + target + " v" + version, e);
    }
  }

  public ModelMetadata metadata(String target, int version) {
    return readJson(new Path(versionPath(target, version), METADATA), ModelMetadata.class);
  }

  /** A version's evaluation, without loading the model. */
  public ModelMetrics metrics(String target, int version) {
    return readJson(new Path(versionPath(target, version), METRICS), ModelMetrics.class);
  }

  public Loaded load(String target, int version) {
    Path path = versionPath(target, version);
    PipelineModel model = PipelineModel.load(new Path(path, MODEL).toString());
    return new Loaded(model, metadata(target, version), readJson(new Path(path, METRICS), ModelMetrics.class));
  }

  /** The champion, loaded; a clear error when there is none. */
  public Loaded loadChampion(String target) {
    int version = champion(target).orElseThrow(() -> new IllegalStateException("target '" + target
        + "' has no champion model under " + new Path(root, target) + ": run 'train' for it first"));
    return load(target, version);
  }

  /**
   * Promotion rule: the challenger becomes champion unless its ROC AUC on the same test rows is lower
   * than the champion's by more than {@code tolerance}. No comparable champion means promote.
   */
  public static boolean shouldPromote(double challengerAuc, OptionalDouble championAuc, double tolerance) {
    return championAuc.isEmpty() || Double.isNaN(championAuc.getAsDouble())
        || challengerAuc >= championAuc.getAsDouble() - tolerance;
  }

  private void writeJson(Path path, Object value) throws IOException {
    try (OutputStream out = fs.create(path, true)) {
      JSON.writeValue(out, value);
    }
  }

  private <T> T readJson(Path path, Class<T> type) {
    try (InputStream in = fs.open(path)) {
      return JSON.readValue(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
