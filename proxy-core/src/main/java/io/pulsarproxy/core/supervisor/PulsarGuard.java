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
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards calls to Pulsar that may fail while a broker restarts or a cluster is unreachable (producer creation,
 * subscriptions): retriable failures are retried with exponential backoff and full jitter
 * ({@link RetryPolicy#exponentialDelayWithJitter}) as long as the caller's deadline allows; others fail at once.
 * A circuit breaker (vertx-circuit-breaker) opens after {@code resilience.breakerMaxFailures} consecutive retriable
 * failures, and whenever the supervisor reports the cluster DOWN, so that new work fails fast with
 * {@link ErrorCode#BROKER_UNAVAILABLE} instead of piling up; it closes again when the supervisor sees the cluster
 * answer, or after a successful trial call.
 *
 * <p>While the supervisor reports the cluster DOWN, new work is held (at most {@code producer.outageWait} from the
 * report) for the cluster to come back, so that a broker restart of a few seconds costs no errors. Once the cluster
 * has been down that long the outage is confirmed: held work, work still waiting on Pulsar ({@link #bound}) and new
 * work fail with {@link ErrorCode#BROKER_UNAVAILABLE} at once, and the {@link #onOutage} actions run, until the
 * supervisor sees a cluster answer again. Nothing waits for Pulsar's own timeouts while the broker is known to be down.
 *
 * <p>Create it in a verticle's {@code start()}; use it on that verticle's context only.
 */
public final class PulsarGuard {
  private static final Logger LOG = LoggerFactory.getLogger(PulsarGuard.class);
  /** Work held at once while the cluster is down, at most; more is refused at once. */
  static final int MAX_HELD = 10_000;
  static final String UNAVAILABLE = "the Pulsar broker is not reachable; retry later";

  private final Vertx vertx;
  private final String name;
  private ResilienceConfig config;
  private Duration outageWait;
  private CircuitBreaker breaker;
  private RetryPolicy backoff;
  private String cluster;
  /** Whether a state came from the supervisor (then its answer to the start-up question is stale). */
  private boolean informed;
  /** The supervisor reports the cluster DOWN. */
  private boolean down;
  /** Down for {@link #outageWait}: everything fails at once. */
  private boolean outage;
  private long outageTimer = -1;
  /** Work waiting for the cluster to come back; at most {@link #MAX_HELD}. */
  private final ArrayDeque<Promise<Void>> held = new ArrayDeque<>();
  /**
   * Work handed to Pulsar and not answered yet, failed when the outage is confirmed. As many as the creations in
   * progress, which the producer cache and {@code consumer.maxSessions} bound.
   */
  private final Set<Runnable> waitingOnPulsar = new LinkedHashSet<>();
  private final List<Runnable> outageActions = new ArrayList<>();

  public PulsarGuard(Vertx vertx, String name, ResilienceConfig config, Duration outageWait) {
    this.vertx = vertx;
    this.name = name;
    this.outageWait = outageWait;
    configure(config);
    vertx.eventBus().<BrokerStatus>localConsumer(Addresses.PULSAR_STATE, msg -> {
      informed = true;
      onBrokerStatus(msg.body());
    });
    vertx.eventBus().<ProxyConfig>localConsumer(Addresses.CONFIG_CHANGED, msg -> {
      this.outageWait = msg.body().producer().outageWait();
      if (!msg.body().resilience().equals(this.config)) {
        breaker.close();
        configure(msg.body().resilience());
      }
    });
    // A guard created after the supervisor published its first state asks for it.
    vertx.eventBus().<JsonObject>request(Addresses.PULSAR_STATUS, null).onSuccess(reply -> {
      if (!informed) {
        JsonObject s = reply.body();
        onBrokerStatus(new BrokerStatus(BrokerStatus.State.valueOf(s.getString("state")), s.getString("reason"),
            Instant.parse(s.getString("since")), s.getString("cluster")));
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
        .failurePolicy(result -> result.failed() && retriable(PulsarErrors.mapCreation(result.cause()).code()));
  }

  private void onBrokerStatus(BrokerStatus status) {
    if (status.state() == BrokerStatus.State.DOWN) {
      breaker.open();
      if (!down) {
        down = true;
        if (outageWait.isZero()) {
          confirmOutage();
        } else {
          outageTimer = vertx.setTimer(outageWait.toMillis(), id -> confirmOutage());
        }
      }
    } else if (status.serving()) {
      endOutage();
      if (breaker.state() != CircuitBreakerState.CLOSED || !status.cluster().equals(cluster)) {
        // The supervisor saw a cluster answer: start afresh (an open breaker cannot be reset before its timeout).
        breaker.close();
        configure(config);
      }
    }
    cluster = status.cluster();
  }

  private void confirmOutage() {
    outageTimer = -1;
    if (!down || outage) {
      return;
    }
    outage = true;
    LOG.debug("{}: the cluster is down for {}; failing {} held and {} pending requests", name, outageWait,
        held.size(), waitingOnPulsar.size());
    while (!held.isEmpty()) {
      held.poll().tryFail(unavailable());
    }
    List.copyOf(waitingOnPulsar).forEach(Runnable::run);
    waitingOnPulsar.clear();
    outageActions.forEach(Runnable::run);
  }

  private void endOutage() {
    down = false;
    outage = false;
    if (outageTimer != -1) {
      vertx.cancelTimer(outageTimer);
      outageTimer = -1;
    }
    while (!held.isEmpty()) {
      held.poll().tryComplete();
    }
  }

  /** Whether new work is refused at once. */
  public boolean isOpen() {
    return breaker.state() == CircuitBreakerState.OPEN;
  }

  /**
   * Completes when new work may go to Pulsar: at once while the cluster answers; while the supervisor reports it
   * down, once it is back, failing with {@link ErrorCode#BROKER_UNAVAILABLE} when it has been down for
   * {@code producer.outageWait} (at once after that); at once with that failure when the circuit is open.
   * Completes on this guard's context.
   */
  public Future<Void> admit() {
    if (outage) {
      return Future.failedFuture(unavailable());
    }
    if (down) {
      if (held.size() >= MAX_HELD) {
        return Future.failedFuture(unavailable());
      }
      Promise<Void> admitted = Promise.promise();
      held.add(admitted);
      return admitted.future();
    }
    if (isOpen()) {
      return Future.failedFuture(unavailable());
    }
    return Future.succeededFuture();
  }

  /**
   * The outcome of {@code work} handed to Pulsar, or {@link ErrorCode#BROKER_UNAVAILABLE} as soon as the outage is
   * confirmed while it is pending (Pulsar would only answer after its own timeout). What {@code work} creates after
   * that is handed to {@code abandoned}, to be closed. Completes on this guard's context.
   */
  public <T> Future<T> bound(Future<T> work, Consumer<T> abandoned) {
    if (work.isComplete()) {
      return work;
    }
    Promise<T> answer = Promise.promise();
    Runnable giveUp = () -> answer.tryFail(unavailable());
    waitingOnPulsar.add(giveUp);
    work.onComplete(result -> {
      waitingOnPulsar.remove(giveUp);
      if (result.failed()) {
        answer.tryFail(result.cause());
      } else if (!answer.tryComplete(result.result()) && abandoned != null) {
        abandoned.accept(result.result());
      }
    });
    if (outage) {
      giveUp.run();
    }
    return answer.future();
  }

  /** Runs {@code action} each time an outage is confirmed, after the work waiting on Pulsar was failed. */
  public void onOutage(Runnable action) {
    outageActions.add(action);
  }

  private static ProxyException unavailable() {
    return new ProxyException(ErrorCode.BROKER_UNAVAILABLE, UNAVAILABLE);
  }

  /**
   * Runs {@code action}, retrying retriable failures until it succeeds, fails otherwise, or the next attempt would
   * start after {@code deadlineNanos} ({@link System#nanoTime()} based). Fails with a {@link ProxyException}.
   */
  public <T> Future<T> call(Supplier<Future<T>> action, long deadlineNanos) {
    return call(action, deadlineNanos, null);
  }

  /**
   * As {@link #call(Supplier, long)}, first {@link #admit admitted}, and {@link #bound bounded} by an outage: what the
   * action creates after the caller was answered is handed to {@code abandoned}.
   */
  public <T> Future<T> call(Supplier<Future<T>> action, long deadlineNanos, Consumer<T> abandoned) {
    return admit().compose(v -> bound(attempt(action, deadlineNanos, 1), abandoned));
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
        return Future.failedFuture(unavailable());
      }
      // Only creations (producers, subscriptions, readers) are guarded: a timeout there is an unreachable broker (503).
      ProxyException failure = PulsarErrors.mapCreation(err);
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
