package io.pulsarproxy.ws;

import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.edge.EdgeNode;
import io.pulsarproxy.edge.EdgeRoutes;
import io.pulsarproxy.edge.MemoryBudget;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Pulsar's WebSocket API and the browser page, on the edge server's port:
 * <ul>
 *   <li>{@code /ws/v2/producer|consumer|reader/…}, {@code /ws/v3/consumer/…} and the v1 paths ({@link WsPath});</li>
 *   <li>{@code /} and {@code /ui/…}: a page that streams a topic and produces to it, using only the public APIs.</li>
 * </ul>
 * On a new configuration, new limits apply to new sockets; on shutdown, open sockets are closed with 1001 once their
 * pending acks are written.
 */
public final class WsRoutes implements EdgeRoutes {
  /** Classpath directory of the browser page. */
  static final String WEB_ROOT = "pulsar-proxy-ui";

  private final ProxyConfig config;
  private final ProxyMetrics metrics;
  private final MemoryBudget budget;
  private final SocketCounts counts;
  private final List<WsSessions> mounted = new ArrayList<>();
  private final List<HandshakeHandler> handshakes = new ArrayList<>();

  /** The routes of a node's only edge instance: {@code node} is the edge's, whose in-flight bytes frames draw from. */
  public WsRoutes(ProxyConfig config, ProxyMetrics metrics, EdgeNode node) {
    this(config, metrics, node.budget(), new SocketCounts(metrics));
  }

  private WsRoutes(ProxyConfig config, ProxyMetrics metrics, MemoryBudget budget, SocketCounts counts) {
    this.config = config;
    this.metrics = metrics;
    this.budget = budget;
    this.counts = counts;
  }

  /**
   * Routes for each of the node's edge instances ({@code edge.instances}): each call gives the routes of one more
   * instance, confined to its event loop; together they count {@code ws.maxSockets} and report their sockets once.
   */
  public static Supplier<WsRoutes> perInstance(ProxyConfig config, ProxyMetrics metrics, EdgeNode node) {
    SocketCounts shared = new SocketCounts(metrics);
    return () -> new WsRoutes(config, metrics, node.budget(), shared);
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    WsSessions sessions = new WsSessions(vertx, config.ws(), metrics, budget, counts);
    HandshakeHandler handshake = new HandshakeHandler(vertx, sessions, config, metrics);
    mounted.add(sessions);
    handshakes.add(handshake);

    router.route("/ws/*").handler(handshake);
  }

  /** The browser page is public: it carries no messages, and asks its user for a token when the proxy wants one. */
  @Override
  public void mountPublic(Vertx vertx, Router router) {
    StaticHandler page = StaticHandler.create(WEB_ROOT).setIndexPage("index.html");
    router.get("/").handler(WsRoutes::securityHeaders).handler(page);
    router.get("/ui/*").handler(WsRoutes::securityHeaders).handler(page);
  }

  @Override
  public void reconfigure(ProxyConfig newConfig) {
    mounted.forEach(sessions -> sessions.reconfigure(newConfig.ws()));
    handshakes.forEach(handshake -> handshake.reconfigure(newConfig));
  }

  @Override
  public void shuttingDown() {
    mounted.forEach(WsSessions::shutdown);
  }

  /**
   * The page runs only its own script and style, talks only to its own origin (REST, SSE, WebSocket), and cannot be
   * framed by another site.
   */
  private static void securityHeaders(io.vertx.ext.web.RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self' ws: wss:; form-action 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }

  /** Closes every socket (producers first write the acks they owe); completes when all are closed. */
  @Override
  public Future<?> drain() {
    List<Future<Void>> all = new ArrayList<>();
    mounted.forEach(sessions -> all.add(sessions.shutdown()));
    return Future.join(all);
  }
}
