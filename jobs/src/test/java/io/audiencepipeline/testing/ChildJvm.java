package io.audiencepipeline.testing;

import io.audiencepipeline.cli.AudiencePipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The CLI (or another main class of the tests) in a JVM of its own: the test JVM's class path and Spark's JVM flags,
 * output to a log file.
 */
public final class ChildJvm {
  private ChildJvm() {
  }

  public static Process launch(String[] args, Path log) throws IOException {
    return launch(args, log, List.of(), Map.of());
  }

  /**
   * @param jvmArgs extra JVM arguments (e.g. {@code -Dspark.master=...})
   * @param environment extra environment variables
   */
  public static Process launch(String[] args, Path log, List<String> jvmArgs, Map<String, String> environment)
      throws IOException {
    return launch(AudiencePipeline.class.getName(), args, log, jvmArgs, environment);
  }

  /** Another main class of the test class path, in a JVM of its own. */
  public static Process launch(String mainClass, String[] args, Path log, List<String> jvmArgs,
      Map<String, String> environment) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags());
    command.addAll(List.of("-Xmx1g", "-Dspark.ui.enabled=false", "-Djava.net.preferIPv4Stack=true"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().putAll(environment);
    return builder.start();
  }

  /** Spark's JVM flags for Java 17, as the build writes them for scripts/. */
  public static List<String> jvmFlags() throws IOException {
    return Arrays.asList(Files.readString(Path.of("target", "launcher", "jvm-flags.txt")).trim().split("\\s+"));
  }
}
