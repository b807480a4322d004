package io.pulsarproxy.edge;

import io.pulsarproxy.config.ProxyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * A set of routes that a module (proxy-http, proxy-ws) adds to the one edge server: REST, WebSocket, SSE and the demo
 * page share one port, one admission, one authentication and one error envelope. Every method is called on the edge
 * verticle's event loop.
 */
public interface EdgeRoutes {
  /** Work to finish before {@link #mount} (e.g. loading a contract); the edge listens once it completes. */
  default Future<?> prepare(Vertx vertx) {
    return Future.succeededFuture();
  }

  /**
   * Adds the routes anyone may use, before the edge's authentication (a static page, a published contract): no
   * message flows through them.
   */
  default void mountPublic(Vertx vertx, Router router) {}

  /**
   * Adds the routes to {@code router}, behind the edge's admission and authentication: each request carries its
   * {@link io.pulsarproxy.edge.auth.Principal}, and routes check topics with {@link io.pulsarproxy.edge.auth.Access}.
   */
  void mount(Vertx vertx, Router router);

  /** A new valid configuration was loaded (hot reload): apply what concerns these routes. */
  default void reconfigure(ProxyConfig config) {}

  /** The proxy is shutting down: end what waits for a later event (long polls, streams) at once. */
  default void shuttingDown() {}

  /**
   * Called when the edge server stops, before it closes its listener: finish or close what the routes keep open
   * beyond a request (WebSockets, streams, consumer instances). The edge waits for the future, at most
   * {@code shutdown.timeout}.
   */
  default Future<?> drain() {
    return Future.succeededFuture();
  }
}
