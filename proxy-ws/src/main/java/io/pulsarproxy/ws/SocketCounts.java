package io.pulsarproxy.ws;

import io.pulsarproxy.edge.SharedCount;
import io.pulsarproxy.metrics.ProxyMetrics;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The WebSockets of every edge instance of the node: the sockets counted against {@code ws.maxSockets} (open or in
 * their handshake) and the open ones by role, which the {@code pulsar_proxy_websockets} gauges read. One per node,
 * registered with the metrics once; thread-safe.
 */
final class SocketCounts {
  private final SharedCount sockets = new SharedCount();
  private final Map<WsPath.Role, AtomicInteger> byRole = new EnumMap<>(WsPath.Role.class);

  SocketCounts(ProxyMetrics metrics) {
    for (WsPath.Role role : WsPath.Role.values()) {
      AtomicInteger count = new AtomicInteger();
      byRole.put(role, count);
      metrics.webSockets(role.label(), count::get);
    }
  }

  /** Sockets open or in their handshake, on every instance. */
  SharedCount sockets() {
    return sockets;
  }

  AtomicInteger open(WsPath.Role role) {
    return byRole.get(role);
  }
}
