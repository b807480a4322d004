package io.pulsarproxy.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pulsarproxy.app.logging.LogFormat;
import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.app.cluster.ClusterNode;
import io.pulsarproxy.app.cluster.ClusterVerticle;
import io.pulsarproxy.config.ClusterConfig;
import io.pulsarproxy.config.ConfigException;
import io.pulsarproxy.config.ConfigVerticle;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.TracingConfig;
import io.pulsarproxy.core.consume.ConsumerVerticle;
import io.pulsarproxy.core.produce.ProducerVerticle;
import io.pulsarproxy.core.supervisor.SupervisorVerticle;
import io.pulsarproxy.core.trace.Tracing;
import io.pulsarproxy.edge.FlushConsolidation;
import io.pulsarproxy.edge.EdgeRoutes;
import io.pulsarproxy.edge.EdgeVerticle;
import io.pulsarproxy.edge.ClusterCounts;
import io.pulsarproxy.edge.EdgeNode;
import io.pulsarproxy.http.HttpRoutes;
import io.pulsarproxy.http.openapi.ApiContract;
import io.pulsarproxy.metrics.MetricsVerticle;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.pulsarproxy.ws.WsRoutes;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole proxy in one object: creates Vert.x with Prometheus metrics, deploys the verticles in dependency order
 * and stops them gracefully in reverse. Used by {@link Main} and by integration tests that run the proxy in-process.
 */
public final class ProxyApp {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyApp.class);

  private final Vertx vertx;
  private final ConfigVerticle configVerticle;
  private final Tracing tracing;
  private final SpanExporter extraExporter;
  private volatile SdkTracerProvider tracerProvider;
  private TracingConfig tracingConfig;
  /** This node's cluster membership; {@code null} when not clustered. */
  private final ClusterNode cluster;
  private final AtomicReference<Future<Void>> stopping = new AtomicReference<>();
  private String supervisorId;
  private String producerId;
  private String consumerId;
  private String edgeId;
  /** The edge instances, in the order they were created; they share one port. */
  private final List<EdgeVerticle> edges = new CopyOnWriteArrayList<>();
  private MetricsVerticle metricsVerticle;

  private ProxyApp(Vertx vertx, ConfigVerticle configVerticle, Tracing tracing, SpanExporter extraExporter,
      ClusterNode cluster) {
    this.vertx = vertx;
    this.configVerticle = configVerticle;
    this.tracing = tracing;
    this.extraExporter = extraExporter;
    this.cluster = cluster;
  }

  /**
   * Loads the configuration and starts every verticle; with {@code cluster.enabled}, first joins the cluster and
   * starts Vert.x clustered on it. Fails (with Vert.x closed and the cluster left) when the configuration is invalid or
   * a port cannot be bound.
   */
  public static Future<ProxyApp> start(ConfigVerticle configVerticle) {
    return start(configVerticle, null);
  }

  /**
   * Like {@link #start(ConfigVerticle)}, with every recorded span handed to {@code spans} as well (whatever
   * {@code tracing.exporter} says), e.g. an in-memory exporter in tests.
   */
  public static Future<ProxyApp> start(ConfigVerticle configVerticle, SpanExporter spans) {
    ClusterConfig cluster;
    try {
      cluster = configVerticle.readNow().cluster();
    } catch (ConfigException invalid) {
      return Future.failedFuture(invalid);
    }
    if (!cluster.enabled()) {
      return startNode(configVerticle, spans, null);
    }
    // Joining blocks for seconds (Hazelcast looks for its members): not on the caller's thread, which may be a loop.
    return Future.fromCompletionStage(CompletableFuture.supplyAsync(() -> ClusterNode.join(cluster)))
        .compose(node -> startNode(configVerticle, spans, node).recover(err -> Future
            .fromCompletionStage(CompletableFuture.runAsync(node::leave))
            .transform(left -> Future.failedFuture(err))));
  }

  private static Future<ProxyApp> startNode(ConfigVerticle configVerticle, SpanExporter spans, ClusterNode node) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Vert.x takes its tracer now; the SDK behind it is built once the configuration is loaded.
    Tracing tracing = new Tracing();
    VertxOptions options = new VertxOptions().setTracingOptions(new OpenTelemetryOptions())
        .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            // Event-bus meters cost a registry lookup per message and hop (a tenth of the WebSocket produce loop's
            // time under load) and describe internal wiring, not the API; /metrics documents none of them.
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
            // The route is the path template of the route that answered (bounded), never the raw path.
            .addLabels(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE));
    VertxBuilder builder = Vertx.builder()
        // Runs of WebSocket frames and responses written in one turn of an event loop go out with one flush.
        .withTransport(FlushConsolidation.nio())
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withTracer(new OpenTelemetryTracingFactory(tracing));
    if (node == null) {
      return deployOn(builder.with(options).build(), configVerticle, registry, tracing, spans, null);
    }
    // Before the first meter: every series of a clustered node names it.
    registry.config().commonTags("node", node.nodeId());
    return builder.with(options.setEventBusOptions(node.eventBusOptions()))
        .withClusterManager(node.clusterManager())
        .buildClustered()
        .compose(vertx -> {
          node.attach(vertx);
          return deployOn(vertx, configVerticle, registry, tracing, spans, node);
        });
  }

  private static Future<ProxyApp> deployOn(Vertx vertx, ConfigVerticle configVerticle,
      PrometheusMeterRegistry registry, Tracing tracing, SpanExporter spans, ClusterNode node) {
    ProxyApp app = new ProxyApp(vertx, configVerticle, tracing, spans, node);
    // Report the failure before closing Vert.x: listeners of a future completed after close have no event loop left.
    return app.deploy(registry).map(v -> app).onFailure(err -> vertx.close());
  }

  private Future<Void> deploy(PrometheusMeterRegistry registry) {
    ProxyMetrics metrics = new ProxyMetrics(registry);
    // Loaded while the other verticles deploy, so that the edge listens as soon as it is deployed.
    Future<ApiContract> contract = ApiContract.load(vertx);
    return vertx.deployVerticle(configVerticle).compose(id -> {
      ProxyConfig config = configVerticle.current();
      LogFormat.apply(config.log());
      trace(config.tracing());
      vertx.eventBus().<ProxyConfig>localConsumer(Addresses.CONFIG_CHANGED, changed -> trace(changed.body().tracing()));
      SupervisorVerticle supervisor = new SupervisorVerticle(config, metrics);
      metricsVerticle = new MetricsVerticle(config.management(), registry, metrics);
      Future<String> clusterServices = cluster == null ? Future.succeededFuture()
          : vertx.deployVerticle(new ClusterVerticle(cluster, metrics));
      return clusterServices
          .compose(c -> vertx.deployVerticle(metricsVerticle))
          .compose(m -> vertx.deployVerticle(supervisor))
          .compose(s -> {
            supervisorId = s;
            return vertx.deployVerticle(new ProducerVerticle(config, supervisor.clients(), metrics, tracing));
          })
          .compose(p -> {
            producerId = p;
            return vertx.deployVerticle(new ConsumerVerticle(config, supervisor.clients(), metrics, tracing));
          })
          .compose(c -> {
            consumerId = c;
            return contract;
          })
          .compose(api -> {
            // edge.instances instances on one port, each on its own event loop with routes of its own; what they
            // count together (in-flight bytes and requests, quotas, sockets, consumer instances) is shared.
            ClusterCounts counts = cluster == null ? ClusterCounts.NONE : cluster.counts(vertx);
            EdgeNode node = new EdgeNode(config, metrics, counts);
            Supplier<HttpRoutes> http = HttpRoutes.perInstance(config, api, counts,
                cluster == null ? null : cluster.nodeId());
            Supplier<WsRoutes> ws = WsRoutes.perInstance(config, metrics, node);
            int instances = config.edge().instances();
            return vertx.deployVerticle(() -> {
              EdgeVerticle edge = new EdgeVerticle(config, metrics, node, List.<EdgeRoutes>of(http.get(), ws.get()));
              edges.add(edge);
              return edge;
            }, new DeploymentOptions().setInstances(instances));
          })
          .map(e -> {
            edgeId = e;
            LOG.info("pulsar-proxy started: API {}://{}:{}/api/v1 ({} edge instances), management {}://{}:{}/metrics, "
                + "Pulsar {}", config.http().tls().enabled() ? "https" : "http", config.http().host(), httpPort(),
                edges.size(),
                config.management().tls().enabled() ? "https" : "http", config.management().host(),
                metricsVerticle.actualPort(), config.pulsar().serviceUrl());
            return null;
          });
    });
  }

  public Vertx vertx() {
    return vertx;
  }

  public ProxyConfig config() {
    return configVerticle.current();
  }

  public int httpPort() {
    return edges.get(0).actualPort();
  }

  /** The edge instances deployed ({@code edge.instances}). */
  public int edgeInstances() {
    return edges.size();
  }

  public int managementPort() {
    return metricsVerticle.actualPort();
  }

  /** This node's id in the cluster, or empty when the proxy does not run clustered. */
  public java.util.Optional<String> nodeId() {
    return java.util.Optional.ofNullable(cluster).map(ClusterNode::nodeId);
  }

  /**
   * Stops gracefully: readiness goes 503 and new requests are refused at once; requests in progress get their answer
   * (bounded by {@code shutdown.timeout}); then producers, the Pulsar client and Vert.x close. Idempotent.
   */
  public Future<Void> stop() {
    Future<Void> existing = stopping.get();
    if (existing != null) {
      return existing;
    }
    long deadline = configVerticle.current().shutdown().timeout().toMillis();
    Future<Void> result = Future.<Void>succeededFuture()
        .compose(v -> {
          LOG.info("Shutting down: refusing new requests, finishing those in progress (at most {} ms)", deadline);
          // Local: in a cluster, the other nodes carry on.
          vertx.eventBus().publish(Addresses.SHUTDOWN, null, new DeliveryOptions().setLocalOnly(true));
          return undeploy(edgeId);
        })
        .compose(v -> undeploy(producerId))
        .compose(v -> undeploy(consumerId))
        .compose(v -> undeploy(supervisorId))
        .timeout(deadline + 10_000, TimeUnit.MILLISECONDS)
        .onFailure(err -> LOG.warn("Graceful shutdown did not complete: {}", err.getMessage()))
        .otherwiseEmpty()
        .compose(v -> vertx.close())
        // Hazelcast after Vert.x: the event bus needed it until Vert.x closed.
        .compose(v -> cluster == null ? Future.<Void>succeededFuture()
            : Future.fromCompletionStage(CompletableFuture.runAsync(cluster::leave)))
        // The spans of the last requests are exported before the process ends.
        .compose(v -> stopTracing())
        .onSuccess(v -> LOG.info("Stopped"));
    return stopping.compareAndSet(null, result) ? result : stopping.get();
  }

  /** Starts spans with the SDK {@code config} asks for, when it differs from the one in use; the old one flushes. */
  private void trace(TracingConfig config) {
    if (config.equals(tracingConfig)) {
      return;
    }
    SdkTracerProvider previous = tracerProvider;
    tracerProvider = TracerSetup.provider(config, extraExporter);
    tracing.use(tracerProvider.get("io.pulsarproxy"));
    if (previous != null) {
      LOG.info("Tracing now {}", config);
      previous.shutdown();
    }
    tracingConfig = config;
  }

  /** Exports the spans still buffered and stops the exporter; completes on the exporter's thread. */
  private Future<Void> stopTracing() {
    if (tracerProvider == null) {
      return Future.succeededFuture();
    }
    Promise<Void> stopped = Promise.promise();
    tracerProvider.shutdown().whenComplete(stopped::tryComplete);
    return stopped.future();
  }

  private Future<Void> undeploy(String id) {
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }
}
