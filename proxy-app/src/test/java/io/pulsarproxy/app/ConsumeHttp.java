package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The consume API of a {@link ProxyFixture}, as a test client: each call asserts the status it expects. */
final class ConsumeHttp {
  final ProxyFixture proxy;

  ConsumeHttp(ProxyFixture proxy) {
    this.proxy = proxy;
  }

  HttpResponse<String> post(String path, String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url(path))).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return proxy.send(b.build());
  }

  HttpResponse<String> delete(String path) {
    return proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path))).DELETE().build());
  }

  HttpResponse<String> get(String path) {
    return proxy.get(proxy.url(path));
  }

  /** Creates a consumer instance; returns its id. */
  String create(JsonObject request) {
    HttpResponse<String> response = post("/api/v1/consumers", request.encode(), Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body()).getString("id");
  }

  static JsonObject subscription(String topic, String subscription, String type) {
    return new JsonObject().put("topic", topic).put("subscription", subscription).put("subscriptionType", type)
        .put("initialPosition", "Earliest");
  }

  JsonArray poll(String id, int max, long waitMs) {
    HttpResponse<String> response = get("/api/v1/consumers/" + id + "/messages?max=" + max + "&waitMs=" + waitMs);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonArray(response.body());
  }

  /** Polls until {@code count} messages came (failing after 30 s), without acknowledging them. */
  List<JsonObject> pollUntil(String id, int count) {
    List<JsonObject> received = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      poll(id, count - received.size(), 1000).forEach(m -> received.add((JsonObject) m));
      return received.size() >= count;
    });
    return received;
  }

  void ack(String id, List<String> messageIds) {
    expect204(post("/api/v1/consumers/" + id + "/acks",
        new JsonObject().put("messageIds", new JsonArray(messageIds)).encode(), Map.of()));
  }

  void nack(String id, List<String> messageIds) {
    expect204(post("/api/v1/consumers/" + id + "/nacks",
        new JsonObject().put("messageIds", new JsonArray(messageIds)).encode(), Map.of()));
  }

  void seek(String id, JsonObject to) {
    expect204(post("/api/v1/consumers/" + id + "/seek", to.encode(), Map.of()));
  }

  void close(String id) {
    expect204(delete("/api/v1/consumers/" + id));
  }

  static List<String> ids(List<JsonObject> messages) {
    return messages.stream().map(m -> m.getString("messageId")).toList();
  }

  static void expect204(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
  }

  /** Asserts the error envelope: status, code, and (when given) a detail naming {@code field}. */
  static JsonObject assertError(HttpResponse<String> response, int status, String code, String field) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank();
    if (field != null) {
      assertThat(body.getJsonArray("details").stream().map(d -> ((JsonObject) d).getString("field")))
          .contains(field);
    }
    return body;
  }

  static long backlog(PulsarBroker broker, String topic, String subscription) throws Exception {
    return broker.admin().topics().getStats(topic).getSubscriptions().get(subscription).getMsgBacklog();
  }
}
