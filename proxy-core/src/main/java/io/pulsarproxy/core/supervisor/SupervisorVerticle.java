package io.pulsarproxy.core.supervisor;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.PulsarConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.config.WsConfig;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.SizeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the one {@link PulsarClient} of the proxy, knows whether Pulsar is reachable, and fails over between clusters.
 *
 * <p>Every {@code pulsar.probeInterval} it asks each configured cluster for the partitions of
 * {@code pulsar.probeTopic}: a real lookup round trip. An answer (even "not found" or "not authorised") means the
 * cluster is up; an error or no answer within the probe timeout means down. With one cluster the shared client
 * itself is probed; with several ({@code pulsar.serviceUrls}, primary first) each has a small probe client.
 *
 * <p>States, published on {@link Addresses#PULSAR_STATE} as {@link BrokerStatus} and exported as metrics:
 * UP (the primary answers), DOWN (the cluster in use does not), FAILED_OVER (the primary was down for
 * {@code pulsar.failoverAfter}, so the client was switched with {@code updateServiceUrl} to the first secondary that
 * answers). The proxy switches back once the primary has answered for {@code pulsar.switchBackAfter}. Producers and
 * consumers follow the switch by themselves (the client reconnects them). {@link Addresses#PULSAR_STATUS} answers the
 * current state as JSON; readiness asks it.
 *
 * <p>It also owns the clients that act with forwarded client tokens ({@link #clients()}): they follow the same
 * cluster switches, and unused ones are closed after {@code ws.tokenClientIdleTimeout}.
 */
public final class SupervisorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SupervisorVerticle.class);

  private final ProxyMetrics metrics;
  /** Read by other threads when they build a token's client. */
  private volatile PulsarConfig config;
  private volatile String activeServiceUrl;
  private volatile PulsarClient client;
  private final TokenClients tokenClients;
  private List<ClusterProbe> clusters = List.of();
  /** Probe clients of a multi-cluster setup, index for index with {@link #clusters}; empty with one cluster. */
  private List<PulsarClient> probeClients = List.of();
  private int active;
  private BrokerStatus status;
  private long probeTimer;
  private long tokenEvictionTimer;

  public SupervisorVerticle(ProxyConfig config, ProxyMetrics metrics) {
    this.config = config.pulsar();
    this.activeServiceUrl = this.config.clusters().get(0);
    this.metrics = metrics;
    WsConfig ws = config.ws();
    this.tokenClients = new TokenClients(this::client, this::buildTokenClient, ws.maxTokenClients(),
        ws.tokenClientIdleTimeout(), System::nanoTime);
    this.tokenClients.updateServiceUrl(activeServiceUrl);
  }

  /** The shared client and the clients of forwarded tokens; usable once this verticle has started. Thread-safe. */
  public PulsarClients clients() {
    return tokenClients;
  }

  /** The shared client; valid once this verticle has started. Thread-safe. */
  public PulsarClient client() {
    PulsarClient c = client;
    if (c == null) {
      throw new IllegalStateException("the supervisor has not started");
    }
    return c;
  }

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    status = new BrokerStatus(BrokerStatus.State.STARTING, "no probe answered yet", Instant.now(),
        config.clusters().get(0));
    metrics.brokerState(status.state().name());
    metrics.tokenClients(tokenClients::size);
    // Building clients starts their IO threads; keep that off the event loop.
    return vertx.executeBlocking(() -> {
          PulsarClient built = buildClient(config, config.clusters().get(0), ClientRole.SHARED, null);
          preloadLazyClientClasses();
          return built;
        })
        .compose(c -> {
          client = c;
          return useClusters(config);
        })
        .onSuccess(v -> {
          vertx.eventBus().localConsumer(Addresses.PULSAR_STATUS, msg -> msg.reply(status.toJson()));
          vertx.eventBus().localConsumer(Addresses.SHUTDOWN,
              msg -> setStatus(BrokerStatus.State.STOPPING, "shutting down"));
          vertx.eventBus().<ProxyConfig>localConsumer(Addresses.CONFIG_CHANGED, msg -> reconfigure(msg.body()));
          probeTimer = vertx.setPeriodic(0, config.probeInterval().toMillis(), id -> probeAll());
          tokenEvictionTimer = vertx.setPeriodic(TOKEN_EVICTION_PERIOD_MS, id -> evictIdleTokenClients());
          LOG.info("Pulsar client created for {}", config.clusters());
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(probeTimer);
    vertx.cancelTimer(tokenEvictionTimer);
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(Future.fromCompletionStage(tokenClients.closeAll(), context));
    probeClients.forEach(c -> closing.add(Future.fromCompletionStage(c.closeAsync(), context)));
    PulsarClient c = client;
    if (c != null) {
      closing.add(Future.fromCompletionStage(c.closeAsync(), context));
    }
    return Future.join(closing);
  }

  /** What a client is for: the proxy's own, probing a cluster, or acting with a client's forwarded token. */
  enum ClientRole { SHARED, PROBE, TOKEN }

  private static final long TOKEN_EVICTION_PERIOD_MS = 5_000;

  /**
   * Builds a client; blocks briefly (starts its threads), so call it on a worker thread. A token client
   * authenticates with {@code token} and has one IO and one listener thread; a probe client sends nothing but lookups.
   */
  static PulsarClient buildClient(PulsarConfig config, String serviceUrl, ClientRole role, Secret token)
      throws PulsarClientException {
    return configure(PulsarClient.builder(), config, serviceUrl, role, token).build();
  }

  /**
   * Applies {@code config} to {@code builder}: timeouts, threads, memory, TLS to the brokers ({@code pulsar.tls.*}) and
   * the credentials: a token client's {@code token}, else the authentication plugin ({@code pulsar.authPlugin} with
   * {@code pulsar.authParams}), else {@code pulsar.authToken}.
   *
   * @throws PulsarClientException when the authentication plugin cannot be loaded or rejects its parameters
   */
  static ClientBuilder configure(ClientBuilder builder, PulsarConfig config, String serviceUrl, ClientRole role,
      Secret token) throws PulsarClientException {
    boolean small = role != ClientRole.SHARED;
    builder
        .serviceUrl(serviceUrl)
        .operationTimeout((int) config.operationTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .connectionTimeout((int) config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .ioThreads(small ? 1 : config.ioThreads())
        .listenerThreads(small ? 1 : config.listenerThreads())
        .memoryLimit(role == ClientRole.PROBE ? 0 : config.memoryLimitBytes(), SizeUnit.BYTES)
        // Producers and consumers retry their broker with a backoff that Pulsar lets grow to a minute; capped at the
        // probe interval, they find the broker (or the secondary after a switch) within about one probe of it.
        .maxBackoffInterval(maxBackoffMillis(config), TimeUnit.MILLISECONDS)
        // The totals /metrics exports (pulsar_proxy_pulsar_*); a probe client has no producers or consumers.
        .statsInterval(role == ClientRole.PROBE ? 0 : statsSeconds(config), TimeUnit.SECONDS)
        .enableTlsHostnameVerification(config.tls().hostnameVerification());
    config.tls().trustFile().ifPresent(file -> builder.tlsTrustCertsFilePath(file.toString()));
    config.tls().certFile().ifPresent(file -> builder.tlsCertificateFilePath(file.toString()));
    config.tls().keyFile().ifPresent(file -> builder.tlsKeyFilePath(file.toString()));
    if (role == ClientRole.TOKEN) {
      if (token != null) {
        builder.authentication(AuthenticationFactory.token(token.reveal()));
      }
    } else if (config.authPlugin().isPresent()) {
      builder.authentication(config.authPlugin().get(), config.authParams().map(Secret::reveal).orElse(""));
    } else if (config.authToken().isPresent()) {
      builder.authentication(AuthenticationFactory.token(config.authToken().get().reveal()));
    }
    return builder;
  }

  /**
   * Initialises, here off the event loop, what Pulsar's client would otherwise initialise on the thread of the first
   * {@code createAsync}/{@code subscribeAsync}: the stats recorders' JSON mapper, whose class loading blocked an event
   * loop for seconds on a busy machine (the first WebSocket consumer then took 24 s to connect).
   */
  private static void preloadLazyClientClasses() {
    try {
      Class.forName("org.apache.pulsar.common.util.ObjectMapperFactory", true,
          SupervisorVerticle.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      LOG.debug("Nothing preloaded ({}): the first producer or consumer loads it", e.toString());
    }
  }

  /** {@code pulsar.statsInterval} in the whole seconds Pulsar counts in: at least 1 unless it is off. */
  static long statsSeconds(PulsarConfig config) {
    long seconds = config.statsInterval().toSeconds();
    return config.statsInterval().isZero() ? 0 : Math.max(1, seconds);
  }

  /** The longest pause between a producer's or consumer's attempts to reconnect: the probe interval, 1 s to 60 s. */
  static long maxBackoffMillis(PulsarConfig config) {
    return Math.max(1_000, Math.min(60_000, config.probeInterval().toMillis()));
  }

  /** Called from the producer and consumer services' threads; the client is built on a worker thread. */
  private CompletionStage<PulsarClient> buildTokenClient(Secret token) {
    PulsarConfig c = config;
    String url = activeServiceUrl;
    return vertx.executeBlocking(() -> buildClient(c, url, ClientRole.TOKEN, token), false).toCompletionStage();
  }

  private void evictIdleTokenClients() {
    int closed = tokenClients.evictIdle();
    if (closed > 0) {
      LOG.debug("Closed {} idle clients of forwarded tokens", closed);
    }
  }

  /** Sets up probing for the configured clusters (closing the probe clients of a previous list). */
  private Future<Void> useClusters(PulsarConfig c) {
    List<PulsarClient> old = probeClients;
    List<String> urls = c.clusters();
    Future<List<PulsarClient>> probes = urls.size() == 1
        ? Future.succeededFuture(List.of())
        : vertx.executeBlocking(() -> {
          List<PulsarClient> built = new ArrayList<>();
          for (String url : urls) {
            built.add(buildClient(c, url, ClientRole.PROBE, null));
          }
          return built;
        });
    return probes.map(built -> {
      old.forEach(PulsarClient::closeAsync);
      probeClients = built;
      clusters = urls.stream().map(ClusterProbe::new).toList();
      return null;
    });
  }

  private void reconfigure(ProxyConfig proxyConfig) {
    tokenClients.reconfigure(proxyConfig.ws().maxTokenClients(), proxyConfig.ws().tokenClientIdleTimeout());
    PulsarConfig newConfig = proxyConfig.pulsar();
    PulsarConfig old = config;
    config = newConfig;
    if (!old.clusters().equals(newConfig.clusters())) {
      useClusters(newConfig).onSuccess(v -> {
        switchTo(0, "the cluster list changed to " + newConfig.clusters());
        probeAll();
      });
    }
    if (!old.probeInterval().equals(newConfig.probeInterval())) {
      vertx.cancelTimer(probeTimer);
      probeTimer = vertx.setPeriodic(newConfig.probeInterval().toMillis(), id -> probeAll());
    }
  }

  private void probeAll() {
    if (status.state() == BrokerStatus.State.STOPPING) {
      return;
    }
    List<ClusterProbe> current = clusters;
    for (int i = 0; i < current.size(); i++) {
      probe(current, i);
    }
  }

  private void probe(List<ClusterProbe> current, int index) {
    ClusterProbe cluster = current.get(index);
    if (cluster.probing) {
      return;
    }
    cluster.probing = true;
    PulsarClient probeClient = probeClients.isEmpty() ? client : probeClients.get(index);
    long timeoutMs = Math.min(config.operationTimeout().toMillis(), Math.max(2_000, config.probeInterval().toMillis()));
    Future<Object> answer;
    try {
      answer = Future.fromCompletionStage(probeClient.getPartitionsForTopic(config.probeTopic()), context).map(p -> p);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(result -> {
      cluster.probing = false;
      if (current != clusters || status.state() == BrokerStatus.State.STOPPING) {
        return; // the cluster list changed meanwhile, or the proxy is stopping
      }
      boolean answered = result.succeeded() || brokerAnswered(result.cause());
      boolean timedOut = !answered && result.cause() instanceof java.util.concurrent.TimeoutException;
      metrics.probe(answered ? "answered" : timedOut ? "unanswered" : "refused");
      String error = answered ? null : describe(result.cause(), timeoutMs);
      if (cluster.record(answered, timedOut, error, System.nanoTime())) {
        LOG.info("Pulsar {} did not answer a probe within {} ms; seen down if the next one gets no answer either",
            cluster.serviceUrl, timeoutMs);
      }
      decide();
    });
  }

  /** Chooses the cluster to use and the state from what the probes found. */
  private void decide() {
    long now = System.nanoTime();
    ClusterProbe primary = clusters.get(0);
    ClusterProbe current = clusters.get(active);
    if (active != 0 && primary.up && primary.forNanos(now) >= config.switchBackAfter().toNanos()) {
      switchTo(0, "the primary has answered for " + config.switchBackAfter());
      return;
    }
    if (current.up) {
      setStatus(active == 0 ? BrokerStatus.State.UP : BrokerStatus.State.FAILED_OVER,
          active == 0 ? "the broker answered the probe" : "primary " + primary.serviceUrl + " unreachable: "
              + primary.lastError);
      return;
    }
    if (current.forNanos(now) >= config.failoverAfter().toNanos()) {
      for (int i = 0; i < clusters.size(); i++) {
        if (i != active && clusters.get(i).up) {
          switchTo(i, current.serviceUrl + " unreachable for " + config.failoverAfter() + ": " + current.lastError);
          return;
        }
      }
    }
    setStatus(BrokerStatus.State.DOWN, current.lastError);
  }

  private void switchTo(int index, String why) {
    String url = clusters.get(index).serviceUrl;
    try {
      client.updateServiceUrl(url);
    } catch (PulsarClientException e) {
      LOG.error("Could not switch the Pulsar client to {}: {}", url, e.getMessage());
      return;
    }
    active = index;
    activeServiceUrl = url;
    tokenClients.updateServiceUrl(url);
    LOG.warn("Switched Pulsar cluster to {} ({})", url, why);
    ClusterProbe now = clusters.get(index);
    if (now.up) {
      setStatus(index == 0 ? BrokerStatus.State.UP : BrokerStatus.State.FAILED_OVER, why);
    } else {
      setStatus(BrokerStatus.State.DOWN, now.lastError);
    }
  }

  /** Errors that can only come from a broker that is up and answering. */
  private static boolean brokerAnswered(Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return t instanceof PulsarClientException.NotFoundException
        || t instanceof PulsarClientException.TopicDoesNotExistException
        || t instanceof PulsarClientException.AuthorizationException;
  }

  private static String describe(Throwable failure, long timeoutMs) {
    if (failure instanceof java.util.concurrent.TimeoutException) {
      return "no answer from the broker within " + Duration.ofMillis(timeoutMs);
    }
    return failure.getClass().getSimpleName() + ": " + failure.getMessage();
  }

  private void setStatus(BrokerStatus.State state, String reason) {
    String cluster = clusters.isEmpty() ? config.clusters().get(0) : clusters.get(active).serviceUrl;
    if (status.state() == state && status.cluster().equals(cluster)) {
      return;
    }
    BrokerStatus previous = status;
    status = new BrokerStatus(state, reason, Instant.now(), cluster);
    if (state == BrokerStatus.State.DOWN || state == BrokerStatus.State.FAILED_OVER) {
      LOG.warn("Pulsar {} is {}: {}", cluster, state, reason);
    } else {
      LOG.info("Pulsar {} is {} (was {})", cluster, state, previous.state());
    }
    metrics.brokerState(state.name());
    vertx.eventBus().publish(Addresses.PULSAR_STATE, status, Codecs.LOCAL);
  }
}
