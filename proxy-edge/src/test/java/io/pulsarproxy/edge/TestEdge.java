package io.pulsarproxy.edge;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An edge verticle in a Vert.x of its own, listening on a free port of 127.0.0.1 with routes that stand for the real
 * ones, and a web client: the edge's behaviour without a broker. Closing it closes the Vert.x.
 */
public final class TestEdge implements AutoCloseable {
  public final Vertx vertx;
  public final EdgeVerticle edge;
  public final WebClient client;

  private TestEdge(Vertx vertx, EdgeVerticle edge, WebClient client) {
    this.vertx = vertx;
    this.edge = edge;
    this.client = client;
  }

  /** Deploys an edge configured by {@code config} (sections as in the YAML file) with {@code routes}. */
  public static TestEdge start(JsonObject config, EdgeRoutes routes) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      EdgeVerticle edge = new EdgeVerticle(ConfigLoader.build(new JsonObject()
          .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1")).mergeIn(config, true)),
          ProxyMetrics.noop(), List.of(routes));
      vertx.deployVerticle(edge).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new TestEdge(vertx, edge, WebClient.create(vertx));
    } catch (Exception | Error e) {
      vertx.close();
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
