package io.pulsarproxy.config;

import java.time.Duration;

/**
 * Graceful shutdown.
 *
 * @param timeout {@code shutdown.timeout}: how long in-flight requests may take to finish before the proxy exits
 */
public record ShutdownConfig(Duration timeout) {

  public ShutdownConfig {
    java.util.Objects.requireNonNull(timeout, "timeout");
  }
}
