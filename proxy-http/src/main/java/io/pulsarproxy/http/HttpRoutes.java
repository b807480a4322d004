package io.pulsarproxy.http;

import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.edge.ClusterCounts;
import io.pulsarproxy.edge.EdgeRoutes;
import io.pulsarproxy.http.consume.ConsumeApi;
import io.pulsarproxy.http.consume.NodeInstances;
import io.pulsarproxy.http.openapi.ApiContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * The REST API on the edge server: produce, topic schemas, the consume API with its SSE streams and reads, and the OpenAPI contract
 * at {@code /api/v1/openapi.yaml}. Every route is served from the contract and its requests are validated against it
 * ({@link ApiContract}).
 */
public final class HttpRoutes implements EdgeRoutes {
  private final NodeInstances instances;
  /** This node's id in the cluster; null when the proxy does not run clustered. */
  private final String nodeId;
  private ProxyConfig config;
  private ApiContract contract;
  private ProduceHandler produceHandler;
  private SchemaHandler schemaHandler;
  private ConsumeApi consumeApi;
  private Future<Void> shutdown;

  /**
   * @param contract the API contract, loaded beforehand so that the server listens as soon as it is deployed; null
   *                 to load it in {@link #prepare}
   */
  public HttpRoutes(ProxyConfig config, ApiContract contract) {
    this(config, contract, new NodeInstances(), null);
  }

  private HttpRoutes(ProxyConfig config, ApiContract contract, NodeInstances instances, String nodeId) {
    this.nodeId = nodeId;
    this.config = config;
    this.contract = contract;
    this.instances = instances;
  }

  /**
   * Routes for each of the node's edge instances ({@code edge.instances}): each call gives the routes of one more
   * instance, confined to its event loop; their consumer instances are counted together against
   * {@code httpConsumer.maxInstances} and reachable from every instance.
   */
  public static Supplier<HttpRoutes> perInstance(ProxyConfig config, ApiContract contract) {
    return perInstance(config, contract, ClusterCounts.NONE, null);
  }

  /**
   * As {@link #perInstance(ProxyConfig, ApiContract)}, on node {@code nodeId} of a cluster (null: not clustered),
   * where consumer instances are counted cluster-wide as well ({@code cluster}) and long-poll consumer instances
   * outlive their node (see {@link ConsumeApi}).
   */
  public static Supplier<HttpRoutes> perInstance(ProxyConfig config, ApiContract contract, ClusterCounts cluster,
      String nodeId) {
    NodeInstances shared = new NodeInstances(cluster);
    return () -> new HttpRoutes(config, contract, shared, nodeId);
  }

  @Override
  public Future<?> prepare(Vertx vertx) {
    return contract != null ? Future.succeededFuture() : ApiContract.load(vertx).onSuccess(api -> contract = api);
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    produceHandler = new ProduceHandler(vertx, config);
    consumeApi = new ConsumeApi(vertx, config, instances, nodeId);
    // The edge has read the body (BoundedBodyHandler). The produce parser validates the whole request (named fields,
    // 400/413) itself; see routeSelfValidated.
    contract.routeSelfValidated(router, "produceMessages", produceHandler);
    schemaHandler = new SchemaHandler(vertx, config);
    contract.route(router, "getTopicSchema", schemaHandler);
    consumeApi.mount(router, contract);
  }

  /** The contract is public, so that tools can read it without credentials. */
  @Override
  public void mountPublic(Vertx vertx, Router router) {
    contract.route(router, "getOpenApi", ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml").end(contract.yaml()));
  }

  @Override
  public void reconfigure(ProxyConfig newConfig) {
    config = newConfig;
    produceHandler.reconfigure(newConfig);
    schemaHandler.reconfigure(newConfig);
    consumeApi.reconfigure(newConfig);
  }

  @Override
  public void shuttingDown() {
    drain();
  }

  /** Ends polls, streams and reads, and closes every consumer instance; the first call does it, later ones wait. */
  @Override
  public Future<?> drain() {
    if (shutdown == null) {
      shutdown = consumeApi.shutdown();
    }
    return shutdown;
  }
}
