package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad produce request gets a 4xx with the JSON error envelope, and nothing reaches the topic. */
@ExtendWith(PulsarExtension.class)
class HttpProduceErrorsIT {
  private static ProxyFixture proxy;
  private static PulsarClient client;
  private static PulsarBroker broker;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(),
        ProxyFixture.cfg("http", "maxBodySize", "4KB", "maxMessageSize", "1KB", "maxMessagesPerRequest", 5));
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  private static void assertError(HttpResponse<String> response, int status, String code, String field) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonObject body = json(response);
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank();
    if (field != null) {
      assertThat(body.getJsonArray("details").stream().map(d -> ((JsonObject) d).getString("field")))
          .contains(field);
    }
  }

  @Test
  void anUnknownNamespaceIsNotFoundInWordsNotTheBrokersJson() {
    HttpResponse<String> r = proxy.postJson(producePath("persistent://public/no-such-namespace/t"),
        "{\"messages\":[{\"text\":\"x\"}]}");
    assertError(r, 404, "TOPIC_NOT_FOUND", null);
    assertThat(json(r).getString("message")).containsIgnoringCase("namespace not found")
        .doesNotContain("{").doesNotContain("errorMsg").doesNotContain("Exception");
  }

  @Test
  void badRequestsAreRefusedAndNothingIsSent() throws Exception {
    String topic = broker.uniqueTopic("bad-input");
    String path = producePath(topic);
    try (Consumer<byte[]> consumer = client.newConsumer().topic(topic).subscriptionName("it")
        .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe()) {
      assertError(proxy.postJson(path, "{\"messages\":[{\"text\":\"x\"}"), 400, "BAD_REQUEST", "body");
      assertError(proxy.postJson(path, "{}"), 400, "BAD_REQUEST", "messages");
      assertError(proxy.postJson(path, "{\"messages\":[]}"), 400, "BAD_REQUEST", "messages");
      assertError(proxy.postJson(path, "{\"messages\":[{\"text\":\"ok\"},{\"key\":\"only\"}]}"),
          400, "BAD_REQUEST", "messages[1]");
      assertError(proxy.postJson(path, "{\"messages\":[{\"text\":\"a\",\"value\":1}]}"),
          400, "BAD_REQUEST", "messages[0]");
      assertError(proxy.postJson(path, "{\"messages\":[{\"text\":\"ok\"},{\"payload\":\"%%%\"}]}"),
          400, "BAD_REQUEST", "messages[1].payload");
      assertError(proxy.postJson(path, "{\"messages\":[{\"text\":\"a\",\"eventTime\":\"tuesday\"}]}"),
          400, "BAD_REQUEST", "messages[0].eventTime");
      assertError(proxy.postJson(path, "{\"messages\":[{\"text\":\"1\"},{\"text\":\"2\"},{\"text\":\"3\"},"
          + "{\"text\":\"4\"},{\"text\":\"5\"},{\"text\":\"6\"}]}"), 400, "BAD_REQUEST", "messages");
      assertError(proxy.postJson(path, "{\"messages\":[{\"text\":\"" + "x".repeat(2000) + "\"}]}"),
          413, "PAYLOAD_TOO_LARGE", "messages[0]");
      assertError(proxy.postJson(path, "{\"messages\":[{\"text\":\"" + "x".repeat(5000) + "\"}]}"),
          413, "PAYLOAD_TOO_LARGE", null);
      assertError(proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path)))
              .header("Content-Type", "text/plain").header("Pulsar-Event-Time", "later")
              .POST(HttpRequest.BodyPublishers.ofString("raw")).build()),
          400, "BAD_REQUEST", "Pulsar-Event-Time");

      // The only message that reaches the topic is the valid one sent last.
      assertThat(proxy.postJson(path, "{\"messages\":[{\"text\":\"marker\"}]}").statusCode()).isEqualTo(200);
      Message<byte[]> first = consumer.receive(20, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(new String(first.getValue(), StandardCharsets.UTF_8)).isEqualTo("marker");
      assertThat(broker.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(1);
    }
  }

  @Test
  void invalidTopicNamesAre400() {
    assertError(proxy.postJson("/api/v1/topics/durable/public/default/x/messages", "{\"messages\":[{\"text\":\"x\"}]}"),
        400, "INVALID_TOPIC", "domain");
    assertError(proxy.postJson("/api/v1/topics/persistent/pub%20lic/default/x/messages",
        "{\"messages\":[{\"text\":\"x\"}]}"), 400, "INVALID_TOPIC", "tenant");
  }

  @Test
  void aFormBodyIs415AndRawBodiesStillProduce() throws Exception {
    String topic = broker.uniqueTopic("form-body");
    String path = producePath(topic);
    try (Consumer<byte[]> consumer = client.newConsumer().topic(topic).subscriptionName("it")
        .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe()) {
      // What curl -d sends when no Content-Type is given
      HttpResponse<String> form = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path)))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"text\":\"x\"}]}")).build());
      assertError(form, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type");
      assertThat(json(form).getString("message")).contains("application/json", "application/octet-stream",
          "text/plain");

      for (String type : new String[] {"text/plain", "application/octet-stream"}) {
        assertThat(proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path))).header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(type)).build()).statusCode()).isEqualTo(200);
      }
      for (String expected : new String[] {"text/plain", "application/octet-stream"}) {
        Message<byte[]> m = consumer.receive(20, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(new String(m.getValue(), StandardCharsets.UTF_8)).isEqualTo(expected);
      }
      assertThat(broker.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(2);
    }
  }

  @Test
  void anUnknownFieldIsNamedAndMalformedJsonSaysWhere() throws Exception {
    String topic = broker.uniqueTopic("unknown-field");
    String path = producePath(topic);
    HttpResponse<String> unknown = proxy.postJson(path, "{\"messages\":[{\"txt\":\"hello\"}]}");
    assertError(unknown, 400, "BAD_REQUEST", "messages[0].txt");
    assertThat(json(unknown).getString("message")).startsWith("messages[0].txt: is not a known field");

    HttpResponse<String> malformed = proxy.postJson(path, "{\"messages\":[{\"text\":\"x\"}}");
    assertError(malformed, 400, "BAD_REQUEST", "body");
    assertThat(json(malformed).getString("message"))
        .startsWith("body: malformed JSON at line 1, column 26: unexpected close marker")
        .doesNotContain("Source", "code 125", "Failed to decode", "jackson");
    assertThat(broker.admin().topics().getList("public/default")).noneMatch(t -> t.contains("unknown-field"));
  }

  @Test
  void topicNamesPulsarWouldReadOtherwiseAre400AndCreateNothing() throws Exception {
    String local = broker.uniqueTopic("odd-name").substring("persistent://public/default/".length());
    for (String bad : new String[] {local + "%20x", local + "..x", local + "%2Fx"}) {
      HttpResponse<String> response = proxy.postJson("/api/v1/topics/persistent/public/default/" + bad + "/messages",
          "{\"messages\":[{\"text\":\"x\"}]}");
      assertError(response, 400, "INVALID_TOPIC", "topic");
      assertThat(json(response).getString("message")).startsWith("topic: '" + local);
    }
    assertThat(broker.admin().topics().getList("public/default")).noneMatch(t -> t.contains(local));
    // Pulsar would have read public/default/a%2Fx as the legacy name public/default/a/x: nothing there either
    assertThat(broker.admin().namespaces().getNamespaces("public")).noneMatch(ns -> ns.contains(local));
  }

  @Test
  void unknownRoutesAndMethodsGetTheEnvelope() {
    assertError(proxy.get(proxy.url("/nope")), 404, "NOT_FOUND", null);
    assertError(proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(producePath("persistent://public/default/x"))))
        .PUT(HttpRequest.BodyPublishers.ofString("x")).build()), 405, "METHOD_NOT_ALLOWED", null);
  }
}
