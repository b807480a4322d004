package io.pulsarproxy.core.supervisor;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.PulsarConfig;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.SizeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the one {@link PulsarClient} of the proxy and knows whether the broker is reachable.
 *
 * <p>Every {@code pulsar.probeInterval} it asks the broker for the partitions of {@code pulsar.probeTopic}: a real
 * lookup round trip. An answer (even "not found" or "not authorised") means UP; an error or no answer within the
 * probe timeout means DOWN. Changes are published on {@link Addresses#PULSAR_STATE} as {@link BrokerStatus} and
 * exported as metrics; {@link Addresses#PULSAR_STATUS} answers the current state as JSON (readiness asks it).
 * Reconnection itself is the client's job: producers reconnect by themselves when the broker returns.
 */
public final class SupervisorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SupervisorVerticle.class);

  private final ProxyMetrics metrics;
  private PulsarConfig config;
  private volatile PulsarClient client;
  private BrokerStatus status = new BrokerStatus(BrokerStatus.State.STARTING, "no probe answered yet", Instant.now());
  private boolean probing;
  private long probeTimer;

  public SupervisorVerticle(ProxyConfig config, ProxyMetrics metrics) {
    this.config = config.pulsar();
    this.metrics = metrics;
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
    metrics.brokerState(status.state().name());
    // Building the client starts its IO threads; keep that off the event loop.
    return vertx.executeBlocking(() -> buildClient(config)).onSuccess(c -> {
      client = c;
      vertx.eventBus().consumer(Addresses.PULSAR_STATUS, msg -> msg.reply(status.toJson()));
      vertx.eventBus().consumer(Addresses.SHUTDOWN, msg -> setStatus(BrokerStatus.State.STOPPING, "shutting down"));
      vertx.eventBus().<ProxyConfig>consumer(Addresses.CONFIG_CHANGED, msg -> reconfigure(msg.body().pulsar()));
      probeTimer = vertx.setPeriodic(0, config.probeInterval().toMillis(), id -> probe());
      LOG.info("Pulsar client created for {}", config.serviceUrl());
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(probeTimer);
    PulsarClient c = client;
    return c == null ? Future.succeededFuture() : Future.fromCompletionStage(c.closeAsync(), context);
  }

  static PulsarClient buildClient(PulsarConfig config) throws PulsarClientException {
    ClientBuilder builder = PulsarClient.builder()
        .serviceUrl(config.serviceUrl())
        .operationTimeout((int) config.operationTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .connectionTimeout((int) config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .ioThreads(config.ioThreads())
        .listenerThreads(config.listenerThreads())
        .memoryLimit(config.memoryLimitBytes(), SizeUnit.BYTES);
    if (config.authToken().isPresent()) {
      builder.authentication(AuthenticationFactory.token(config.authToken().get().reveal()));
    }
    return builder.build();
  }

  private void reconfigure(PulsarConfig newConfig) {
    PulsarConfig old = config;
    config = newConfig;
    if (!old.serviceUrl().equals(newConfig.serviceUrl())) {
      try {
        client.updateServiceUrl(newConfig.serviceUrl());
        LOG.info("Pulsar service URL changed to {}", newConfig.serviceUrl());
      } catch (PulsarClientException e) {
        LOG.warn("Could not switch to Pulsar service URL {}: {}", newConfig.serviceUrl(), e.getMessage());
      }
    }
    if (!old.probeInterval().equals(newConfig.probeInterval())) {
      vertx.cancelTimer(probeTimer);
      probeTimer = vertx.setPeriodic(newConfig.probeInterval().toMillis(), id -> probe());
    }
    if (!sameClientSettings(old, newConfig)) {
      LOG.warn("Changed Pulsar client settings other than serviceUrl and probe take effect after a restart");
    }
  }

  private static boolean sameClientSettings(PulsarConfig a, PulsarConfig b) {
    return a.authToken().equals(b.authToken()) && a.operationTimeout().equals(b.operationTimeout())
        && a.connectionTimeout().equals(b.connectionTimeout()) && a.ioThreads() == b.ioThreads()
        && a.listenerThreads() == b.listenerThreads() && a.memoryLimitBytes() == b.memoryLimitBytes();
  }

  private void probe() {
    if (probing || status.state() == BrokerStatus.State.STOPPING) {
      return;
    }
    probing = true;
    long timeoutMs = Math.min(config.operationTimeout().toMillis(),
        Math.max(2_000, config.probeInterval().toMillis()));
    Future<Object> answer;
    try {
      answer = Future.fromCompletionStage(client.getPartitionsForTopic(config.probeTopic()), context).map(p -> p);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(result -> {
          probing = false;
          if (status.state() == BrokerStatus.State.STOPPING) {
            return;
          }
          if (result.succeeded() || brokerAnswered(result.cause())) {
            setStatus(BrokerStatus.State.UP, "broker answered the probe");
          } else {
            setStatus(BrokerStatus.State.DOWN, describe(result.cause(), timeoutMs));
          }
        });
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
    if (status.state() == state) {
      return;
    }
    BrokerStatus previous = status;
    status = new BrokerStatus(state, reason, Instant.now());
    if (state == BrokerStatus.State.DOWN) {
      LOG.warn("Pulsar broker {} is DOWN: {}", config.serviceUrl(), reason);
    } else {
      LOG.info("Pulsar broker {} is {} (was {})", config.serviceUrl(), state, previous.state());
    }
    metrics.brokerState(state.name());
    vertx.eventBus().publish(Addresses.PULSAR_STATE, status, Codecs.LOCAL);
  }
}
