package io.pulsarproxy.edge.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.QuotasConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The quota logic without a server: buckets on a clock the test moves, counts, overrides, reload, the bound. */
class QuotasTest {
  private final ManualClock clock = new ManualClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ProxyMetrics metrics = new ProxyMetrics(registry);
  private static final Principal ALICE = principal("alice");
  private static final Principal BOB = principal("bob");

  private static Principal principal(String name) {
    return new Principal(name, "jwt", Optional.empty(), null);
  }

  private static QuotasConfig config(JsonObject quotas) {
    return ConfigLoader.build(new JsonObject().put("quotas", quotas.put("enabled", true))).quotas();
  }

  private Quotas quotas(JsonObject quotas) {
    return new Quotas(config(quotas), metrics, clock);
  }

  private double throttled(String quota) {
    var counter = registry.find("pulsar_proxy_quota_throttled").tag("quota", quota).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void httpProduceOverTheRateIsRefusedWithTheSecondsUntilItFits() {
    Quotas quotas = quotas(new JsonObject().put("produceMessagesPerSecond", 10));
    quotas.checkProduce(ALICE, 6, 100);
    quotas.checkProduce(ALICE, 4, 100);
    ProxyException refused = catchThrowableOfType(ProxyException.class, () -> quotas.checkProduce(ALICE, 5, 100));
    assertThat(refused.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
    assertThat(refused.code().httpStatus()).isEqualTo(429);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.getMessage()).contains("quotas.produceMessagesPerSecond").contains("alice");
    assertThat(throttled("produce_rate")).isEqualTo(1);
    // Another principal has its own bucket.
    quotas.checkProduce(BOB, 10, 100);
    // Half a second refills five.
    clock.advance(500);
    quotas.checkProduce(ALICE, 5, 100);
    assertThat(catchThrowableOfType(ProxyException.class, () -> quotas.checkProduce(ALICE, 1, 1))).isNotNull();
  }

  @Test
  void aRefusedRequestTakesNothingFromTheBuckets() {
    Quotas quotas = quotas(new JsonObject().put("produceMessagesPerSecond", 10).put("produceBytesPerSecond", 1000));
    ProxyException refused = catchThrowableOfType(ProxyException.class, () -> quotas.checkProduce(ALICE, 1, 1500));
    // 1500 bytes fit only when the bucket is full, which it is: the request passes and leaves a debt.
    assertThat(refused).isNull();
    refused = catchThrowableOfType(ProxyException.class, () -> quotas.checkProduce(ALICE, 1, 10));
    assertThat(refused.getMessage()).contains("quotas.produceBytesPerSecond");
    // The debt of 500 bytes and the 10 asked: 0.51 s at 1000 bytes per second, so 1 s.
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(throttled("produce_bytes")).isEqualTo(1);
    clock.advance(510);
    quotas.checkProduce(ALICE, 9, 10); // the refused message was not charged: 9 + 1 earlier = 10
  }

  @Test
  void retryAfterCoversALongWait() {
    Quotas quotas = quotas(new JsonObject().put("produceBytesPerSecond", 100));
    quotas.checkProduce(ALICE, 1, 100);
    ProxyException refused = catchThrowableOfType(ProxyException.class, () -> quotas.checkProduce(ALICE, 1, 100));
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    quotas.checkProduce(BOB, 1, 450); // into debt: 350 bytes beyond a full bucket
    refused = catchThrowableOfType(ProxyException.class, () -> quotas.checkProduce(BOB, 1, 50));
    assertThat(refused.retryAfterSeconds()).isEqualTo(4); // 3.5 s for the debt, 0.5 s for the 50
  }

  @Test
  void aWebSocketProducerIsChargedForEveryFrameAndToldHowLongToPause() {
    Quotas quotas = quotas(new JsonObject().put("produceMessagesPerSecond", 4));
    ProduceThrottle throttle = quotas.throttle(ALICE);
    for (int i = 0; i < 4; i++) {
      assertThat(throttle.charge(1, 10)).isZero();
    }
    assertThat(throttle.charge(1, 10)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
    assertThat(throttle.charge(1, 10)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(throttled("produce_rate")).isEqualTo(2);
    clock.advance(500);
    assertThat(throttle.charge(1, 10)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
    // HTTP produce shares the principal's bucket: in debt, it is refused.
    assertThat(catchThrowableOfType(ProxyException.class, () -> quotas.checkProduce(ALICE, 1, 1))).isNotNull();
  }

  @Test
  void countsRefuseAtTheLimitAndAcceptAgainOnceOneIsReleased() {
    Quotas quotas = quotas(new JsonObject().put("maxWebSockets", 2).put("maxSseStreams", 1));
    Reservation first = quotas.reserve(ALICE, Quota.WEBSOCKETS);
    quotas.reserve(ALICE, Quota.WEBSOCKETS);
    ProxyException refused = catchThrowableOfType(ProxyException.class,
        () -> quotas.reserve(ALICE, Quota.WEBSOCKETS));
    assertThat(refused.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.getMessage()).isEqualTo(
        "alice holds 2 WebSockets, its quota (quotas.maxWebSockets); close one or retry later");
    assertThat(throttled("websockets")).isEqualTo(1);
    // Other kinds and principals are counted apart.
    quotas.reserve(ALICE, Quota.SSE_STREAMS);
    quotas.reserve(BOB, Quota.WEBSOCKETS);
    first.release();
    first.release(); // once only: a second call must not free a slot it does not hold
    quotas.reserve(ALICE, Quota.WEBSOCKETS);
    assertThat(catchThrowableOfType(ProxyException.class, () -> quotas.reserve(ALICE, Quota.WEBSOCKETS)))
        .isNotNull();
  }

  @Test
  void overridesGiveARoleItsOwnLimits() {
    Quotas quotas = quotas(new JsonObject().put("maxConsumerInstances", 1).put("overrides", new JsonArray()
        .add(new JsonObject().put("role", "bob").put("maxConsumerInstances", 3))));
    quotas.reserve(ALICE, Quota.CONSUMER_INSTANCES);
    assertThat(catchThrowableOfType(ProxyException.class, () -> quotas.reserve(ALICE, Quota.CONSUMER_INSTANCES)))
        .isNotNull();
    for (int i = 0; i < 3; i++) {
      quotas.reserve(BOB, Quota.CONSUMER_INSTANCES);
    }
    assertThat(catchThrowableOfType(ProxyException.class, () -> quotas.reserve(BOB, Quota.CONSUMER_INSTANCES)))
        .isNotNull();
  }

  @Test
  void aReloadAppliesNewLimitsToWhatIsAlreadyOpenAndToTheBuckets() {
    Quotas quotas = quotas(new JsonObject().put("maxInFlightRequests", 1).put("produceMessagesPerSecond", 2));
    Reservation held = quotas.reserve(ALICE, Quota.IN_FLIGHT);
    quotas.checkProduce(ALICE, 2, 1);
    assertThat(catchThrowableOfType(ProxyException.class, () -> quotas.checkProduce(ALICE, 1, 1))).isNotNull();

    quotas.reconfigure(config(new JsonObject().put("maxInFlightRequests", 2).put("produceMessagesPerSecond", 100)));
    quotas.reserve(ALICE, Quota.IN_FLIGHT); // the held one still counts: 2 of 2
    assertThat(catchThrowableOfType(ProxyException.class, () -> quotas.reserve(ALICE, Quota.IN_FLIGHT)))
        .isNotNull();
    held.release();
    quotas.reserve(ALICE, Quota.IN_FLIGHT);
    clock.advance(100); // 10 tokens at the new rate
    quotas.checkProduce(ALICE, 10, 1);

    quotas.reconfigure(ConfigLoader.defaultConfig().quotas()); // off
    assertThatCode(() -> {
      for (int i = 0; i < 100; i++) {
        quotas.reserve(ALICE, Quota.IN_FLIGHT);
        quotas.checkProduce(ALICE, 1000, 1_000_000);
      }
    }).doesNotThrowAnyException();
    assertThat(quotas.throttle(ALICE).charge(1000, 1)).isZero();
    assertThat(quotas.principals()).isZero();
  }

  @Test
  void offByDefaultCountsNothing() {
    Quotas quotas = new Quotas(ConfigLoader.defaultConfig().quotas(), metrics, clock);
    assertThat(quotas.reserve(ALICE, Quota.WEBSOCKETS)).isSameAs(Reservation.NONE);
    assertThat(quotas.throttle(ALICE)).isSameAs(ProduceThrottle.NONE);
    assertThat(quotas.principals()).isZero();
  }

  @Test
  void theStateIsBoundedAndPrincipalsHoldingSomethingAreKept() {
    Quotas quotas = quotas(new JsonObject().put("maxPrincipals", 3).put("maxWebSockets", 1)
        .put("produceMessagesPerSecond", 1));
    Reservation aliceSocket = quotas.reserve(ALICE, Quota.WEBSOCKETS);
    quotas.checkProduce(BOB, 1, 1); // bob's bucket is empty now
    for (int i = 0; i < 20; i++) {
      quotas.checkProduce(principal("p" + i), 1, 1);
    }
    assertThat(quotas.principals()).isEqualTo(3);
    // alice, holding a socket, was kept: her count still holds.
    assertThat(catchThrowableOfType(ProxyException.class, () -> quotas.reserve(ALICE, Quota.WEBSOCKETS)))
        .isNotNull();
    // bob held nothing and was forgotten: he starts with a full bucket.
    quotas.checkProduce(BOB, 1, 1);
    aliceSocket.release();
    quotas.reserve(ALICE, Quota.WEBSOCKETS);
  }

  /** A clock for the buckets that moves only when the test says. */
  private static final class ManualClock implements TimeMeter {
    private long nanos = 1_000_000_000L;

    void advance(long millis) {
      nanos += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }
}
