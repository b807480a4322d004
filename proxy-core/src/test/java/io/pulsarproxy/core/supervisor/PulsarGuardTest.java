package io.pulsarproxy.core.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ResilienceConfig;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pulsar.client.api.PulsarClientException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class PulsarGuardTest {
  private static final ResilienceConfig FAST = new ResilienceConfig(Duration.ofMillis(1), Duration.ofMillis(5), 3,
      Duration.ofMinutes(1));
  private static final Duration WAIT = Duration.ofMillis(300);
  private final AtomicInteger attempts = new AtomicInteger();

  @BeforeEach
  void codecs(Vertx vertx) {
    Codecs.register(vertx);
  }

  /** Runs {@code then} once {@code condition} holds (checked on the event loop; the test's timeout bounds it). */
  private static void whenTrue(Vertx vertx, java.util.function.BooleanSupplier condition, Runnable then) {
    vertx.setPeriodic(1, 5, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        then.run();
      }
    });
  }

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  @Test
  void retriesRetriableFailuresUntilTheyPass(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PulsarGuard guard = new PulsarGuard(vertx, "t", FAST, WAIT);
      guard.call(() -> attempts.incrementAndGet() < 3
          ? Future.failedFuture(new ConnectException("refused")) : Future.succeededFuture("ok"), in(Duration.ofSeconds(30)))
          .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
            assertThat(result).isEqualTo("ok");
            assertThat(attempts).hasValue(3);
            ctx.completeNow();
          })));
    });
  }

  @Test
  void answersOtherFailuresAtOnce(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> new PulsarGuard(vertx, "t", FAST, WAIT)
        .call(() -> {
          attempts.incrementAndGet();
          return Future.failedFuture(new PulsarClientException.TopicDoesNotExistException("gone"));
        }, in(Duration.ofSeconds(30)))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND);
          assertThat(attempts).hasValue(1);
          ctx.completeNow();
        }))));
  }

  @Test
  void aCreationThatTimesOutMeansTheBrokerIsUnavailableNotA504(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> new PulsarGuard(vertx, "t", FAST, WAIT)
        .call(() -> Future.failedFuture(new PulsarClientException.TimeoutException("lookup timed out")),
            System.nanoTime())
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
          ctx.completeNow();
        }))));
  }

  @Test
  void opensAfterConsecutiveFailuresAndThenFailsWithoutTrying(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PulsarGuard guard = new PulsarGuard(vertx, "t", FAST, WAIT);
      guard.call(() -> {
        attempts.incrementAndGet();
        return Future.failedFuture(new ConnectException("refused"));
      }, in(Duration.ofSeconds(30))).onComplete(ctx.failing(first -> ctx.verify(() -> {
        // three failures open the circuit; the next attempt was refused by it
        assertThat(attempts).hasValue(3);
        assertThat(guard.isOpen()).isTrue();
        assertThat(((ProxyException) first).code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
        guard.call(() -> {
          attempts.incrementAndGet();
          return Future.succeededFuture("never");
        }, in(Duration.ofSeconds(30))).onComplete(ctx.failing(second -> ctx.verify(() -> {
          assertThat(attempts).hasValue(3);
          assertThat(second.getMessage()).contains("not reachable");
          ctx.completeNow();
        })));
      })));
    });
  }

  @Test
  void stopsRetryingAtTheDeadline(Vertx vertx, VertxTestContext ctx) {
    ResilienceConfig slow = new ResilienceConfig(Duration.ofMillis(200), Duration.ofSeconds(1), 100,
        Duration.ofMinutes(1));
    vertx.runOnContext(v -> new PulsarGuard(vertx, "t", slow, WAIT)
        .call(() -> {
          attempts.incrementAndGet();
          return Future.failedFuture(new ConnectException("refused"));
        }, System.nanoTime())
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          // the first attempt always runs; any backoff (full jitter: anywhere from 1 ms) would end after the deadline
          assertThat(attempts).hasValue(1);
          assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
          ctx.completeNow();
        }))));
  }

  @Test
  void opensWhenTheSupervisorReportsTheClusterDownAndClosesWhenItAnswers(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PulsarGuard guard = new PulsarGuard(vertx, "t", FAST, WAIT);
      vertx.eventBus().publish(Addresses.PULSAR_STATE,
          new BrokerStatus(BrokerStatus.State.DOWN, "probe failed", Instant.now(), "pulsar://a:6650"), Codecs.LOCAL);
      whenTrue(vertx, guard::isOpen, () -> {
        vertx.eventBus().publish(Addresses.PULSAR_STATE,
            new BrokerStatus(BrokerStatus.State.UP, "answered", Instant.now(), "pulsar://a:6650"), Codecs.LOCAL);
        whenTrue(vertx, () -> !guard.isOpen(), ctx::completeNow);
      });
    });
  }

  private static void publish(Vertx vertx, BrokerStatus.State state) {
    vertx.eventBus().publish(Addresses.PULSAR_STATE,
        new BrokerStatus(state, state.name(), Instant.now(), "pulsar://a:6650"), Codecs.LOCAL);
  }

  @Test
  void holdsNewWorkWhileTheClusterIsDownAndLetsItGoWhenItAnswers(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PulsarGuard guard = new PulsarGuard(vertx, "t", FAST, Duration.ofMinutes(1));
      publish(vertx, BrokerStatus.State.DOWN);
      whenTrue(vertx, guard::isOpen, () -> {
        Future<Void> held = guard.admit();
        ctx.verify(() -> assertThat(held.isComplete()).isFalse());
        publish(vertx, BrokerStatus.State.UP);
        held.onComplete(ctx.succeedingThenComplete());
      });
    });
  }

  @Test
  void refusesHeldAndNewWorkOnceTheClusterIsDownForTheOutageWait(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PulsarGuard guard = new PulsarGuard(vertx, "t", FAST, WAIT);
      publish(vertx, BrokerStatus.State.DOWN);
      whenTrue(vertx, guard::isOpen, () -> {
        long start = System.nanoTime();
        guard.admit().onComplete(ctx.failing(err -> ctx.verify(() -> {
          long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
          assertThat(err.getMessage()).doesNotContain("Exception");
          assertThat(heldMs).isLessThan(WAIT.toMillis() + 1_000);
          Future<Void> next = guard.admit();
          assertThat(next.failed()).as("refused at once during a confirmed outage").isTrue();
          ctx.completeNow();
        })));
      });
    });
  }

  @Test
  void failsWorkWaitingOnPulsarWhenTheOutageIsConfirmedAndClosesWhatItCreatesLate(Vertx vertx,
      VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      PulsarGuard guard = new PulsarGuard(vertx, "t", FAST, WAIT);
      io.vertx.core.Promise<String> pulsar = io.vertx.core.Promise.promise();
      AtomicInteger outages = new AtomicInteger();
      guard.onOutage(outages::incrementAndGet);
      guard.call(pulsar::future, in(Duration.ofMinutes(1)), late -> ctx.verify(() -> {
        assertThat(late).isEqualTo("created late");
        assertThat(outages).hasValue(1);
        ctx.completeNow();
      })).onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
        pulsar.complete("created late");
      })));
      publish(vertx, BrokerStatus.State.DOWN);
    });
  }
}
