package io.pulsarproxy.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ManagementConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The management server: {@code /metrics} (Prometheus text format), {@code /health/live} and {@code /health/ready}.
 *
 * <p>Readiness asks the SupervisorVerticle for the broker state over {@link Addresses#PULSAR_STATUS}; it is 200 only
 * while the supervisor reports {@code UP} (or {@code FAILED_OVER}: a secondary cluster serves). When the supervisor does not answer (not deployed yet, or already
 * stopped during shutdown) the proxy is not ready.
 */
public final class MetricsVerticle extends VerticleBase {
  private static final long STATUS_TIMEOUT_MS = 2_000;

  private final ManagementConfig config;
  private final PrometheusMeterRegistry registry;
  private final ProxyMetrics metrics;
  private HttpServer server;

  public MetricsVerticle(ManagementConfig config, PrometheusMeterRegistry registry, ProxyMetrics metrics) {
    this.config = config;
    this.registry = registry;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().consumer(Addresses.CONFIG_CHANGED, msg -> metrics.configReload(true));
    vertx.eventBus().consumer(Addresses.CONFIG_REJECTED, msg -> metrics.configReload(false));
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

    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
    return vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
        .requestHandler(router)
        .listen()
        .onSuccess(s -> server = s);
  }

  /** The port actually bound (useful when configured with port 0). Call after start completed. */
  public int actualPort() {
    return server.actualPort();
  }
}
