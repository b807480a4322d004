package io.pulsarproxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS of one listener ({@code http.tls.*} for the client listener, {@code management.tls.*} for the management one).
 * TLS is on when a certificate ({@code certFile} + {@code keyFile}, PEM) or a key store ({@code keyStoreFile},
 * PKCS#12) is configured; only TLS 1.2 and 1.3 are offered. The files are read again every {@code reloadInterval}
 * and a changed content is served to new connections without a restart. {@link #toString()} hides the key store
 * password.
 *
 * @param certFile         {@code <listener>.tls.certFile}: PEM certificate chain, the server's certificate first
 * @param keyFile          {@code <listener>.tls.keyFile}: PEM private key (PKCS#8, {@code BEGIN PRIVATE KEY}) of {@code certFile}
 * @param keyStoreFile     {@code <listener>.tls.keyStoreFile}: PKCS#12 key store, instead of certFile + keyFile
 * @param keyStorePassword {@code <listener>.tls.keyStorePassword}: password of the key store (secret)
 * @param clientAuth       {@code <listener>.tls.clientAuth}: whether clients present a certificate
 * @param trustFile        {@code <listener>.tls.trustFile}: PEM bundle of the CAs that client certificates must chain
 *                         to; required when {@code clientAuth} is not {@code NONE}
 * @param reloadInterval   {@code <listener>.tls.reloadInterval}: how often the files are checked for a change
 *                         ({@code 0}: never)
 */
public record TlsConfig(
    Optional<Path> certFile,
    Optional<Path> keyFile,
    Optional<Path> keyStoreFile,
    Optional<Secret> keyStorePassword,
    ClientAuth clientAuth,
    Optional<Path> trustFile,
    Duration reloadInterval) {

  /** No TLS: plain HTTP. */
  public static final TlsConfig DISABLED = new TlsConfig(Optional.empty(), Optional.empty(), Optional.empty(),
      Optional.empty(), ClientAuth.NONE, Optional.empty(), Duration.ofSeconds(10));

  /** Whether clients present a certificate, checked against {@code trustFile}. */
  public enum ClientAuth {
    /** No client certificate is asked for. */
    NONE,
    /** A client certificate is asked for; a client without one is still accepted. */
    REQUEST,
    /** A connection without a client certificate that chains to {@code trustFile} is refused. */
    REQUIRE
  }

  public TlsConfig {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(keyStoreFile, "keyStoreFile");
    Objects.requireNonNull(keyStorePassword, "keyStorePassword");
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(trustFile, "trustFile");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
  }

  /** A PEM certificate and key, no client certificates. */
  public static TlsConfig pem(Path certFile, Path keyFile) {
    return new TlsConfig(Optional.of(certFile), Optional.of(keyFile), Optional.empty(), Optional.empty(),
        ClientAuth.NONE, Optional.empty(), DISABLED.reloadInterval());
  }

  /** Whether the listener speaks TLS: a certificate or a key store is configured. */
  public boolean enabled() {
    return certFile.isPresent() || keyStoreFile.isPresent();
  }
}
