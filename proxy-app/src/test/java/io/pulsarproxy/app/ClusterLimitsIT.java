package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.backlog;
import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proxies in separate processes on loopback, clustered: a limit counted cluster-wide holds across nodes and is given
 * back when an instance is deleted or its node dies; a consumer instance is one instance whichever node a request
 * lands on. The processes' logs are in {@code target/proxy-processes/}.
 */
@ExtendWith(PulsarExtension.class)
class ClusterLimitsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<ProxyProcess> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(ProxyProcess::close);
  }

  @Test
  void theInstanceLimitHoldsAcrossNodesAndIsGivenBack(PulsarBroker broker, TestInfo test) throws Exception {
    List<ProxyProcess> nodes = cluster(broker, test, 2, Map.of("PROXY_HTTP_CONSUMER_MAX_INSTANCES", "2"));
    ProxyProcess a = nodes.get(0);
    ProxyProcess b = nodes.get(1);
    String topic = broker.uniqueTopic("cluster-limit");

    String onA = create(a, topic, "s1");
    String onB = create(b, topic, "s2");
    for (ProxyProcess node : nodes) {
      HttpResponse<String> third = node.postJson("/api/v1/consumers", subscription(topic, "s3", "Shared").encode());
      assertThat(third.statusCode()).as(third.body()).isEqualTo(503);
      assertThat(new JsonObject(third.body()).getString("message")).contains("httpConsumer.maxInstances");
      assertThat(third.headers().firstValue("Retry-After")).isPresent();
    }

    // Deleted through the other node: the count is given back, and a new one fits on either node.
    assertThat(delete(b, onA).statusCode()).isEqualTo(204);
    String again = create(a, topic, "s4");
    HttpResponse<String> full = b.postJson("/api/v1/consumers", subscription(topic, "s5", "Shared").encode());
    assertThat(full.statusCode()).as(full.body()).isEqualTo(503);

    // B dies holding one: once A sees it gone, B's holding is given back.
    String idB = b.readinessCheck("cluster").getString("nodeId");
    b.kill();
    await().atMost(WAIT).until(() -> a.log().contains("Cluster: node " + idB + " left"));
    await().atMost(WAIT).until(() -> {
      HttpResponse<String> created = a.postJson("/api/v1/consumers", subscription(topic, "s6", "Shared").encode());
      assertThat(created.statusCode()).as(created.body()).isIn(201, 503);
      return created.statusCode() == 201;
    });
    // B's instance was counted twice: in httpConsumer.maxInstances and in its client's maxInstancesPerClient. A logs
    // that once the clean-up has gone through every partition, which can end after the count above was given back.
    await().atMost(WAIT).until(() -> a.log().contains("gave back 2 counts of 2 limits held by departed node " + idB));
    assertThat(onB).isNotEqualTo(again);
  }

  @Test
  void createOnAPollOnBAckOnCDeleteOnBAndTheInstanceIsGoneEverywhere(PulsarBroker broker, TestInfo test)
      throws Exception {
    List<ProxyProcess> nodes = cluster(broker, test, 3, Map.of());
    ProxyProcess a = nodes.get(0);
    ProxyProcess b = nodes.get(1);
    ProxyProcess c = nodes.get(2);
    await().atMost(WAIT).until(() -> a.metric("pulsar_proxy_cluster_members{") == 3);
    String topic = broker.uniqueTopic("cluster-three");
    String id = create(a, topic, "sub");

    List<String> sent = List.of("first", "second", "third", "fourth");
    try (PulsarClient client = broker.newClient();
        Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (String text : sent) {
        producer.send(text.getBytes(StandardCharsets.UTF_8));
      }
    }

    List<JsonObject> received = new ArrayList<>();
    await().atMost(WAIT).until(() -> {
      HttpResponse<String> polled = b.get(b.url("/api/v1/consumers/" + id + "/messages?max=10&waitMs=1000"));
      if (polled.body().contains("BROKER_UNAVAILABLE")) {
        return false;
      }
      assertThat(polled.statusCode()).as(polled.body()).isEqualTo(200);
      new JsonArray(polled.body()).forEach(m -> received.add((JsonObject) m));
      return received.size() >= sent.size();
    });
    assertThat(received).extracting(m -> new String(Base64.getDecoder().decode(m.getString("payload")),
        StandardCharsets.UTF_8)).containsExactlyElementsOf(sent);
    List<String> receivedIds = received.stream().map(m -> m.getString("messageId")).toList();

    HttpResponse<String> acked = c.postJson("/api/v1/consumers/" + id + "/acks",
        new JsonObject().put("messageIds", new JsonArray(receivedIds)).encode());
    assertThat(acked.statusCode()).as(acked.body()).isEqualTo(204);
    await().atMost(WAIT).until(() -> backlog(broker, topic, "sub") == 0);

    assertThat(delete(b, id).statusCode()).isEqualTo(204);
    for (ProxyProcess node : nodes) {
      HttpResponse<String> info = node.get(node.url("/api/v1/consumers/" + id));
      assertThat(info.statusCode()).as(info.body()).isEqualTo(404);
      HttpResponse<String> poll = node.get(node.url("/api/v1/consumers/" + id + "/messages?max=1&waitMs=0"));
      assertThat(poll.statusCode()).as(poll.body()).isEqualTo(404);
    }
  }

  /**
   * Creates an instance, again after a 503 BROKER_UNAVAILABLE (the broker missed a probe on this busy machine: the
   * answer tells the client to retry, and nothing stays counted); asserts the 201.
   */
  private static String create(ProxyProcess node, String topic, String subscription) {
    AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
    await().atMost(WAIT).until(() -> {
      last.set(node.postJson("/api/v1/consumers", subscription(topic, subscription, "Shared").encode()));
      return !last.get().body().contains("BROKER_UNAVAILABLE");
    });
    assertThat(last.get().statusCode()).as(last.get().body()).isEqualTo(201);
    return new JsonObject(last.get().body()).getString("id");
  }

  private static HttpResponse<String> delete(ProxyProcess node, String id) {
    HttpResponse<String> deleted = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/consumers/" + id)))
        .DELETE().build());
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    return deleted;
  }

  /** {@code size} nodes with distinct ports and the same member list naming all of them, all formed into one. */
  private List<ProxyProcess> cluster(PulsarBroker broker, TestInfo test, int size, Map<String, String> env)
      throws Exception {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports.add(ProxyProcess.freePort());
    }
    String members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    List<ProxyProcess> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Map<String, String> all = new HashMap<>(env);
      all.put("PROXY_PULSAR_SERVICE_URL", broker.serviceUrl());
      all.put("PROXY_CLUSTER_ENABLED", "true");
      all.put("PROXY_CLUSTER_PORT", String.valueOf(ports.get(i)));
      all.put("PROXY_CLUSTER_MEMBERS", members);
      ProxyProcess node = ProxyProcess.start("ClusterLimitsIT-" + test.getTestMethod().orElseThrow().getName()
          + "-" + (char) ('a' + i), all);
      started.add(node);
      nodes.add(node);
    }
    for (ProxyProcess node : nodes) {
      await().atMost(WAIT).until(() -> node.metric("pulsar_proxy_cluster_members{") == size);
    }
    return nodes;
  }
}
