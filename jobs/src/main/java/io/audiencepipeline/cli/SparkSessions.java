package io.audiencepipeline.cli;

import io.audiencepipeline.config.Settings;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession of a job. The master comes from spark-submit; only when none is set (a
 * plain {@code java} run) does it fall back to local mode. Settings from HOCON apply only where
 * spark-submit did not set the key.
 */
public final class SparkSessions {
  private SparkSessions() {
  }

  public static SparkSession create(String appName, Map<String, String> sparkDefaults) {
    SparkConf submitted = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (!submitted.contains("spark.master")) {
      builder.master("local[*]");
    }
    for (Map.Entry<String, String> entry : sparkDefaults.entrySet()) {
      if (!submitted.contains(entry.getKey())) {
        builder.config(entry.getKey(), entry.getValue());
      }
    }
    return builder.getOrCreate();
  }

  public static SparkSession create(String appName, Settings settings) {
    return create(appName, settings.spark());
  }
}
