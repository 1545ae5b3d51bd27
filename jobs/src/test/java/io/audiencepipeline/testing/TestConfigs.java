package io.audiencepipeline.testing;

import com.typesafe.config.ConfigFactory;
import io.audiencepipeline.config.Settings;
import io.audiencepipeline.config.SettingsLoader;

/** Settings from HOCON text layered over the shipped defaults, as the CLI would load them. */
public final class TestConfigs {
  private TestConfigs() {
  }

  /** Tests that are not about the salt get this one (the shipped defaults have none on purpose). */
  private static final String TEST_SALT = "audience.unify.salt = \"test-salt-0123456789\"";

  public static Settings settings(String hocon) {
    return SettingsLoader.fromConfig(ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.parseString(TEST_SALT))
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }
}
