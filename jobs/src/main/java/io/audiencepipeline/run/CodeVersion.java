package io.audiencepipeline.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of the code that ran, for manifests and reports: the project version and the git commit the
 * build was made from ({@code io/audiencepipeline/build.properties}, written by git-commit-id-maven-plugin),
 * e.g. {@code 0.1.0-SNAPSHOT+d21263f}, with {@code .dirty} when the working tree had uncommitted changes.
 */
public final class CodeVersion {
  private static final String RESOURCE = "/io/audiencepipeline/build.properties";
  private static final String VERSION = load();

  private CodeVersion() {
  }

  public static String get() {
    return VERSION;
  }

  private static String load() {
    Properties properties = new Properties();
    try (InputStream in = CodeVersion.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String version = properties.getProperty("git.build.version", "unknown");
    String commit = properties.getProperty("git.commit.id.abbrev");
    if (commit == null || commit.isEmpty()) {
      return version;
    }
    return version + "+" + commit + ("true".equals(properties.getProperty("git.dirty")) ? ".dirty" : "");
  }
}
