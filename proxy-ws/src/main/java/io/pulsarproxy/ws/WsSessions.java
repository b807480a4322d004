package io.pulsarproxy.ws;

import io.pulsarproxy.config.WsConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.edge.MemoryBudget;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The open sockets of one edge instance and their limits: at most {@code ws.maxSockets} sockets (open or in their
 * handshake) at once on the node (counted with the other instances in {@link SocketCounts}), server pings every {@code ws.pingInterval}, idle sockets closed after {@code ws.idleTimeout}.
 * On shutdown it refuses new sockets and closes the open ones with 1001.
 *
 * <p>Confined to the edge verticle's event loop, except the node's counts, which are atomics.
 */
final class WsSessions {
  private final Vertx vertx;
  private final int serverFrameLimit;
  private final Set<SocketSession> open = new LinkedHashSet<>();
  private final SocketCounts counts;
  private final MemoryBudget budget;
  private final ProxyMetrics metrics;
  private WsConfig config;
  private boolean shuttingDown;
  private long sweeper = -1;

  WsSessions(Vertx vertx, WsConfig config, ProxyMetrics metrics, MemoryBudget budget, SocketCounts counts) {
    this.vertx = vertx;
    this.budget = budget;
    this.metrics = metrics;
    this.config = config;
    this.serverFrameLimit = (int) Math.min(Integer.MAX_VALUE, config.maxFrameBytes());
    this.counts = counts;
    scheduleSweeper();
  }

  WsConfig config() {
    return config;
  }

  /** The edge's budget of in-flight bytes ({@code http.maxInFlightBytes}), which producer frames draw from. */
  MemoryBudget budget() {
    return budget;
  }

  ProxyMetrics metrics() {
    return metrics;
  }

  /** The frame size the edge server was started with (its WebSocket options cannot change while it runs). */
  int serverFrameLimit() {
    return serverFrameLimit;
  }

  void reconfigure(WsConfig newConfig) {
    boolean timers = !newConfig.idleTimeout().equals(config.idleTimeout())
        || !newConfig.pingInterval().equals(config.pingInterval());
    config = newConfig;
    if (timers) {
      scheduleSweeper();
    }
  }

  /**
   * Reserves a socket for a handshake in progress; the caller calls {@link #handshakeDone()} when it ends either way.
   *
   * @throws ProxyException SHUTTING_DOWN or OVERLOADED (503) at the limit
   */
  void admit() {
    if (shuttingDown) {
      throw new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down; retry on another instance");
    }
    if (!counts.sockets().tryAcquire(config.maxSockets())) {
      throw new ProxyException(ErrorCode.OVERLOADED, "the proxy holds " + config.maxSockets()
          + " WebSockets, its limit (ws.maxSockets); retry later");
    }
  }

  void handshakeDone() {
    counts.sockets().release();
  }

  /** Registers an accepted socket; false when the proxy began to shut down meanwhile (the caller closes it). */
  boolean add(SocketSession session) {
    if (shuttingDown) {
      return false;
    }
    open.add(session);
    counts.sockets().acquire();
    counts.open(session.role()).incrementAndGet();
    return true;
  }

  void remove(SocketSession session) {
    if (open.remove(session)) {
      counts.sockets().release();
      counts.open(session.role()).decrementAndGet();
    }
  }

  int size() {
    return open.size();
  }

  /** Refuses new sockets and asks every open one to finish; completes when all are closed. */
  Future<Void> shutdown() {
    shuttingDown = true;
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (SocketSession session : List.copyOf(open)) {
      closing.add(session.closed());
      session.shutdown();
    }
    return Future.join(closing).mapEmpty();
  }

  private void scheduleSweeper() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    long idle = config.idleTimeout().toMillis();
    long ping = config.pingInterval().toMillis();
    long shortest = Math.min(idle > 0 ? idle : Long.MAX_VALUE, ping > 0 ? ping : Long.MAX_VALUE);
    if (shortest == Long.MAX_VALUE || shuttingDown) {
      return;
    }
    // A quarter of the shortest period: idle sockets close at most 25% late, pings go out at most 25% late.
    long period = Math.max(50, shortest / 4);
    sweeper = vertx.setPeriodic(period, id -> {
      long now = System.nanoTime();
      long idleNanos = config.idleTimeout().toNanos();
      long pingNanos = config.pingInterval().toNanos();
      for (SocketSession session : List.copyOf(open)) {
        session.sweep(now, idleNanos, pingNanos);
      }
    });
  }
}
