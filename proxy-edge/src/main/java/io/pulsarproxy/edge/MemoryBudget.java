package io.pulsarproxy.edge;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies and WebSocket frames the edge may hold at once ({@code http.maxInFlightBytes}), shared
 * by every edge instance and route: whatever the load, the memory they pin stays below one number that fits the heap.
 *
 * <p>Bytes are taken before they are buffered ({@link #tryAcquire}) and given back once the work they carry is
 * answered ({@link #release}); every path that takes bytes must give them back exactly once, or the edge ends up
 * refusing everything. HTTP refuses what does not fit (503); a WebSocket instead stops reading its socket and asks to
 * be told when bytes come back ({@link #whenReleased}).
 *
 * <p>Thread-safe and never blocking: the count is atomic, so instances on several event loops can share a budget;
 * the handlers of {@link #whenReleased} run on the context they were registered with.
 */
public final class MemoryBudget {
  private final AtomicLong used = new AtomicLong();
  private final int maxWaiters;
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile long limit;

  private record Waiter(Context context, Handler<Void> handler) {}

  /**
   * @param limit      the most bytes held at once ({@code http.maxInFlightBytes})
   * @param maxWaiters the most {@link #whenReleased} registrations pending at once (e.g. the sockets allowed)
   */
  public MemoryBudget(long limit, int maxWaiters) {
    if (limit < 1 || maxWaiters < 0) {
      throw new IllegalArgumentException("limit must be positive and maxWaiters not negative");
    }
    this.limit = limit;
    this.maxWaiters = maxWaiters;
  }

  /**
   * Takes {@code bytes} if they fit under the limit with what is held already; else takes nothing.
   *
   * @return whether the bytes were taken (then they must be {@linkplain #release released})
   */
  public boolean tryAcquire(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative: " + bytes);
    }
    while (true) {
      long held = used.get();
      if (bytes > 0 && held + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(held, held + bytes)) {
        return true;
      }
    }
  }

  /**
   * Takes {@code bytes} that are in memory already (a WebSocket frame Vert.x has read), even past the limit: the
   * reader then stops reading until bytes come back, so the budget is exceeded by at most one frame per reader.
   *
   * @return whether what is held is still within the limit (if not, stop reading and {@link #whenReleased wait})
   */
  public boolean acquireTaken(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative: " + bytes);
    }
    return used.addAndGet(bytes) <= limit;
  }

  /** Whether nothing more fits now: a reader that stopped for the budget waits while this holds. */
  public boolean exhausted() {
    return used.get() >= limit;
  }

  /**
   * Gives back bytes taken with {@link #tryAcquire}, then runs the handlers waiting for a release.
   *
   * @throws IllegalStateException when more is given back than is held (a path released twice)
   */
  public void release(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative: " + bytes);
    }
    if (bytes == 0) {
      return;
    }
    long after = used.addAndGet(-bytes);
    if (after < 0) {
      used.addAndGet(bytes);
      throw new IllegalStateException("released " + bytes + " bytes, more than the " + (after + bytes) + " held");
    }
    wakeWaiters();
  }

  private void wakeWaiters() {
    Waiter waiter;
    while ((waiter = waiters.poll()) != null) {
      waiting.decrementAndGet();
      waiter.context().runOnContext(waiter.handler());
    }
  }

  /**
   * Runs {@code handler} once on {@code context} after the next {@link #release}, for a reader that stopped reading
   * because {@link #tryAcquire} failed: it tries again then (and registers again if the bytes still do not fit). A
   * release that happened between the failed acquire and this call is not seen, so a caller should try to acquire once
   * more after registering.
   *
   * @return false when {@code maxWaiters} registrations are already pending (the handler will not run)
   */
  public boolean whenReleased(Context context, Handler<Void> handler) {
    if (waiting.incrementAndGet() > maxWaiters) {
      waiting.decrementAndGet();
      return false;
    }
    waiters.add(new Waiter(context, handler));
    return true;
  }

  /** Bytes held now. */
  public long used() {
    return used.get();
  }

  /** The most bytes held at once. */
  public long limit() {
    return limit;
  }

  /**
   * Changes the limit (hot reload) and wakes the waiters. Bytes held above a lowered limit stay held until released;
   * nothing new is taken until it fits again.
   */
  public void resize(long newLimit) {
    if (newLimit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + newLimit);
    }
    limit = newLimit;
    wakeWaiters();
  }
}
