package io.pulsarproxy.core.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdempotencyStoreTest {
  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger evictions = new AtomicInteger();
  private final IdempotencyStore store =
      new IdempotencyStore(Duration.ofSeconds(10), 2, now::get, evictions::incrementAndGet);

  private static Idempotency key(String scope, String key, String fingerprint) {
    return new Idempotency(scope, key, fingerprint);
  }

  private IdempotencyStore.Entry started(Idempotency id, Future<ProduceReply> sends) {
    IdempotencyStore.Claim claim = store.claim(id, 1);
    assertThat(claim.created()).isTrue();
    store.start(claim.entry(), sends);
    return claim.entry();
  }

  private static ProxyException refusal(Runnable r) {
    try {
      r.run();
    } catch (ProxyException e) {
      return e;
    }
    throw new AssertionError("not refused");
  }

  @Test
  void aRepeatGetsTheFirstEntryAndItsPendingOutcome() {
    Promise<ProduceReply> sends = Promise.promise();
    IdempotencyStore.Entry first = started(key("jwt:alice", "k1", "f"), sends.future());

    IdempotencyStore.Claim repeat = store.claim(key("jwt:alice", "k1", "f"), 1);

    assertThat(repeat.created()).isFalse();
    assertThat(repeat.entry()).isSameAs(first);
    assertThat(repeat.entry().outcome().isComplete()).isFalse();
    ProduceReply reply = new ProduceReply(List.of());
    sends.complete(reply);
    assertThat(repeat.entry().outcome().result()).isSameAs(reply);
  }

  @Test
  void theSameKeyForADifferentRequestIsRefused() {
    started(key("jwt:alice", "k1", "f"), Promise.<ProduceReply>promise().future());

    assertThat(refusal(() -> store.claim(key("jwt:alice", "k1", "other"), 1)).code())
        .isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);
  }

  @Test
  void keysAreScopedToThePrincipal() {
    started(key("jwt:alice", "k1", "f"), Promise.<ProduceReply>promise().future());

    assertThat(store.claim(key("jwt:bob", "k1", "other"), 1).created()).isTrue();
  }

  @Test
  void aFullStoreEvictsTheOldestCompletedEntry() {
    Promise<ProduceReply> pending = Promise.promise();
    started(key("s", "in-flight", "f"), pending.future());
    started(key("s", "done", "f"), Future.succeededFuture(new ProduceReply(List.of())));

    assertThat(store.claim(key("s", "new", "f"), 1).created()).isTrue();

    assertThat(evictions.get()).isEqualTo(1);
    assertThat(store.size()).isEqualTo(2);
    // The in-flight key is still known; the evicted one would be sent again.
    assertThat(store.claim(key("s", "in-flight", "f"), 1).created()).isFalse();
  }

  @Test
  void aStoreFullOfRequestsInFlightRefusesNewKeys() {
    started(key("s", "a", "f"), Promise.<ProduceReply>promise().future());
    started(key("s", "b", "f"), Promise.<ProduceReply>promise().future());

    ProxyException refused = refusal(() -> store.claim(key("s", "c", "f"), 1));

    assertThat(refused.code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(refused.retryAfterSeconds()).isPositive();
    assertThat(refused.getMessage()).contains("produce.idempotencyMaxKeys");
    assertThat(evictions.get()).isZero();
  }

  @Test
  void aRequestOfManyMessagesCountsOncePerTenAndFailuresAreKeptWithoutTheirCause() {
    IdempotencyStore wide = new IdempotencyStore(Duration.ofSeconds(10), 3, now::get, evictions::incrementAndGet);
    ProxyException failure = new ProxyException(ErrorCode.TIMEOUT, "late", List.of(), new RuntimeException("pulsar"));
    IdempotencyStore.Claim small = wide.claim(key("s", "small", "f"), 10);
    wide.start(small.entry(), Future.succeededFuture(new ProduceReply(List.of(ProduceResult.failed(failure)))));

    // 21 messages count as 3 keys: the completed small one goes, and then there is room.
    IdempotencyStore.Claim big = wide.claim(key("s", "big", "f"), 21);
    assertThat(big.created()).isTrue();
    assertThat(evictions.get()).isEqualTo(1);
    wide.start(big.entry(), Promise.<ProduceReply>promise().future());
    assertThat(refusal(() -> wide.claim(key("s", "one-more", "f"), 1)).code()).isEqualTo(ErrorCode.OVERLOADED);

    ProxyException kept = small.entry().outcome().result().results().get(0).error();
    assertThat(kept.code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(kept.getMessage()).isEqualTo("late");
    assertThat(kept.getCause()).isNull();
  }

  @Test
  void completedEntriesExpireAfterTheWindowAndEntriesInFlightNever() {
    Promise<ProduceReply> pending = Promise.promise();
    started(key("s", "pending", "f"), pending.future());
    started(key("s", "done", "f"), Future.succeededFuture(new ProduceReply(List.of())));

    now.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(store.expire()).isZero();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(store.expire()).isEqualTo(1);

    assertThat(store.claim(key("s", "done", "other"), 1).created()).isTrue();
    assertThat(store.claim(key("s", "pending", "f"), 1).created()).isFalse();
    // The window starts when the sends complete, not when the request came.
    pending.complete(new ProduceReply(List.of()));
    now.addAndGet(Duration.ofSeconds(9).toNanos());
    store.expire();
    assertThat(store.claim(key("s", "pending", "f"), 1).created()).isFalse();
  }

  @Test
  void anEntryTakenUpAgainAfterEvictionIsBackInTheStore() {
    IdempotencyStore.Entry done = started(key("s", "done", "f"), Future.succeededFuture(new ProduceReply(List.of())));
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    store.expire();
    assertThat(store.size()).isZero();

    store.start(done, Promise.<ProduceReply>promise().future());

    assertThat(store.claim(key("s", "done", "f"), 1).entry()).isSameAs(done);
    assertThatThrownBy(() -> store.claim(key("s", "done", "x"), 1)).isInstanceOf(ProxyException.class);
  }
}
