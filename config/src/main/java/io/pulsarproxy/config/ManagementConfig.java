package io.pulsarproxy.config;

/**
 * The management listener: {@code /metrics}, {@code /health/live}, {@code /health/ready}.
 *
 * @param host {@code management.host}
 * @param port {@code management.port} (0 picks a free port)
 */
public record ManagementConfig(String host, int port) {

  public ManagementConfig {
    java.util.Objects.requireNonNull(host, "host");
  }
}
