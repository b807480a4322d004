package io.pulsarproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class MemoryBudgetTest {

  @Test
  void takesBytesOnlyWhileTheyFit() {
    MemoryBudget budget = new MemoryBudget(100, 0);
    assertThat(budget.tryAcquire(60)).isTrue();
    assertThat(budget.tryAcquire(41)).isFalse();
    assertThat(budget.used()).isEqualTo(60);
    assertThat(budget.tryAcquire(40)).isTrue();
    assertThat(budget.tryAcquire(1)).isFalse();
    assertThat(budget.tryAcquire(0)).isTrue();
    budget.release(100);
    assertThat(budget.used()).isZero();
    assertThat(budget.tryAcquire(100)).isTrue();
  }

  @Test
  void refusesToReleaseMoreThanIsHeld() {
    MemoryBudget budget = new MemoryBudget(100, 0);
    budget.tryAcquire(10);
    assertThatThrownBy(() -> budget.release(11)).isInstanceOf(IllegalStateException.class);
    assertThat(budget.used()).isEqualTo(10);
  }

  @Test
  void aLoweredLimitTakesNothingUntilTheHeldBytesFit() {
    MemoryBudget budget = new MemoryBudget(100, 0);
    budget.tryAcquire(80);
    budget.resize(50);
    assertThat(budget.tryAcquire(1)).isFalse();
    budget.release(40);
    assertThat(budget.tryAcquire(10)).isTrue();
    assertThat(budget.tryAcquire(1)).isFalse();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void wakesWaitersOnTheirContextOnceBytesAreReleased(Vertx vertx, VertxTestContext ctx) {
    MemoryBudget budget = new MemoryBudget(100, 2);
    budget.tryAcquire(100);
    AtomicInteger woken = new AtomicInteger();
    var checkpoint = ctx.checkpoint(2);
    var waiterContext = vertx.getOrCreateContext();
    for (int i = 0; i < 2; i++) {
      assertThat(budget.whenReleased(waiterContext, v -> ctx.verify(() -> {
        assertThat(vertx.getOrCreateContext()).isSameAs(waiterContext);
        assertThat(budget.tryAcquire(10)).isTrue();
        woken.incrementAndGet();
        checkpoint.flag();
      }))).isTrue();
    }
    assertThat(budget.whenReleased(waiterContext, v -> ctx.failNow("a third waiter is beyond maxWaiters")))
        .isFalse();
    // Released from another thread than the waiters' event loop.
    new Thread(() -> budget.release(50)).start();
  }
}
