package io.pulsarproxy.core.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.bus.BusErrors;
import io.pulsarproxy.core.bus.ServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The typed client of the consume service ({@link ConsumerVerticle}): the {@link ConsumerCommand}s of
 * {@code Addresses.CONSUMER}, how long each may take ({@code pulsar.operationTimeout} and
 * {@link ServiceClient#MARGIN_MS}, as last configured), and the unwrapping of their {@link CommandReply}. Every
 * future completes on the caller's context; a failure is always a {@link io.pulsarproxy.core.error.ProxyException}:
 * the service's own error, or one for which {@link #unanswered} is true.
 */
public final class ConsumerClient extends ServiceClient {
  public ConsumerClient(Vertx vertx, ProxyConfig config) {
    super(vertx, config, "the consume service");
  }

  /**
   * Opens the subscription or reader of {@code spec} for session {@code sessionId}, acting at the broker with
   * {@code brokerToken} (null: the proxy's own credentials). Completes once it exists on the Pulsar side; its
   * messages then go to {@code Addresses.session(sessionId)}, as permits allow.
   */
  public Future<Void> open(String sessionId, SessionSpec spec, Secret brokerToken) {
    return open(sessionId, spec, brokerToken, false);
  }

  /** As {@link #open(String, SessionSpec, Secret)}; with {@code decodeValues} typed messages come decoded. */
  public Future<Void> open(String sessionId, SessionSpec spec, Secret brokerToken, boolean decodeValues) {
    return send(new ConsumerCommand.Open(sessionId, spec, brokerToken, decodeValues)).mapEmpty();
  }

  /** Whether the session's topic is terminated and everything on it was read. */
  public Future<Boolean> isEndOfTopic(String sessionId) {
    return send(new ConsumerCommand.IsEndOfTopic(sessionId)).map(Boolean.TRUE::equals);
  }

  /** Whether a reader session has more messages to read now. */
  public Future<Boolean> hasMessageAvailable(String sessionId) {
    return send(new ConsumerCommand.HasMessageAvailable(sessionId)).map(Boolean.TRUE::equals);
  }

  /** Closes the session's Pulsar side; with {@code unsubscribe}, removes its subscription first. */
  public Future<Void> close(String sessionId, boolean unsubscribe) {
    return send(new ConsumerCommand.Close(sessionId, unsubscribe)).mapEmpty();
  }

  /** Sends any command; completes with the value of the service's answer (null for most commands). */
  public Future<Object> send(ConsumerCommand command) {
    return this.<CommandReply>request(Addresses.CONSUMER, command, operationTimeoutMs())
        .compose(reply -> reply.isOk() ? Future.succeededFuture(reply.value()) : Future.failedFuture(reply.error()));
  }

  /**
   * Whether a command failed without an answer from the service (see {@link BusErrors#unanswered}): permits it
   * carried may not have been taken.
   */
  public static boolean unanswered(Throwable err) {
    return BusErrors.unanswered(err);
  }
}
