package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.assertError;
import static io.pulsarproxy.app.ConsumeHttp.backlog;
import static io.pulsarproxy.app.ConsumeHttp.ids;
import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With several edge instances ({@code edge.instances}), consecutive requests of a client arrive on different instances
 * (each request of {@link ProxyFixture#send} goes over another connection): a consumer instance created through one
 * is polled, acknowledged and deleted through the others, and what comes back is what Pulsar holds.
 */
@ExtendWith(PulsarExtension.class)
class EdgeInstancesIT {
  private static ProxyFixture proxy;
  private static ConsumeHttp http;
  private static PulsarBroker broker;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), new JsonObject());
    http = new ConsumeHttp(proxy);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
  }

  @Test
  void deploysTheConfiguredEdgeInstancesOnOnePort() {
    assertThat(proxy.app.edgeInstances()).isEqualTo(ProxyFixture.EDGE_INSTANCES);
    // every client (each on another instance) reaches the same API on the one port
    for (int i = 0; i < ProxyFixture.EDGE_INSTANCES; i++) {
      assertThat(proxy.get(proxy.url("/api/v1/openapi.yaml")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anInstanceCreatedThroughOneEdgeInstanceIsServedThroughTheOthers() throws Exception {
    String topic = broker.uniqueTopic("spread");
    // produced through the edge instances in turn
    List<String> produced = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String text = "m" + i;
      HttpResponse<String> r = proxy.postJson(ProxyFixture.producePath(topic), new JsonObject().put("messages",
          new JsonArray().add(new JsonObject().put("payload",
              Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))))).encode());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      produced.add(text);
    }
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactlyElementsOf(produced);

    String id = http.create(subscription(topic, "sub", "Shared"));
    // looked up through every instance
    for (int i = 0; i < ProxyFixture.EDGE_INSTANCES; i++) {
      JsonObject info = ProxyFixture.json(http.get("/api/v1/consumers/" + id));
      assertThat(info.getString("id")).isEqualTo(id);
      assertThat(info.getString("subscription")).isEqualTo("sub");
    }
    List<JsonObject> received = http.pollUntil(id, produced.size());
    assertThat(received.stream().map(m -> new String(Base64.getDecoder().decode(m.getString("payload")),
        StandardCharsets.UTF_8))).containsExactlyInAnyOrderElementsOf(produced);
    Set<String> inTopic = ProxyFixture.idsInTopic(broker, topic);
    assertThat(ids(received)).containsExactlyInAnyOrderElementsOf(inTopic);

    // acknowledged one by one, each through the next instance
    ids(received).forEach(messageId -> http.ack(id, List.of(messageId)));
    await().atMost(Duration.ofSeconds(30)).until(() -> backlog(broker, topic, "sub") == 0);

    http.close(id);
    // gone for every instance, with the reason the owner remembers
    for (int i = 0; i < ProxyFixture.EDGE_INSTANCES; i++) {
      JsonObject gone = assertError(http.get("/api/v1/consumers/" + id + "/messages?waitMs=0"), 404, "NOT_FOUND",
          null);
      assertThat(gone.getString("message")).contains(id).contains("was deleted");
    }
    await().atMost(Duration.ofSeconds(30)).until(() ->
        broker.admin().topics().getStats(topic).getSubscriptions().get("sub").getConsumers().isEmpty());
  }

  @Test
  void aLongPollThroughAnotherInstanceIsAnsweredWhenAMessageArrives() throws Exception {
    String topic = broker.uniqueTopic("wait");
    String id = http.create(subscription(topic, "sub", "Exclusive"));
    var waiting = proxy.nextClient().sendAsync(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(proxy.url("/api/v1/consumers/" + id + "/messages?max=5&waitMs=20000"))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    String text = "late";
    HttpResponse<String> r = proxy.postJson(ProxyFixture.producePath(topic), new JsonObject().put("messages",
        new JsonArray().add(new JsonObject().put("payload",
            Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))))).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    HttpResponse<String> answer = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonArray messages = new JsonArray(answer.body());
    assertThat(messages).hasSize(1);
    assertThat(messages.getJsonObject(0).getString("messageId"))
        .isEqualTo(ProxyFixture.idsInTopic(broker, topic).iterator().next());
    http.close(id);
  }
}
