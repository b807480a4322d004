package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.StandalonePulsar;
import io.pulsarproxy.testkit.TokenAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.apache.pulsar.common.policies.data.AuthAction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code authorization.mode: broker} against a broker with token authentication and authorisation: the proxy's own
 * role may do nothing on the namespace, {@code alice} may produce and consume, {@code bob} is authenticated but has no
 * permission. The proxy authenticates the token, then acts with it at the broker, whose ACLs decide.
 */
class BrokerModeIT {
  private static final String NAMESPACE = "public/default";

  @TempDir
  static Path dir;
  private static StandalonePulsar broker;
  private static TokenAuth auth;
  private static ProxyFixture proxy;

  @BeforeAll
  static void start() throws Exception {
    auth = TokenAuth.random();
    broker = StandalonePulsar.startNew(dir.resolve("pulsar"), auth);
    broker.admin().namespaces().grantPermissionOnNamespace(NAMESPACE, "alice",
        EnumSet.of(AuthAction.produce, AuthAction.consume));
    proxy = ProxyFixture.start(dir, broker.serviceUrl(), new JsonObject()
        .put("pulsar", new JsonObject().put("authToken", auth.token("proxy")))
        .put("auth", new JsonObject().put("providers", new JsonArray().add("jwt"))
            .put("jwt", new JsonObject().put("secretKey", auth.secretKeyDataUrl())))
        .put("authorization", new JsonObject().put("mode", "broker")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private static HttpResponse<String> post(String path, String body, String role) {
    return proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path))).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + auth.token(role)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  @Test
  void theBrokerDecidesWithTheClientsToken() throws Exception {
    String topic = "persistent://public/default/broker-mode-" + Long.toHexString(System.nanoTime());
    HttpResponse<String> alice = post(producePath(topic), "{\"messages\":[{\"text\":\"by alice\"}]}", "alice");
    assertThat(alice.statusCode()).as(alice.body()).isEqualTo(200);
    HttpResponse<String> bob = post(producePath(topic), "{\"messages\":[{\"text\":\"by bob\"}]}", "bob");
    assertThat(bob.statusCode()).as(bob.body()).isEqualTo(403);
    assertThat(json(bob).getString("error")).isEqualTo("FORBIDDEN");

    HttpResponse<String> aliceConsumer = post("/api/v1/consumers",
        new JsonObject().put("topic", topic).put("subscription", "a").encode(), "alice");
    assertThat(aliceConsumer.statusCode()).as(aliceConsumer.body()).isEqualTo(201);
    HttpResponse<String> bobConsumer = post("/api/v1/consumers",
        new JsonObject().put("topic", topic).put("subscription", "b").encode(), "bob");
    assertThat(bobConsumer.statusCode()).as(bobConsumer.body()).isEqualTo(403);

    assertThat(texts(topic)).containsExactly("by alice");
  }

  private static List<String> texts(String topic) throws Exception {
    List<String> texts = new ArrayList<>();
    try (PulsarClient client = broker.clientBuilder().build();
        Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      while (reader.hasMessageAvailable()) {
        Message<byte[]> m = reader.readNext(10, TimeUnit.SECONDS);
        texts.add(new String(m.getValue(), StandardCharsets.UTF_8));
      }
    }
    return texts;
  }
}
