package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.assertError;
import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds of the consume API: idle instances expire, instances are limited in total and per client. The proxy
 * runs {@link ProxyFixture#EDGE_INSTANCES} edge instances and consecutive requests arrive on different ones: the
 * limits hold for the node, not per instance.
 */
@ExtendWith(PulsarExtension.class)
class HttpConsumerLimitsIT {
  private static ProxyFixture proxy;
  private static ConsumeHttp http;
  private static PulsarClient client;
  private static PulsarBroker broker;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), ProxyFixture.cfg("httpConsumer",
        // Instances must outlive the pauses of a busy machine between a test's requests: 5 s, not 1 s.
        "idleTimeout", "5s", "maxInstances", 3, "maxInstancesPerClient", 2, "maxWait", "6s"));
    http = new ConsumeHttp(proxy);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  @Test
  void anIdleInstanceIsClosedAndPulsarRedeliversWhatItHeld() throws Exception {
    String topic = broker.uniqueTopic("idle");
    try (Producer<byte[]> producer = client.newProducer().topic(topic).create()) {
      producer.send("held".getBytes(StandardCharsets.UTF_8));
    }
    String id = http.create(subscription(topic, "sub", "Shared"));
    JsonObject held = http.pollUntil(id, 1).get(0);

    // no request for longer than httpConsumer.idleTimeout: the Pulsar consumer goes away
    await().atMost(Duration.ofSeconds(30)).until(() ->
        broker.admin().topics().getStats(topic).getSubscriptions().get("sub").getConsumers().isEmpty());
    JsonObject gone = assertError(http.get("/api/v1/consumers/" + id + "/messages?waitMs=0"), 404, "NOT_FOUND", null);
    assertThat(gone.getString("message")).contains(id).contains("httpConsumer.idleTimeout");

    String again = http.create(subscription(topic, "sub", "Shared"));
    JsonObject redelivered = http.pollUntil(again, 1).get(0);
    assertThat(redelivered.getString("messageId")).isEqualTo(held.getString("messageId"));
    http.ack(again, List.of(redelivered.getString("messageId")));
    http.close(again);
  }

  @Test
  void aLongPollKeepsItsInstanceAlive() throws Exception {
    String topic = broker.uniqueTopic("busy");
    String id = http.create(subscription(topic, "sub", "Exclusive"));
    // each poll lasts longer than the idle timeout
    for (int i = 0; i < 2; i++) {
      assertThat(http.poll(id, 1, 6000)).isEmpty();
    }
    http.close(id);
  }

  @Test
  void instancesAreLimitedPerClientAndInTotal() throws Exception {
    String topic = broker.uniqueTopic("limits");
    List<String> created = new ArrayList<>();
    String body = subscription(topic, "sub", "Shared").encode();
    for (String client : List.of("a", "a")) {
      HttpResponse<String> ok = http.post("/api/v1/consumers", body, Map.of("X-Client-Id", client));
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
      created.add(new JsonObject(ok.body()).getString("id"));
    }
    HttpResponse<String> perClient = http.post("/api/v1/consumers", body, Map.of("X-Client-Id", "a"));
    assertError(perClient, 429, "TOO_MANY_REQUESTS", null);
    assertThat(perClient.headers().firstValue("Retry-After")).isPresent();

    HttpResponse<String> other = http.post("/api/v1/consumers", body, Map.of("X-Client-Id", "b"));
    assertThat(other.statusCode()).as(other.body()).isEqualTo(201);
    created.add(new JsonObject(other.body()).getString("id"));
    HttpResponse<String> total = http.post("/api/v1/consumers", body, Map.of("X-Client-Id", "c"));
    assertError(total, 503, "OVERLOADED", null);
    assertThat(total.headers().firstValue("Retry-After")).isPresent();
    assertThat(broker.admin().topics().getStats(topic).getSubscriptions().get("sub").getConsumers()).hasSize(3);

    created.forEach(http::close);
    assertThat(http.post("/api/v1/consumers", body, Map.of("X-Client-Id", "a")).statusCode()).isEqualTo(201);
  }
}
