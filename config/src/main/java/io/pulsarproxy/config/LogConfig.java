package io.pulsarproxy.config;

import java.util.Map;

/**
 * Logging. Reloadable.
 *
 * @param level   {@code log.level}: root level (TRACE, DEBUG, INFO, WARN, ERROR)
 * @param loggers {@code log.loggers}: per-logger levels, e.g. {@code io.pulsarproxy: DEBUG} (YAML only)
 */
public record LogConfig(String level, Map<String, String> loggers) {
  public LogConfig {
    java.util.Objects.requireNonNull(level, "level");
    loggers = Map.copyOf(loggers);
  }
}
