package io.pulsarproxy.core.supervisor;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.ResilienceConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Guards calls to Pulsar that may fail while a broker restarts or a cluster is unreachable (producer creation,
 * subscriptions): retriable failures are retried with exponential backoff and full jitter
 * ({@link RetryPolicy#exponentialDelayWithJitter}) as long as the caller's deadline allows; others fail at once.
 * A circuit breaker (vertx-circuit-breaker) opens after {@code resilience.breakerMaxFailures} consecutive retriable
 * failures, and whenever the supervisor reports the cluster DOWN, so that new work fails fast with
 * {@link ErrorCode#BROKER_UNAVAILABLE} instead of piling up; it closes again when the supervisor sees the cluster
 * answer, or after a successful trial call.
 *
 * <p>Create it in a verticle's {@code start()}; use it on that verticle's context only.
 */
public final class PulsarGuard {
  private final Vertx vertx;
  private final String name;
  private ResilienceConfig config;
  private CircuitBreaker breaker;
  private RetryPolicy backoff;
  private String cluster;

  public PulsarGuard(Vertx vertx, String name, ResilienceConfig config) {
    this.vertx = vertx;
    this.name = name;
    configure(config);
    vertx.eventBus().<BrokerStatus>consumer(Addresses.PULSAR_STATE, msg -> onBrokerStatus(msg.body()));
    vertx.eventBus().<ProxyConfig>consumer(Addresses.CONFIG_CHANGED, msg -> {
      if (!msg.body().resilience().equals(this.config)) {
        breaker.close();
        configure(msg.body().resilience());
      }
    });
  }

  private void configure(ResilienceConfig c) {
    this.config = c;
    this.backoff = RetryPolicy.exponentialDelayWithJitter(c.retryInitialDelay().toMillis(), c.retryMaxDelay().toMillis());
    this.breaker = CircuitBreaker.create(name, vertx, new CircuitBreakerOptions()
            .setMaxFailures(c.breakerMaxFailures())
            .setResetTimeout(c.breakerResetTimeout().toMillis())
            .setTimeout(-1)
            .setMaxRetries(0))
        .failurePolicy(result -> result.failed() && retriable(PulsarErrors.map(result.cause()).code()));
  }

  private void onBrokerStatus(BrokerStatus status) {
    if (status.state() == BrokerStatus.State.DOWN) {
      breaker.open();
    } else if (status.serving() && (breaker.state() != CircuitBreakerState.CLOSED
        || !status.cluster().equals(cluster))) {
      // The supervisor saw a cluster answer: start afresh (an open breaker cannot be reset before its timeout).
      breaker.close();
      configure(config);
    }
    cluster = status.cluster();
  }

  /** Whether new work is refused at once. */
  public boolean isOpen() {
    return breaker.state() == CircuitBreakerState.OPEN;
  }

  /**
   * Runs {@code action}, retrying retriable failures until it succeeds, fails otherwise, or the next attempt would
   * start after {@code deadlineNanos} ({@link System#nanoTime()} based). Fails with a {@link ProxyException}.
   */
  public <T> Future<T> call(Supplier<Future<T>> action, long deadlineNanos) {
    return attempt(action, deadlineNanos, 1);
  }

  private <T> Future<T> attempt(Supplier<Future<T>> action, long deadlineNanos, int attempt) {
    return breaker.<T>execute(() -> {
      try {
        return action.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }).recover(err -> {
      if (err instanceof OpenCircuitException) {
        return Future.failedFuture(new ProxyException(ErrorCode.BROKER_UNAVAILABLE,
            "Pulsar is unreachable (recent attempts failed or the broker is down); retry later"));
      }
      ProxyException failure = PulsarErrors.map(err);
      long delayMs = Math.max(1, backoff.delay(err, attempt));
      if (!retriable(failure.code())
          || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) >= deadlineNanos) {
        return Future.failedFuture(failure);
      }
      Promise<T> retried = Promise.promise();
      vertx.setTimer(delayMs, id -> attempt(action, deadlineNanos, attempt + 1).onComplete(retried));
      return retried.future();
    });
  }

  /** Failures that another attempt, a little later, may not see: the broker or the network, not the request. */
  static boolean retriable(ErrorCode code) {
    return code == ErrorCode.BROKER_UNAVAILABLE || code == ErrorCode.TOO_MANY_REQUESTS;
  }
}
