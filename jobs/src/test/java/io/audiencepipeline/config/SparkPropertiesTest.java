package io.audiencepipeline.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.spark.network.util.JavaUtils;
import org.junit.jupiter.api.Test;

/**
 * conf/spark/*.properties (the cluster sizing of docs/OPERATIONS.md) load as spark-submit loads them: every key is
 * a Spark setting with a value, sizes and counts parse as Spark parses them, and the pod or container limit (heap
 * plus overhead) is what the docs say.
 */
class SparkPropertiesTest {
  private static final List<String> FILES = List.of("yarn-10m.properties", "k8s-10m.properties");

  private static Properties load(String name) throws IOException {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of("..", "conf", "spark", name))) {
      properties.load(in);
    }
    return properties;
  }

  @Test
  void everySettingIsASparkSettingThatParses() throws IOException {
    for (String file : FILES) {
      Properties properties = load(file);
      assertFalse(properties.isEmpty(), file);
      for (String key : properties.stringPropertyNames()) {
        String value = properties.getProperty(key).trim();
        assertTrue(key.startsWith("spark."), file + ": " + key + " is not a Spark setting");
        assertFalse(value.isEmpty(), file + ": " + key + " has no value");
        if (key.endsWith(".memory") || key.endsWith("memoryOverhead") || key.endsWith("maxResultSize")
            || key.endsWith("InBytes") || key.endsWith("Threshold") || key.endsWith("maxPartitionBytes")
            || key.endsWith("buffer.max")) {
          assertDoesNotThrow(() -> JavaUtils.byteStringAsBytes(value), file + ": " + key + " = " + value);
        }
        if (key.endsWith(".request.cores")) {
          // A Kubernetes CPU quantity (3500m = 3.5 cores), not Spark's task slot count.
          assertTrue(value.matches("\\d+(m|\\.\\d+)?"), file + ": " + key + " = " + value);
        } else if (key.endsWith("Executors") || key.endsWith(".cores") || key.endsWith(".instances")
            || key.endsWith("shuffle.partitions")) {
          assertDoesNotThrow(() -> Integer.parseInt(value), file + ": " + key + " = " + value);
        }
      }
    }
  }

  /**
   * Every key Spark's core and SQL modules define exists in their registry (a misspelt key is silently ignored by
   * spark-submit). Kubernetes and YARN keys live in modules this build does not depend on, and spark.hadoop.* is
   * passed through to Hadoop, so those are not checked here.
   */
  @Test
  void everyCoreAndSqlKeyIsOneSparkKnows() throws Exception {
    // Spark registers an entry when the object declaring it loads; core declares them in several objects.
    Class.forName("org.apache.spark.sql.internal.SQLConf$");
    for (String holder : List.of("package$", "Kryo$", "Network$", "UI$", "Status$", "Deploy$", "Worker$",
        "History$", "Python$", "Tests$")) {
      try {
        Class.forName("org.apache.spark.internal.config." + holder);
      } catch (ClassNotFoundException e) {
        // Not every holder exists in every Spark version; a key it would declare then fails below.
      }
    }
    for (String file : FILES) {
      for (String key : load(file).stringPropertyNames()) {
        // spark.master is read by spark-submit and SparkContext directly, not through a registered entry.
        if (key.startsWith("spark.kubernetes.") || key.startsWith("spark.yarn.") || key.startsWith("spark.hadoop.")
            || key.equals("spark.master")) {
          continue;
        }
        assertTrue(org.apache.spark.internal.config.ConfigEntry$.MODULE$.findEntry(key) != null,
            file + ": Spark 4.1 defines no setting " + key);
      }
    }
  }

  @Test
  void executorsGetFourGigabytesOfHeapPerCoreAQuarterMoreForOverheadAndAreKept() throws IOException {
    for (String file : FILES) {
      Properties p = load(file);
      long heap = JavaUtils.byteStringAsGb(p.getProperty("spark.executor.memory"));
      long overhead = JavaUtils.byteStringAsGb(p.getProperty("spark.executor.memoryOverhead"));
      int cores = Integer.parseInt(p.getProperty("spark.executor.cores"));
      assertEquals(4, heap / cores, file);
      assertEquals(heap / 4, overhead, file);
      String idle = p.getProperty("spark.dynamicAllocation.cachedExecutorIdleTimeout");
      assertTrue(idle == null || JavaUtils.timeStringAsSec(idle) >= 24 * 3600, file
          + ": unify's and the features' local checkpoint blocks live in executors, which must not be released"
          + " during the night");
    }
  }
}
