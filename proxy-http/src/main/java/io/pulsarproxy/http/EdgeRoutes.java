package io.pulsarproxy.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * Routes another module adds to the one edge server (REST, WebSocket, SSE and the demo page share one port).
 * {@link #mount} is called on the edge verticle's event loop while it starts.
 */
@FunctionalInterface
public interface EdgeRoutes {
  void mount(Vertx vertx, Router router);
}
