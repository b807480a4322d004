package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.backlog;
import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static io.pulsarproxy.app.ProxyFixture.textsInTopic;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proxies in separate processes on loopback, clustered through one member list: they form one cluster, reach each
 * other over the clustered event bus, see a node leave (SIGTERM) or die (SIGKILL), and a cluster of one serves as a
 * proxy that is not clustered. The processes' logs are in {@code target/proxy-processes/}.
 */
@ExtendWith(PulsarExtension.class)
class ClusterIT {
  /** Hazelcast's failure detector gives up on a silent member after 15 s; a killed one is seen sooner. */
  private static final Duration LEAVE = Duration.ofSeconds(60);

  private final List<ProxyProcess> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(ProxyProcess::close);
  }

  @Test
  void twoNodesFormOneClusterAndLeaveItCleanlyOnSigterm(PulsarBroker broker, TestInfo test) throws Exception {
    List<ProxyProcess> nodes = twoNodes(broker, test);
    ProxyProcess a = nodes.get(0);
    ProxyProcess b = nodes.get(1);
    String idA = nodeId(a);
    String idB = nodeId(b);
    assertThat(idA).isNotEqualTo(idB);
    for (ProxyProcess node : nodes) {
      await().atMost(LEAVE).until(() -> node.metric("pulsar_proxy_cluster_members{") == 2);
      assertThat(node.readinessCheck("cluster").getString("state")).isEqualTo("JOINED");
      assertThat(node.readinessCheck("cluster").getJsonArray("members")).containsExactlyInAnyOrder(idA, idB);
    }
    // Every series of a clustered node names it.
    assertThat(a.get(a.managementUrl("/metrics")).body())
        .contains("pulsar_proxy_cluster_members{node=\"" + idA + "\"}");

    // A request from A to an address only B registered.
    HttpResponse<String> ping = a.get(a.managementUrl("/cluster/ping/" + idB));
    assertThat(ping.statusCode()).as(ping.body()).isEqualTo(200);
    assertThat(new JsonObject(ping.body()).getString("node")).isEqualTo(idB);
    HttpResponse<String> back = b.get(b.managementUrl("/cluster/ping/" + idA));
    assertThat(new JsonObject(back.body()).getString("node")).isEqualTo(idA);

    assertThat(b.terminate()).as(b.log()).isZero();
    await().atMost(LEAVE).until(() -> a.metric("pulsar_proxy_cluster_members{") == 1);
    await().atMost(LEAVE).until(() -> a.log().contains("Cluster: node " + idB + " left"));
    assertThat(b.log()).contains("Cluster: node " + idB + " leaving").contains("Stopped");
    assertThat(a.get(a.managementUrl("/health/ready")).statusCode()).isEqualTo(200);
    assertThat(a.get(a.managementUrl("/cluster/ping/" + idB)).statusCode()).isEqualTo(404);
  }

  @Test
  void aKilledNodeIsReportedGoneAndTheSurvivorServesOn(PulsarBroker broker, TestInfo test) throws Exception {
    List<ProxyProcess> nodes = twoNodes(broker, test);
    ProxyProcess a = nodes.get(0);
    ProxyProcess b = nodes.get(1);
    String idB = nodeId(b);
    await().atMost(LEAVE).until(() -> a.metric("pulsar_proxy_cluster_members{") == 2);

    b.kill();
    await().atMost(LEAVE).until(() -> a.metric("pulsar_proxy_cluster_members{") == 1);
    await().atMost(LEAVE).until(() -> a.log().contains("Cluster: node " + idB + " left"));
    assertThat(a.readinessCheck("cluster").getJsonArray("members")).containsExactly(nodeId(a));

    String topic = broker.uniqueTopic("cluster-survivor");
    produce(a, topic, "{\"messages\":[{\"text\":\"after\"}]}");
    assertThat(textsInTopic(broker, topic)).containsExactly("after");
  }

  @Test
  void aClusterOfOneProducesAndConsumesAsAProxyAlone(PulsarBroker broker, TestInfo test) throws Exception {
    ProxyProcess node = start(test, "a", broker, Map.of("PROXY_CLUSTER_ENABLED", "true",
        "PROXY_CLUSTER_PORT", String.valueOf(ProxyProcess.freePort())));
    assertThat(node.metric("pulsar_proxy_cluster_members{")).isEqualTo(1);
    String topic = broker.uniqueTopic("cluster-of-one");

    HttpResponse<String> created = node.postJson("/api/v1/consumers",
        subscription(topic, "sub", "Exclusive").encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = new JsonObject(created.body()).getString("id");
    HttpResponse<String> produced = produce(node, topic,
        "{\"messages\":[{\"text\":\"one\"},{\"text\":\"two\"},{\"text\":\"three\"}]}");
    List<String> producedIds = new JsonObject(produced.body()).getJsonArray("results").stream()
        .map(r -> ((JsonObject) r).getString("messageId")).toList();

    List<JsonObject> received = new ArrayList<>();
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      HttpResponse<String> polled = node.get(node.url("/api/v1/consumers/" + id + "/messages?max=10&waitMs=1000"));
      assertThat(polled.statusCode()).as(polled.body()).isEqualTo(200);
      new JsonArray(polled.body()).forEach(m -> received.add((JsonObject) m));
      return received.size() >= 3;
    });
    assertThat(received).extracting(m -> new String(Base64.getDecoder().decode(m.getString("payload")),
        StandardCharsets.UTF_8)).containsExactly("one", "two", "three");
    List<String> receivedIds = received.stream().map(m -> m.getString("messageId")).toList();
    assertThat(receivedIds).containsExactlyElementsOf(producedIds);

    HttpResponse<String> acked = node.postJson("/api/v1/consumers/" + id + "/acks",
        new JsonObject().put("messageIds", new JsonArray(receivedIds)).encode());
    assertThat(acked.statusCode()).as(acked.body()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(30)).until(() -> backlog(broker, topic, "sub") == 0);
    HttpResponse<String> deleted = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/consumers/" + id)))
        .DELETE().build());
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    assertThat(node.terminate()).as(node.log()).isZero();
  }

  /**
   * Produces {@code body}, again after a 503 that stored none of its messages (the broker missed a probe on this busy
   * machine: the answer tells the client to retry); asserts the 200.
   */
  private static HttpResponse<String> produce(ProxyProcess node, String topic, String body) {
    AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      HttpResponse<String> response = node.postJson(producePath(topic), body);
      last.set(response);
      return response.statusCode() != 503 || response.body().contains("\"ok\":true");
    });
    assertThat(last.get().statusCode()).as(last.get().body()).isEqualTo(200);
    return last.get();
  }

  /** Node A, then node B, with distinct ports and the same member list naming both. */
  private List<ProxyProcess> twoNodes(PulsarBroker broker, TestInfo test) throws Exception {
    int portA = ProxyProcess.freePort();
    int portB = ProxyProcess.freePort();
    String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    ProxyProcess a = start(test, "a", broker, Map.of("PROXY_CLUSTER_ENABLED", "true",
        "PROXY_CLUSTER_PORT", String.valueOf(portA), "PROXY_CLUSTER_MEMBERS", members));
    ProxyProcess b = start(test, "b", broker, Map.of("PROXY_CLUSTER_ENABLED", "true",
        "PROXY_CLUSTER_PORT", String.valueOf(portB), "PROXY_CLUSTER_MEMBERS", members));
    return List.of(a, b);
  }

  private ProxyProcess start(TestInfo test, String node, PulsarBroker broker, Map<String, String> env)
      throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("PROXY_PULSAR_SERVICE_URL", broker.serviceUrl());
    ProxyProcess process = ProxyProcess.start(
        "ClusterIT-" + test.getTestMethod().orElseThrow().getName() + "-" + node, all);
    started.add(process);
    return process;
  }

  private static String nodeId(ProxyProcess node) {
    return node.readinessCheck("cluster").getString("nodeId");
  }
}
