package io.audiencepipeline.testing;

import com.typesafe.config.ConfigFactory;
import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SettingsLoader;

/** Settings from HOCON text layered over the shipped defaults, as the CLI would load them. */
public final class TestConfigs {
  private TestConfigs() {
  }

  public static Settings settings(String hocon) {
    return SettingsLoader.fromConfig(ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }
}
