package io.pulsarproxy.edge;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of what the edge instances of one node hold together (requests in progress, sockets, consumer instances),
 * bounded by a limit given at each acquisition so that a hot-reloaded limit applies to the next one. Lock-free: the
 * instances on their event loops share it without waiting for each other.
 */
public final class SharedCount {
  private final AtomicInteger held = new AtomicInteger();

  /**
   * Counts one more if fewer than {@code limit} are held.
   *
   * @return whether it was counted (then {@link #release} it once)
   */
  public boolean tryAcquire(int limit) {
    while (true) {
      int now = held.get();
      if (now >= limit) {
        return false;
      }
      if (held.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Counts one more whatever the limit (what it counts exists already). */
  public void acquire() {
    held.incrementAndGet();
  }

  /** Gives back one acquired. */
  public void release() {
    held.decrementAndGet();
  }

  public int get() {
    return held.get();
  }
}
