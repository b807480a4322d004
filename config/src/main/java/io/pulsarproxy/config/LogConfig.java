package io.pulsarproxy.config;

import java.util.Map;

/**
 * Logging. Levels and the access log are reloadable; the format takes effect after a restart.
 *
 * @param level   {@code log.level}: root level (TRACE, DEBUG, INFO, WARN, ERROR)
 * @param loggers {@code log.loggers}: per-logger levels, e.g. {@code io.pulsarproxy: DEBUG} (YAML only)
 * @param format  {@code log.format}: TEXT or JSON
 * @param access  {@code log.access}: whether each HTTP request is logged on {@code io.pulsarproxy.access}
 */
public record LogConfig(String level, Map<String, String> loggers, String format, boolean access) {
  public LogConfig {
    java.util.Objects.requireNonNull(level, "level");
    java.util.Objects.requireNonNull(format, "format");
    loggers = Map.copyOf(loggers);
  }

  /** Whether lines are written as JSON objects. */
  public boolean json() {
    return "JSON".equals(format);
  }
}
