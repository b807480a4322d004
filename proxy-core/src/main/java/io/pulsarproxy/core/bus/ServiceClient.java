package io.pulsarproxy.core.bus;

import io.pulsarproxy.config.ProxyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * What the typed clients of the core services share: the request to a service on the event bus, how long it may
 * take, and the mapping of a missing answer to the proxy's error model ({@link BusErrors}). Futures complete on the
 * caller's context.
 */
public abstract class ServiceClient {
  /**
   * What a client waits beyond the Pulsar timeouts of the operation it asked for, so that the service's own answer
   * (Pulsar's error, with its meaning) comes before the bus gives up.
   */
  public static final long MARGIN_MS = 5_000;

  private final Vertx vertx;
  private final String service;
  private volatile ProxyConfig config;

  /** @param service names the service in error messages, e.g. "the produce service" */
  protected ServiceClient(Vertx vertx, ProxyConfig config, String service) {
    this.vertx = vertx;
    this.config = config;
    this.service = service;
  }

  /** Later requests wait as long as {@code newConfig} says. */
  public final void reconfigure(ProxyConfig newConfig) {
    config = newConfig;
  }

  protected final ProxyConfig config() {
    return config;
  }

  protected final Vertx vertx() {
    return vertx;
  }

  /** How long a request for one Pulsar operation may take: {@code pulsar.operationTimeout} and the margin. */
  protected final long operationTimeoutMs() {
    return config.pulsar().operationTimeout().toMillis() + MARGIN_MS;
  }

  /**
   * Sends {@code body} to {@code address} and completes with the reply's body. Fails with {@link BusErrors#map}'s
   * error when no answer came within {@code timeoutMs} or nothing listens there.
   */
  protected final <T> Future<T> request(String address, Object body, long timeoutMs) {
    return vertx.eventBus().<T>request(address, body, new DeliveryOptions(Codecs.LOCAL).setSendTimeout(timeoutMs))
        .recover(err -> Future.failedFuture(BusErrors.map(err, service)))
        .map(reply -> reply.body());
  }
}
