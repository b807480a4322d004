package io.pulsarproxy.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link LogConfig} to Logback at runtime: the root level, and one level per named logger. A logger that was
 * named in a previous {@link LogConfig} but no longer is gets back the level it had before this class first changed
 * it (usually the one from {@code logback.xml}, or none: it then inherits). Does nothing, with one warning, when SLF4J
 * is not bound to Logback. Not thread-safe: call it from one thread (the ConfigVerticle's event loop); Logback itself
 * is safe to reconfigure while other threads log.
 */
final class LogLevels {
  private static final Logger LOG = LoggerFactory.getLogger(LogLevels.class);

  /** Level of each logger before this class first set it ({@code null} values: inherited). */
  private final Map<String, Level> originals = new HashMap<>();
  private Set<String> named = Set.of();
  private boolean warned;

  void apply(LogConfig config) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      if (!warned) {
        warned = true;
        LOG.warn("log levels from the configuration are not applied: SLF4J is bound to {}, not Logback",
            factory.getClass().getName());
      }
      return;
    }
    set(context, Logger.ROOT_LOGGER_NAME, Level.toLevel(config.level()));
    Set<String> next = new HashSet<>(config.loggers().keySet());
    config.loggers().forEach((name, level) -> set(context, name, Level.toLevel(level)));
    for (String gone : named) {
      if (!next.contains(gone)) {
        context.getLogger(gone).setLevel(originals.get(gone));
      }
    }
    named = next;
  }

  private void set(LoggerContext context, String name, Level level) {
    ch.qos.logback.classic.Logger logger = context.getLogger(name);
    if (!originals.containsKey(name)) {
      originals.put(name, logger.getLevel());
    }
    logger.setLevel(level);
  }
}
