package io.audiencepipeline.generate;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders {@code mess.json} (and the small manifest) as pretty-printed JSON with a stable key order, so
 * that the files are byte-identical across runs.
 */
final class MessReport {
  private MessReport() {
  }

  static String json(String version, Map<String, Long> totals, Map<String, Map<String, Long>> byFeed) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("generator_version", version);
    report.put("description", "Rows carrying each kind of injected mess; 'rows' is all rows delivered, "
        + "duplicates included. Every record key is readable, so none are missing from record_person.");
    report.put("totals", totals);
    report.put("by_feed", byFeed);
    report.put("unreadable_record_keys", 0L);
    return object(report, "") + "\n";
  }

  static String object(Map<String, ?> fields, String indent) {
    String inner = indent + "  ";
    return fields.entrySet().stream()
        .map(e -> inner + quote(e.getKey()) + ": " + value(e.getValue(), inner))
        .collect(Collectors.joining(",\n", "{\n", "\n" + indent + "}"));
  }

  @SuppressWarnings("unchecked")
  private static String value(Object value, String indent) {
    if (value instanceof Map<?, ?> map) {
      return object((Map<String, ?>) map, indent);
    }
    if (value instanceof Collection<?> items) {
      return items.stream().map(i -> value(i, indent)).collect(Collectors.joining(", ", "[", "]"));
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return quote(String.valueOf(value));
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
