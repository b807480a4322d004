package io.pulsarproxy.config;

import java.time.Duration;
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
 * @param lagInterval  {@code management.lagInterval}: how often the lag of each subscription is sampled; zero turns
 *                     the sampling off
 * @param lagMaxSeries {@code management.lagMaxSeries}: subscriptions with a lag series of their own
 */
public record ManagementConfig(String host, int port, TlsConfig tls, Optional<Secret> metricsToken,
    Duration lagInterval, int lagMaxSeries) {

  /** The defaults of {@code management.lagInterval} and {@code management.lagMaxSeries}. */
  public static final Duration DEFAULT_LAG_INTERVAL = Duration.ofSeconds(15);
  public static final int DEFAULT_LAG_MAX_SERIES = 100;

  public ManagementConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(metricsToken, "metricsToken (Optional.empty() for none)");
    Objects.requireNonNull(lagInterval, "lagInterval");
  }

  /** Without TLS and without a metrics token, lag sampled at the defaults. */
  public ManagementConfig(String host, int port) {
    this(host, port, TlsConfig.DISABLED, Optional.empty(), DEFAULT_LAG_INTERVAL, DEFAULT_LAG_MAX_SERIES);
  }
}
