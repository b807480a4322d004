package io.pulsarproxy.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The management listener: {@code /metrics}, {@code /health/live}, {@code /health/ready}. {@link #toString()} hides
 * the metrics token.
 *
 * @param host         {@code management.host}
 * @param port         {@code management.port} (0 picks a free port)
 * @param tls          {@code management.tls.*}: HTTPS when a certificate is configured
 * @param metricsToken {@code management.metricsToken}: when set, {@code /metrics} answers 401 unless the request
 *                     carries {@code Authorization: Bearer <token>}; the health endpoints stay open for probes
 */
public record ManagementConfig(String host, int port, TlsConfig tls, Optional<Secret> metricsToken) {

  public ManagementConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(metricsToken, "metricsToken (Optional.empty() for none)");
  }

  /** Without TLS and without a metrics token. */
  public ManagementConfig(String host, int port) {
    this(host, port, TlsConfig.DISABLED, Optional.empty());
  }
}
