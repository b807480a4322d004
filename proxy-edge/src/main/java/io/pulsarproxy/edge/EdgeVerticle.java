package io.pulsarproxy.edge;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.ServerTls;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.edge.auth.AuthHandler;
import io.pulsarproxy.edge.quota.Quotas;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one client-facing HTTP server on {@code http.port}: the routes that proxy-http (REST, SSE, reads) and proxy-ws
 * (WebSocket, the browser page) contribute through {@link EdgeRoutes}, behind one admission and one error envelope
 * ({@link ErrorResponses}).
 *
 * <p>It bounds the requests in progress ({@code http.maxInFlightRequests}, above it 503 with {@code Retry-After}) and
 * reads every request body itself ({@link BoundedBodyHandler}), within {@code http.maxBodySize} and the
 * {@link MemoryBudget} of in-flight bytes ({@code http.maxInFlightBytes}), before the contributed routes run.
 * When the proxy shuts down ({@link Addresses#SHUTDOWN}) it refuses new requests with 503 and, in {@link #stop()},
 * waits for the requests in progress and the contributed routes' {@link EdgeRoutes#drain()} (bounded by
 * {@code shutdown.timeout}) before closing the listener. Behind authentication, the {@link Quotas} per principal count
 * each request and are there for the routes to check. Routes end their long polls and SSE streams at once on
 * shutdown ({@link EdgeRoutes#shuttingDown()}), so they do not hold it up. WebSocket upgrades are not counted as requests in progress: the routes that accept them
 * bound their own sockets.
 *
 * <p>With {@code http.tls.*} it speaks HTTPS and WSS only (TLS 1.2 and 1.3), offers HTTP/2 through ALPN (a browser's
 * SSE streams then share one connection instead of six per origin), checks client certificates when configured
 * ({@link ClientCertificates} reads them) and serves a certificate rotated on disk to new connections without a
 * restart ({@link ServerTls}).
 *
 * <p>Deployed as {@code edge.instances} instances on the same port, each on its own event loop: Vert.x spreads the
 * connections across them. Each instance has routes of its own, confined to its event loop; what they count together
 * (in-flight bytes and requests, quotas) is in the {@link EdgeNode} they share. Every instance hears of a reload,
 * a shutdown and a rotated certificate.
 */
public final class EdgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeVerticle.class);
  /** How long a stopping edge goes on answering after its last request in progress ended, before it closes. */
  private static final long CLOSE_GRACE_MS = 500;

  private final List<EdgeRoutes> contributed;
  private final ProxyMetrics metrics;
  private final EdgeNode node;
  private final MemoryBudget budget;
  private ProxyConfig config;
  private BoundedBodyHandler bodies;
  private HttpServer server;
  private ServerTls tls;
  private Router router;
  private AuthHandler auth;
  private OriginHandler origins;
  private TraceHandler traces;
  /** This instance's requests in progress; the node's limit is counted in {@link EdgeNode#requests()}. */
  private int inFlight;
  private boolean draining;
  private Promise<Void> drained;

  /** The only edge instance of a node of its own. */
  public EdgeVerticle(ProxyConfig config, ProxyMetrics metrics, List<EdgeRoutes> contributed) {
    this(config, metrics, new EdgeNode(config, metrics), contributed);
  }

  /**
   * One of the node's edge instances ({@code edge.instances}); each has routes of its own, confined to its event loop.
   *
   * @param node what the node's instances count together (in-flight bytes and requests, quotas), shared with the
   *             routes that read frames; instances apply a reload to it
   */
  public EdgeVerticle(ProxyConfig config, ProxyMetrics metrics, EdgeNode node, List<EdgeRoutes> contributed) {
    this.config = config;
    this.metrics = metrics;
    this.node = node;
    this.budget = node.budget();
    this.contributed = List.copyOf(contributed);
  }

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    vertx.eventBus().localConsumer(Addresses.SHUTDOWN, msg -> {
      draining = true;
      contributed.forEach(EdgeRoutes::shuttingDown);
    });
    vertx.eventBus().<ProxyConfig>localConsumer(Addresses.CONFIG_CHANGED, msg -> reconfigure(msg.body()));
    int maxWebSocketMessage = (int) Math.min(Integer.MAX_VALUE, config.ws().maxFrameBytes());
    List<Future<?>> prepared = new ArrayList<>();
    contributed.forEach(routes -> prepared.add(routes.prepare(vertx)));
    prepared.add(AuthHandler.create(vertx, config).onSuccess(handler -> auth = handler));
    if (config.http().tls().enabled()) {
      prepared.add(ServerTls.load(vertx, config.http().tls(), "http").onSuccess(loaded -> tls = loaded));
    }
    return Future.all(prepared)
        .compose(ready -> {
          HttpServerOptions options = new HttpServerOptions()
              // Port 0 picks a free port: -1 asks Vert.x for one that every edge instance of this Vert.x shares.
              .setHost(config.http().host()).setPort(config.http().port() == 0 ? -1 : config.http().port())
              .setMaxWebSocketFrameSize(maxWebSocketMessage)
              .setMaxWebSocketMessageSize(maxWebSocketMessage);
          return vertx.createHttpServer(tls == null ? options : tls.configure(options))
              .requestHandler(router = buildRouter())
              .listen();
        })
        .onSuccess(s -> {
          server = s;
          if (tls != null) {
            tls.watch(s);
          }
          LOG.info("Edge server listening on {}:{}{}", config.http().host(), s.actualPort(),
              tls == null ? "" : " (HTTPS, WSS, HTTP/2)");
        });
  }

  @Override
  public Future<?> stop() {
    draining = true;
    if (tls != null) {
      tls.stop();
    }
    long deadline = config.shutdown().timeout().toMillis();
    Future<Void> requests = inFlight == 0 ? Future.succeededFuture() : (drained = Promise.promise()).future();
    List<Future<?>> done = new ArrayList<>(List.of(requests));
    contributed.forEach(routes -> done.add(routes.drain()));
    return Future.join(done).timeout(deadline, TimeUnit.MILLISECONDS)
        .onFailure(err -> LOG.warn("{} requests (or contributed connections) still in progress after {} ms; closing",
            inFlight, deadline))
        .otherwiseEmpty()
        // A request whose bytes had arrived, but that no event loop had read yet when the last one in progress ended,
        // would be cut off by the close with no answer at all: keep answering (503, Connection: close) a moment more.
        .compose(v -> linger(Math.min(CLOSE_GRACE_MS, deadline)))
        .compose(v -> server == null ? Future.succeededFuture() : server.close());
  }

  private Future<Void> linger(long millis) {
    Promise<Void> waited = Promise.promise();
    vertx.setTimer(Math.max(1, millis), id -> waited.complete());
    return waited.future();
  }

  /** The port actually bound (useful with port 0). Call after start completed. */
  public int actualPort() {
    return server.actualPort();
  }

  /** The in-flight bytes of request bodies and WebSocket frames. */
  public MemoryBudget budget() {
    return budget;
  }

  /** The router serving the edge (for tests comparing it with a contract). Call after start completed. */
  public Router router() {
    return router;
  }

  private Router buildRouter() {
    Router router = Router.router(vertx);
    origins = new OriginHandler(config.cors());
    bodies = new BoundedBodyHandler(config, budget, metrics);
    traces = new TraceHandler(config.log().access());
    router.route().handler(traces).handler(this::admit).handler(origins);
    contributed.forEach(routes -> routes.mountPublic(vertx, router));
    router.route().handler(auth);
    // Authenticated and within its quotas before its body is read: a refused client holds none of the byte budget.
    router.route().handler(node.quotas()).handler(bodies);
    contributed.forEach(routes -> routes.mount(vertx, router));

    router.errorHandler(404, ctx -> ErrorResponses.send(ctx,
        new ProxyException(ErrorCode.NOT_FOUND, "no route for " + ctx.request().method() + " " + ctx.request().path())));
    router.errorHandler(405, ctx -> ErrorResponses.send(ctx, new ProxyException(ErrorCode.METHOD_NOT_ALLOWED,
        ctx.request().method() + " is not allowed on " + ctx.request().path())));
    router.errorHandler(413, ctx -> ErrorResponses.send(ctx, new ProxyException(ErrorCode.PAYLOAD_TOO_LARGE,
        "the request body is larger than " + config.http().maxBodyBytes() + " bytes (http.maxBodySize)")));
    router.errorHandler(403, this::failed);
    router.errorHandler(400, this::failed);
    router.errorHandler(500, this::failed);
    return router;
  }

  /** Counts the request in, or refuses it while shutting down or above the in-flight limit. */
  private void admit(RoutingContext ctx) {
    ctx.addEndHandler(v -> {
      String code = ctx.get(ErrorResponses.SENT_CODE);
      if (code != null) {
        metrics.httpError(code, ctx.get(ErrorResponses.SENT_ROUTE));
      }
    });
    if (draining) {
      if (ctx.request().version() != HttpVersion.HTTP_2) {
        // HTTP/2 has no Connection header (a response with one is malformed); its connection serves other streams.
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      }
      reject(ctx, new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down; retry on another instance"));
      return;
    }
    boolean upgrade = ctx.request().canUpgradeToWebSocket();
    int limit = config.http().maxInFlightRequests();
    if (upgrade ? node.requests().get() >= limit : !node.requests().tryAcquire(limit)) {
      reject(ctx, new ProxyException(ErrorCode.OVERLOADED, "more than " + config.http().maxInFlightRequests()
          + " requests in progress (http.maxInFlightRequests); retry later"));
      return;
    }
    if (upgrade) {
      // A WebSocket lives as long as its connection: the WebSocket routes bound and drain their sockets themselves.
      ctx.next();
      return;
    }
    inFlight++;
    ctx.addEndHandler(v -> {
      node.requests().release();
      if (--inFlight == 0 && drained != null) {
        drained.tryComplete();
      }
    });
    ctx.next();
  }

  private void reject(RoutingContext ctx, ProxyException e) {
    metrics.requestRejected(e.code().name());
    ErrorResponses.send(ctx, e);
  }

  /** Failures thrown by handlers: a ProxyException is the answer; anything else is a bug, logged once. */
  private void failed(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    ProxyException e;
    if (failure instanceof ProxyException p) {
      e = p;
    } else if (failure == null && ctx.statusCode() == 400) {
      e = new ProxyException(ErrorCode.BAD_REQUEST, "bad request");
    } else if (ctx.statusCode() == 403) {
      // Vert.x's CORS handler refuses an origin it does not know this way.
      e = new ProxyException(ErrorCode.FORBIDDEN, "requests from " + ctx.request().getHeader(HttpHeaders.ORIGIN)
          + " are not allowed (cors.allowedOrigins)");
    } else {
      e = PulsarErrors.map(failure == null ? new IllegalStateException("status " + ctx.statusCode()) : failure);
      if (e.code() == ErrorCode.INTERNAL_ERROR) {
        LOG.error("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
      }
    }
    if (e.code().httpStatus() < 500) {
      metrics.requestRejected(e.code().name().toLowerCase(Locale.ROOT));
    }
    ErrorResponses.send(ctx, e);
  }

  private void reconfigure(ProxyConfig newConfig) {
    // Keys that take effect after a restart only (http.host, http.port, http.tls.*) are named by the ConfigVerticle.
    config = newConfig;
    auth.reconfigure(newConfig);
    traces.accessLog(newConfig.log().access());
    origins.reconfigure(newConfig.cors());
    node.reconfigure(newConfig);
    bodies.reconfigure(newConfig);
    contributed.forEach(routes -> routes.reconfigure(newConfig));
  }
}
