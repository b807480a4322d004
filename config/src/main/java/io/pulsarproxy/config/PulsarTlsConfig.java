package io.pulsarproxy.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS from the proxy to the brokers ({@code pulsar+ssl://} service URLs).
 *
 * @param trustFile            {@code pulsar.tls.trustFile}: PEM bundle of the CAs the brokers' certificates chain to
 *                             (the JVM's default trust store when not set)
 * @param certFile             {@code pulsar.tls.certFile}: PEM client certificate the proxy presents to the brokers
 * @param keyFile              {@code pulsar.tls.keyFile}: PEM private key of {@code certFile}
 * @param hostnameVerification {@code pulsar.tls.hostnameVerification}: the broker's certificate must name the host the
 *                             proxy connects to
 */
public record PulsarTlsConfig(
    Optional<Path> trustFile,
    Optional<Path> certFile,
    Optional<Path> keyFile,
    boolean hostnameVerification) {

  /** The defaults: the JVM's trust store, no client certificate, host names verified. */
  public static final PulsarTlsConfig DEFAULTS =
      new PulsarTlsConfig(Optional.empty(), Optional.empty(), Optional.empty(), true);

  public PulsarTlsConfig {
    Objects.requireNonNull(trustFile, "trustFile");
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
  }
}
