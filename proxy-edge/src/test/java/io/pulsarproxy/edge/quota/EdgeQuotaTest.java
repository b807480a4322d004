package io.pulsarproxy.edge.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.edge.EdgeRoutes;
import io.pulsarproxy.edge.EdgeVerticle;
import io.pulsarproxy.edge.TestEdge;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The edge's count of requests in progress per principal ({@code quotas.maxInFlightRequests}), without a broker. */
class EdgeQuotaTest {
  private static TestEdge test;
  private static EdgeVerticle edge;
  private static WebClient client;
  private static final ConcurrentLinkedQueue<RoutingContext> held = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() throws Exception {
    JsonObject config = new JsonObject()
        .put("quotas", new JsonObject().put("enabled", true).put("maxInFlightRequests", 1));
    EdgeRoutes routes = new EdgeRoutes() {
      @Override
      public void mount(Vertx v, Router router) {
        router.get("/held").handler(held::add);
        router.get("/quick").handler(ctx -> ctx.response().end("done"));
      }
    };
    test = TestEdge.start(config, routes);
    edge = test.edge;
    client = test.client;
  }

  @AfterAll
  static void stop() throws Exception {
    test.close();
  }

  private static CompletableFuture<HttpResponse<Buffer>> get(String path) {
    return client.request(HttpMethod.GET, edge.actualPort(), "127.0.0.1", path).send().toCompletionStage()
        .toCompletableFuture();
  }

  @Test
  void aRequestBeyondThePrincipalsInFlightQuotaIs429UntilOneEnds() throws Exception {
    CompletableFuture<HttpResponse<Buffer>> first = get("/held");
    await().atMost(Duration.ofSeconds(10)).until(() -> !held.isEmpty());

    HttpResponse<Buffer> refused = get("/quick").get(10, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("TOO_MANY_REQUESTS");
    assertThat(refused.bodyAsJsonObject().getString("message"))
        .isEqualTo("anonymous holds 1 requests in progress, its quota (quotas.maxInFlightRequests); "
            + "close one or retry later");

    RoutingContext ctx = held.poll();
    ctx.vertx().runOnContext(v -> ctx.response().end("released"));
    assertThat(first.get(10, TimeUnit.SECONDS).bodyAsString()).isEqualTo("released");
    // The end of the held request gave its place back (the refused one never took one).
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/quick").get(10, TimeUnit.SECONDS).statusCode() == 200);
    assertThat(get("/quick").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }
}
