package io.pulsarproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.edge.EdgeVerticle;
import io.pulsarproxy.http.openapi.ApiContract;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.openapi.contract.Operation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The edge server against its OpenAPI contract, without a broker: every route is in the contract and every operation
 * of the contract is routed, the contract is served, and requests the contract refuses get the error envelope naming
 * the field before anything reaches Pulsar.
 */
class EdgeContractTest {
  private static Vertx vertx;
  private static EdgeVerticle edge;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ProxyConfig config = ConfigLoader.build(new JsonObject().put("http", new JsonObject().put("port", 0)));
    edge = new EdgeVerticle(config, ProxyMetrics.noop(), List.of(new HttpRoutes(config, null)));
    vertx.deployVerticle(edge).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void theRouterServesExactlyTheOperationsOfTheContract() throws Exception {
    Set<String> routed = new TreeSet<>();
    for (Route route : edge.router().getRoutes()) {
      if (route.getPath() != null && route.getPath().startsWith("/api/")) {
        assertThat(route.methods()).as("methods of %s", route.getPath()).isNotEmpty();
        route.methods().forEach(m -> routed.add(m.name() + " " + route.getPath()));
      }
    }
    ApiContract contract = ApiContract.load(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Set<String> described = new TreeSet<>();
    for (Operation op : contract.openApi().operations()) {
      described.add(op.getHttpMethod().name() + " " + ApiContract.vertxPath(op.getOpenAPIPath()));
    }
    assertThat(routed).isEqualTo(described).contains(
        "POST /api/v1/topics/:domain/:tenant/:namespace/:topic/messages",
        "GET /api/v1/consumers/:id/messages",
        "GET /api/v1/topics/:domain/:tenant/:namespace/:topic/schema",
        "GET /api/v1/topics/:domain/:tenant/:namespace/:topic/subscriptions/:subscription/events");
  }

  @Test
  void servesTheContractAsPublished() throws Exception {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/api/v1/openapi.yaml", null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/yaml");
    String yaml = response.bodyAsString();
    assertThat(yaml).startsWith("openapi: 3.1.0").contains("text/event-stream").contains("\"*/*\"");
    JsonObject parsed = ConfigLoader.parseYaml(yaml, "served contract");
    assertThat(parsed.getJsonObject("paths").fieldNames()).hasSize(10)
        .contains("/api/v1/topics/{domain}/{tenant}/{namespace}/{topic}/schema");
  }

  @ParameterizedTest(name = "{0} {1} -> {3} {4}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      POST | /api/v1/consumers                 | {"subscription":"s","topic":      | 400 | BAD_REQUEST | body
      POST | /api/v1/consumers                 | {"topic":"persistent://a/b/c"}    | 400 | BAD_REQUEST | subscription
      POST | /api/v1/consumers                 | {"subscription":5,"topic":"x"}    | 400 | BAD_REQUEST | subscription
      POST | /api/v1/consumers                 | {"subscription":"s","topik":"x"}  | 400 | BAD_REQUEST | topik
      POST | /api/v1/consumers                 | {"subscription":"s","subscriptionType":"Round"} | 400 | BAD_REQUEST | subscriptionType
      POST | /api/v1/consumers                 | {"subscription":"s","receiverQueueSize":0} | 400 | BAD_REQUEST | receiverQueueSize
      POST | /api/v1/consumers                 | {"subscription":"s","deadLetter":{}} | 400 | BAD_REQUEST | deadLetter.maxRedeliverCount
      POST | /api/v1/consumers                 | [1,2]                             | 400 | BAD_REQUEST | body
      GET  | /api/v1/consumers/x/messages?max=abc | ""                             | 400 | BAD_REQUEST | max
      GET  | /api/v1/consumers/x/messages?waitMs=-1 | ""                           | 400 | BAD_REQUEST | waitMs
      POST | /api/v1/consumers/x/acks          | {"messageIds":"CAE="}             | 400 | BAD_REQUEST | messageIds
      POST | /api/v1/consumers/x/acks          | {"messageIds":[]}                 | 400 | BAD_REQUEST | messageIds
      POST | /api/v1/consumers/x/seek          | {"timestamp":"yesterday"}         | 400 | BAD_REQUEST | timestamp
      POST | /api/v1/consumers/x/acks          | {"messageIds":["CAE="],"all":true} | 400 | BAD_REQUEST | all
      POST | /api/v1/consumers/x/acks          | {"messageIds":[                   | 400 | BAD_REQUEST | body
      POST | /api/v1/consumers/x/acks          | ["CAE="]                          | 400 | BAD_REQUEST | body
      POST | /api/v1/consumers/x/nacks         | {"messageIds":["CAE="],"delayMs":5} | 400 | BAD_REQUEST | delayMs
      POST | /api/v1/consumers/x/seek          | {"timestamp":1,"reset":true}      | 400 | BAD_REQUEST | reset
      DELETE | /api/v1/consumers/x?unsubscribe=maybe | ""                         | 400 | BAD_REQUEST | unsubscribe
      GET  | /api/v1/topics/persistent/public/default/t/messages?format=xml | ""  | 400 | BAD_REQUEST | format
      GET  | /api/v1/topics/persistent/public/default/t/subscriptions/s/events?ack=sometimes | "" | 400 | BAD_REQUEST | ack
      """)
  void requestsTheContractRefusesGetTheEnvelope(String method, String path, String body, int status, String code,
      String field) throws Exception {
    HttpResponse<Buffer> response = send(HttpMethod.valueOf(method), path, body.isEmpty() ? null : body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject envelope = response.bodyAsJsonObject();
    assertThat(envelope.getString("error")).isEqualTo(code);
    assertThat(envelope.getString("message")).startsWith(field + ":");
    JsonArray details = envelope.getJsonArray("details");
    assertThat(details.getJsonObject(0).getString("field")).isEqualTo(field);
  }

  @Test
  void aJsonRouteRefusesAnotherContentType() throws Exception {
    HttpResponse<Buffer> response = client.post(edge.actualPort(), "127.0.0.1", "/api/v1/consumers/x/acks")
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("{\"messageIds\":[\"CAE=\"]}"))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/acks", "/nacks", "/seek"})
  void aJsonRouteWithoutABodyNamesTheBody(String suffix) throws Exception {
    HttpResponse<Buffer> response = client.post(edge.actualPort(), "127.0.0.1", "/api/v1/consumers/x" + suffix)
        .putHeader("Content-Type", "application/json").send()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("message")).isEqualTo("body: is missing");
  }

  @Test
  void aJsonRouteTakesJsonWithACharset() throws Exception {
    // Past the checks of the request: the instance is looked for, and there is none.
    HttpResponse<Buffer> response = client.post(edge.actualPort(), "127.0.0.1", "/api/v1/consumers/nobody/acks")
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .sendBuffer(Buffer.buffer("{\"messageIds\":[\"CAEQAjAA\"]}"))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(404);
    assertThat(response.bodyAsJsonObject().getString("message")).contains("no consumer instance nobody");
  }

  @Test
  void anUnknownConsumerIs404() throws Exception {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/api/v1/consumers/nobody/messages?waitMs=0", null);
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.bodyAsJsonObject().getString("message")).contains("no consumer instance nobody");
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String body) throws Exception {
    var request = client.request(method, edge.actualPort(), "127.0.0.1", path);
    var sent = body == null ? request.send()
        : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body, StandardCharsets.UTF_8.name()));
    return sent.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
