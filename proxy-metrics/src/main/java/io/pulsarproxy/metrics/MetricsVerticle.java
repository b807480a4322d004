package io.pulsarproxy.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ManagementConfig;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.config.ServerTls;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The management server: {@code /metrics} (Prometheus text format), {@code /health/live} and {@code /health/ready}.
 *
 * <p>Readiness asks the SupervisorVerticle for the broker state over {@link Addresses#PULSAR_STATUS}; it is 200 only
 * while the supervisor reports {@code UP} (or {@code FAILED_OVER}: a secondary cluster serves). When the supervisor does not answer (not deployed yet, or already
 * stopped during shutdown) the proxy is not ready.
 *
 * <p>When Vert.x runs clustered, readiness also asks this node's cluster membership ({@link Addresses#CLUSTER_STATUS}):
 * a node is ready only while it is a member; and {@code /cluster/ping/<nodeId>} asks another node for its id over the
 * clustered event bus (200 with the round trip, 404 for an unknown node, 504 when it does not answer).
 *
 * <p>With {@code management.tls.*} it speaks HTTPS only (see {@link ServerTls}); with {@code management.metricsToken}
 * {@code /metrics} answers 401 unless the request carries {@code Authorization: Bearer <token>}. The health endpoints
 * stay open: probes of an orchestrator carry no token.
 */
public final class MetricsVerticle extends VerticleBase {
  private static final long STATUS_TIMEOUT_MS = 2_000;

  private final ManagementConfig config;
  private final PrometheusMeterRegistry registry;
  private final ProxyMetrics metrics;
  private HttpServer server;
  private ServerTls tls;
  private JvmGcMetrics gc;

  public MetricsVerticle(ManagementConfig config, PrometheusMeterRegistry registry, ProxyMetrics metrics) {
    this.config = config;
    this.registry = registry;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    bindJvmAndProcess();
    // management.* take effect after a restart only; the ConfigVerticle names a changed one.
    vertx.eventBus().<ProxyConfig>localConsumer(Addresses.CONFIG_CHANGED, msg -> metrics.configReload(true));
    vertx.eventBus().localConsumer(Addresses.CONFIG_REJECTED, msg -> metrics.configReload(false));
    HealthChecks live = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    HealthChecks ready = HealthChecks.create(vertx).register("pulsar", STATUS_TIMEOUT_MS + 500, promise ->
        vertx.eventBus().<JsonObject>request(Addresses.PULSAR_STATUS, null,
                new DeliveryOptions().setLocalOnly(true).setSendTimeout(STATUS_TIMEOUT_MS))
            .onSuccess(reply -> {
              JsonObject state = reply.body();
              String s = state.getString("state");
              promise.complete("UP".equals(s) || "FAILED_OVER".equals(s) ? Status.OK(state) : Status.KO(state));
            })
            .onFailure(err -> promise.complete(Status.KO(new JsonObject()
                .put("state", "UNKNOWN").put("reason", "supervisor not answering: " + err.getMessage())))));
    if (vertx.isClustered()) {
      ready.register("cluster", STATUS_TIMEOUT_MS + 500, promise ->
          vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_STATUS, null,
                  new DeliveryOptions().setLocalOnly(true).setSendTimeout(STATUS_TIMEOUT_MS))
              .onSuccess(reply -> promise.complete("JOINED".equals(reply.body().getString("state"))
                  ? Status.OK(reply.body()) : Status.KO(reply.body())))
              .onFailure(err -> promise.complete(Status.KO(new JsonObject()
                  .put("state", "UNKNOWN").put("reason", "cluster membership not answering: " + err.getMessage())))));
    }

    Router router = Router.router(vertx);
    config.metricsToken().ifPresent(token -> router.get("/metrics").handler(ctx -> requireToken(ctx, token)));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    if (vertx.isClustered()) {
      config.metricsToken().ifPresent(token ->
          router.get("/cluster/ping/:node").handler(ctx -> requireToken(ctx, token)));
      router.get("/cluster/ping/:node").handler(this::ping);
    }
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
    Future<ServerTls> loaded = config.tls().enabled()
        ? ServerTls.load(vertx, config.tls(), "management").onSuccess(t -> tls = t) : Future.succeededFuture();
    return loaded
        .compose(t -> {
          // HTTP/1.1 only: scrapers and probes speak it, and a cleartext HTTP/2 upgrade (which Java's HTTP client asks
          // for by default) is not worth a second protocol stack on the management port.
          HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
              .setHttp2ClearTextEnabled(false);
          return vertx.createHttpServer(tls == null ? options : tls.configure(options)).requestHandler(router).listen();
        })
        .onSuccess(s -> {
          server = s;
          if (tls != null) {
            tls.watch(s);
          }
        });
  }

  /**
   * JVM memory pools, GC, threads, classes, process CPU, file descriptors and uptime ({@code jvm_*}, {@code process_*},
   * {@code system_*}). The GC binder listens to the JVM's notifications until {@link #stop}.
   */
  private void bindJvmAndProcess() {
    new JvmMemoryMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  @Override
  public Future<?> stop() {
    if (gc != null) {
      gc.close();
    }
    if (tls != null) {
      tls.stop();
    }
    return Future.succeededFuture();
  }

  /** Asks a node of the cluster, over the clustered event bus, for its id: whether this node reaches it, how fast. */
  private void ping(RoutingContext ctx) {
    String node = ctx.pathParam("node");
    long started = System.nanoTime();
    vertx.eventBus().<String>request(Addresses.nodePing(node), null,
            new DeliveryOptions().setSendTimeout(STATUS_TIMEOUT_MS))
        .onSuccess(reply -> json(ctx, 200, new JsonObject().put("node", reply.body())
            .put("roundTripMs", (System.nanoTime() - started) / 1_000_000.0)))
        .onFailure(err -> {
          boolean unknown = err instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS;
          json(ctx, unknown ? 404 : 504, new JsonObject().put("error", unknown ? "NOT_FOUND" : "TIMEOUT")
              .put("message", unknown ? "no node " + node + " in the cluster"
                  : "node " + node + " did not answer within " + STATUS_TIMEOUT_MS + " ms"));
        });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }

  private static void requireToken(RoutingContext ctx, Secret token) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim()
        : "";
    // Compared in constant time: the time taken says nothing about how much of a guess was right.
    if (MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
        token.reveal().getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
      return;
    }
    ctx.response().setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer realm=\"metrics\"")
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", "UNAUTHORIZED")
            .put("message", "/metrics needs Authorization: Bearer <management.metricsToken>").encode());
  }

  /** The port actually bound (useful when configured with port 0). Call after start completed. */
  public int actualPort() {
    return server.actualPort();
  }
}
