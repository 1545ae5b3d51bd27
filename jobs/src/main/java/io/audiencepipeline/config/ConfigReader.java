package io.audiencepipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Typed access to one block of HOCON that records a violation (with the full key) instead of throwing,
 * so a config with five mistakes reports five messages.
 */
final class ConfigReader {
  private final Config config;
  private final String prefix;
  private final Violations violations;

  ConfigReader(Config config, String prefix, Violations violations) {
    this.config = config;
    this.prefix = prefix;
    this.violations = violations;
  }

  ConfigReader child(String key) {
    if (!config.hasPath(key)) {
      return new ConfigReader(com.typesafe.config.ConfigFactory.empty(), key(key), violations);
    }
    try {
      return new ConfigReader(config.getConfig(key), key(key), violations);
    } catch (ConfigException.WrongType e) {
      violations.add(key(key), "expected an object");
      return new ConfigReader(com.typesafe.config.ConfigFactory.empty(), key(key), violations);
    }
  }

  String key(String key) {
    if (key.isEmpty()) {
      return prefix;
    }
    return prefix.isEmpty() ? key : prefix + "." + key;
  }

  Violations violations() {
    return violations;
  }

  void fail(String key, String problem) {
    violations.add(key(key), problem);
  }

  boolean has(String key) {
    return config.hasPath(key);
  }

  boolean isObject(String key) {
    return config.hasPath(key) && config.getValue(key).valueType() == ConfigValueType.OBJECT;
  }

  boolean isList(String key) {
    return config.hasPath(key) && config.getValue(key).valueType() == ConfigValueType.LIST;
  }

  String string(String key) {
    if (!config.hasPath(key)) {
      fail(key, "is required (expected a string)");
      return "";
    }
    try {
      return config.getString(key);
    } catch (ConfigException.WrongType e) {
      fail(key, "expected a string");
      return "";
    }
  }

  String optionalString(String key) {
    return config.hasPath(key) ? string(key) : null;
  }

  boolean bool(String key) {
    try {
      return config.getBoolean(key);
    } catch (ConfigException.Missing e) {
      fail(key, "is required (expected true or false)");
    } catch (ConfigException.WrongType e) {
      fail(key, "expected true or false");
    }
    return false;
  }

  boolean bool(String key, boolean fallback) {
    return config.hasPath(key) ? bool(key) : fallback;
  }

  int integer(String key) {
    try {
      return config.getInt(key);
    } catch (ConfigException.Missing e) {
      fail(key, "is required (expected an integer)");
    } catch (ConfigException.WrongType e) {
      fail(key, "expected an integer");
    }
    return 0;
  }

  /** An integer of at least 1 (a count, a number of days). */
  int positiveInt(String key) {
    int value = integer(key);
    if (value < 1) {
      fail(key, "must be at least 1");
    }
    return value;
  }

  double fraction(String key) {
    try {
      double value = config.getDouble(key);
      if (value < 0 || value > 1 || Double.isNaN(value)) {
        fail(key, "expected a number between 0 and 1, got " + value);
      }
      return value;
    } catch (ConfigException.Missing e) {
      fail(key, "is required (expected a number between 0 and 1)");
    } catch (ConfigException.WrongType e) {
      fail(key, "expected a number between 0 and 1");
    }
    return 0;
  }

  /** A number that must not be negative (e.g. a regularisation strength). */
  double nonNegative(String key) {
    try {
      double value = config.getDouble(key);
      if (value < 0 || Double.isNaN(value)) {
        fail(key, "expected a number of at least 0, got " + value);
      }
      return value;
    } catch (ConfigException.Missing e) {
      fail(key, "is required (expected a number of at least 0)");
    } catch (ConfigException.WrongType e) {
      fail(key, "expected a number");
    }
    return 0;
  }

  double fraction(String key, double fallback) {
    return config.hasPath(key) ? fraction(key) : fallback;
  }

  List<String> strings(String key) {
    if (!config.hasPath(key)) {
      fail(key, "is required (expected a list of strings)");
      return List.of();
    }
    try {
      return List.copyOf(config.getStringList(key));
    } catch (ConfigException.WrongType e) {
      fail(key, "expected a list of strings");
      return List.of();
    }
  }

  List<String> strings(String key, List<String> fallback) {
    return config.hasPath(key) ? strings(key) : fallback;
  }

  /** A flat object of string values, sorted by key so that iteration order is deterministic. */
  Map<String, String> stringMap(String key) {
    Map<String, String> result = new TreeMap<>();
    if (!config.hasPath(key)) {
      return result;
    }
    if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
      fail(key, "expected an object of strings");
      return result;
    }
    for (Map.Entry<String, Object> entry : config.getObject(key).unwrapped().entrySet()) {
      Object value = entry.getValue();
      if (value instanceof Map || value instanceof List || value == null) {
        fail(key + "." + quoteIfNeeded(entry.getKey()), "expected a string");
      } else {
        result.put(entry.getKey(), String.valueOf(value));
      }
    }
    return result;
  }

  /** A list of objects, in order; each element reads as {@code key[i]}. Missing = empty. */
  List<ConfigReader> objects(String key) {
    if (!config.hasPath(key)) {
      return List.of();
    }
    try {
      List<? extends Config> list = config.getConfigList(key);
      List<ConfigReader> result = new java.util.ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        result.add(new ConfigReader(list.get(i), key(key) + "[" + i + "]", violations));
      }
      return result;
    } catch (ConfigException.WrongType e) {
      fail(key, "expected a list of objects");
      return List.of();
    }
  }

  long longValue(String key) {
    try {
      return config.getLong(key);
    } catch (ConfigException.Missing e) {
      fail(key, "is required (expected an integer)");
    } catch (ConfigException.WrongType e) {
      fail(key, "expected an integer");
    }
    return 0;
  }

  /** The names of the sub-objects of an object, sorted. */
  List<String> objectKeys(String key) {
    if (!config.hasPath(key)) {
      return List.of();
    }
    if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
      fail(key, "expected an object");
      return List.of();
    }
    return config.getObject(key).keySet().stream().sorted().toList();
  }

  Map<String, ConfigReader> children(String key) {
    Map<String, ConfigReader> result = new LinkedHashMap<>();
    for (String name : objectKeys(key)) {
      String path = key + "." + quoteIfNeeded(name);
      if (config.getValue(path).valueType() != ConfigValueType.OBJECT) {
        fail(path, "expected an object");
      } else {
        result.put(name, new ConfigReader(config.getConfig(path), key(path), violations));
      }
    }
    return result;
  }

  static String quoteIfNeeded(String name) {
    return name.matches("[A-Za-z0-9_-]+") ? name : "\"" + name.replace("\"", "\\\"") + "\"";
  }
}
