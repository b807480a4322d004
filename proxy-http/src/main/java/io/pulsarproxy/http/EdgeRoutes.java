package io.pulsarproxy.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * Routes another module adds to the one edge server (REST, WebSocket, SSE and the demo page share one port).
 * {@link #mount} is called on the edge verticle's event loop while it starts.
 */
@FunctionalInterface
public interface EdgeRoutes {
  void mount(Vertx vertx, Router router);

  /**
   * Called when the edge server stops, before it closes its listener: finish or close what the routes keep open
   * beyond a request (WebSockets, streams). The edge waits for the future, at most {@code shutdown.timeout}.
   */
  default Future<?> drain() {
    return Future.succeededFuture();
  }
}
