package io.pulsarproxy.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of one listener, from its {@link TlsConfig}: the server options (TLS 1.2 and 1.3 only, ALPN for HTTP/2,
 * client certificates against the trust bundle) and, once the server listens, a check of the files every
 * {@code reloadInterval} that hands a changed certificate, key or trust bundle to the running server
 * ({@link HttpServer#updateSSLOptions}). New connections get the new material; open connections carry on with theirs.
 *
 * <p>The files are read with Vert.x's asynchronous file system and compared by content, so a rotation that keeps the
 * modification time (a copied file, a Kubernetes secret's symlink swap) is seen too. A rotation caught half-way (a new
 * certificate with the old key) is refused by the server: the running material stays, a WARN line says why, and the
 * next check tries again. Use one instance per server, on the verticle's context that created it; not thread-safe.
 */
public final class ServerTls {
  /** The protocols offered: TLS 1.0 and 1.1 are refused. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

  private final Vertx vertx;
  private final TlsConfig config;
  private final String listener;
  private Material applied;
  private HttpServer server;
  private long timerId = -1;
  private boolean checking;
  private String lastProblem;

  private ServerTls(Vertx vertx, TlsConfig config, String listener, Material loaded) {
    this.vertx = vertx;
    this.config = config;
    this.listener = listener;
    this.applied = loaded;
  }

  /** The content of the files, compared by value to notice a change. */
  private record Material(Buffer cert, Buffer key, Buffer keyStore, Buffer trust) {}

  /**
   * Reads the files of {@code config} (asynchronously). Fails when one cannot be read.
   *
   * @param config   enabled TLS settings ({@link TlsConfig#enabled()})
   * @param listener names the listener in log lines, e.g. {@code http}
   */
  public static Future<ServerTls> load(Vertx vertx, TlsConfig config, String listener) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("TLS is not configured for " + listener);
    }
    return read(vertx, config).map(material -> new ServerTls(vertx, config, listener, material));
  }

  /** Adds the TLS settings to {@code options} (for the server not created yet) and returns them. */
  public HttpServerOptions configure(HttpServerOptions options) {
    ServerSSLOptions ssl = sslOptions(applied);
    return options.setSsl(true)
        .setUseAlpn(ssl.isUseAlpn())
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setTrustOptions(ssl.getTrustOptions())
        .setClientAuth(ssl.getClientAuth())
        .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
  }

  /**
   * Starts checking the files of {@code server}, which was created with {@link #configure}, every
   * {@code reloadInterval} ({@code 0}: never). Call on the context that owns the server.
   */
  public void watch(HttpServer server) {
    this.server = Objects.requireNonNull(server, "server");
    long interval = config.reloadInterval().toMillis();
    if (interval > 0 && timerId == -1) {
      timerId = vertx.setPeriodic(interval, id -> check());
    }
  }

  /** Stops checking the files. */
  public void stop() {
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /**
   * Reads the files now and, when their content changed, hands them to the server. Completes with whether the server
   * took new material; a file that cannot be read or material the server refuses keeps the running one (logged once).
   */
  public Future<Boolean> check() {
    if (checking || server == null) {
      return Future.succeededFuture(false);
    }
    checking = true;
    return read(vertx, config)
        .compose(material -> material.equals(applied) ? Future.succeededFuture(false)
            : server.updateSSLOptions(sslOptions(material), true).map(updated -> {
              applied = material;
              lastProblem = null;
              LOG.info("TLS certificate of the {} listener reloaded: new connections use it", listener);
              return true;
            }))
        .recover(err -> {
          String problem = err.getMessage();
          if (!Objects.equals(problem, lastProblem)) {
            lastProblem = problem;
            LOG.warn("TLS files of the {} listener changed but cannot be used, keeping the running certificate: {}",
                listener, problem);
          }
          return Future.succeededFuture(false);
        })
        .onComplete(done -> checking = false);
  }

  private ServerSSLOptions sslOptions(Material material) {
    KeyCertOptions keyCert = material.keyStore() != null
        ? new PfxOptions().setValue(material.keyStore())
            .setPassword(config.keyStorePassword().map(Secret::reveal).orElse(null))
        : new PemKeyCertOptions().setCertValue(material.cert()).setKeyValue(material.key());
    ServerSSLOptions ssl = new ServerSSLOptions()
        .setKeyCertOptions(keyCert)
        .setUseAlpn(true)
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setClientAuth(switch (config.clientAuth()) {
          case NONE -> ClientAuth.NONE;
          case REQUEST -> ClientAuth.REQUEST;
          case REQUIRE -> ClientAuth.REQUIRED;
        });
    if (material.trust() != null) {
      ssl.setTrustOptions(new PemTrustOptions().addCertValue(material.trust()));
    }
    return ssl;
  }

  private static Future<Material> read(Vertx vertx, TlsConfig config) {
    Future<Buffer> cert = readIfSet(vertx, config.certFile());
    Future<Buffer> key = readIfSet(vertx, config.keyFile());
    Future<Buffer> keyStore = readIfSet(vertx, config.keyStoreFile());
    Future<Buffer> trust = readIfSet(vertx, config.trustFile());
    return Future.all(cert, key, keyStore, trust)
        .map(all -> new Material(cert.result(), key.result(), keyStore.result(), trust.result()));
  }

  private static Future<Buffer> readIfSet(Vertx vertx, Optional<Path> file) {
    return file.isEmpty() ? Future.succeededFuture()
        : vertx.fileSystem().readFile(file.get().toString()).recover(err ->
            Future.failedFuture(new IllegalStateException(file.get() + " cannot be read: " + err.getMessage(), err)));
  }
}
