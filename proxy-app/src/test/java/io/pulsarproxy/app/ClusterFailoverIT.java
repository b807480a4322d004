package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.backlog;
import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP consumer instances in a cluster of proxies in separate processes: one created on a node answers on every node
 * and is gone everywhere once deleted; it continues under the same id on a survivor when its node is killed
 * (SIGKILL) while a Pulsar producer keeps producing, and every produced message reaches the client; it moves to
 * another node when its node stops (SIGTERM) under load, and no client request fails. The processes' logs are in
 * {@code target/proxy-processes/}.
 */
@ExtendWith(PulsarExtension.class)
class ClusterFailoverIT {
  /** Hazelcast's failure detector gives up on a silent member after 15 s; a stopped one is seen at once. */
  private static final Duration LEAVE = Duration.ofSeconds(60);
  private static final String TAKEOVER_DELAY = "1s";
  /**
   * The longest a request may wait for its answer: one in flight to a node as it dies waits for its time-out
   * (pulsar.operationTimeout, 10 s here, plus margins and the poll's wait), is tried again (as long again when the
   * cluster has not seen the node gone yet), then held for cluster.handoverWait (10 s here) before its 503.
   */
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(90);

  private final List<ProxyProcess> started = new ArrayList<>();
  private ScheduledExecutorService producing;
  private PulsarClient client;

  @AfterEach
  void stopAll() throws Exception {
    if (producing != null) {
      producing.shutdownNow();
    }
    if (client != null) {
      client.close();
    }
    started.forEach(ProxyProcess::close);
  }

  @Test
  void anInstanceCreatedOnOneNodeIsPolledAckedAndDeletedThroughTheOthers(PulsarBroker broker, TestInfo test)
      throws Exception {
    List<ProxyProcess> nodes = cluster(broker, test, 3);
    ProxyProcess a = nodes.get(0);
    ProxyProcess b = nodes.get(1);
    ProxyProcess c = nodes.get(2);
    String topic = broker.uniqueTopic("cluster-three");
    String id = create(a, subscription(topic, "sub", "Exclusive"));
    client = broker.newClient();
    try (Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).create()) {
      for (String text : List.of("one", "two", "three")) {
        producer.send(text);
      }
    }

    List<JsonObject> received = new ArrayList<>();
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      HttpResponse<String> polled = b.get(b.url(messages(id, 10, 1000)));
      assertThat(polled.statusCode()).as(polled.body()).isEqualTo(200);
      new JsonArray(polled.body()).forEach(m -> received.add((JsonObject) m));
      return received.size() >= 3;
    });
    assertThat(received).extracting(ClusterFailoverIT::text).containsExactly("one", "two", "three");
    List<String> receivedIds = received.stream().map(m -> m.getString("messageId")).toList();
    assertThat(receivedIds).hasSize(3).doesNotHaveDuplicates();

    HttpResponse<String> acked = c.postJson(acks(id), new JsonObject().put("messageIds", new JsonArray(receivedIds))
        .encode());
    assertThat(acked.statusCode()).as(acked.body()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(30)).until(() -> backlog(broker, topic, "sub") == 0);

    HttpResponse<String> deleted = delete(b, id);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    for (ProxyProcess node : nodes) {
      HttpResponse<String> info = node.get(node.url("/api/v1/consumers/" + id));
      assertThat(info.statusCode()).as(info.body()).isEqualTo(404);
      assertThat(new JsonObject(info.body()).getString("error")).isEqualTo("NOT_FOUND");
      HttpResponse<String> poll = node.get(node.url(messages(id, 1, 0)));
      assertThat(poll.statusCode()).as(poll.body()).isEqualTo(404);
    }
    // The subscription stays (deleted without unsubscribe), with nothing left to deliver.
    assertThat(broker.admin().topics().getStats(topic).getSubscriptions()).containsKey("sub");
  }

  @Test
  void anInstanceWhoseNodeIsKilledContinuesOnASurvivorUnderTheSameId(PulsarBroker broker, TestInfo test)
      throws Exception {
    Flow flow = consumingThroughTheOtherNode(broker, test, "Exclusive");
    ProxyProcess survivor = flow.other();
    String id = flow.id();
    Consuming consuming = flow.consuming();
    flow.owner().kill();
    long killed = System.nanoTime();
    String took = "Took over consumer instance " + id;
    await().atMost(LEAVE).until(() -> {
      consuming.pollOnce();
      return survivor.log().contains(took);
    });
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
    // The failure detector (at most 15 s of silence) plus cluster.takeoverDelay plus a margin for this machine.
    assertThat(takeover).isLessThan(Duration.ofSeconds(15 + 1 + 20));
    receiveEverythingProduced(consuming, flow.produced());
    System.out.printf("node killed: instance taken over after %d ms; %d messages produced, %d received; %d of %d "
        + "polls, %d requests answered 503%n", takeover.toMillis(), flow.produced().size(), consuming.received.size(),
        consuming.polls.get() - consuming.failures.size(), consuming.polls.get(), consuming.failures.size());
    // Between the kill and the takeover a client sees at most 503 INSTANCE_MOVING with Retry-After.
    assertThat(consuming.failures).allSatisfy(failure -> {
      assertThat(failure.statusCode()).as(failure.body()).isEqualTo(503);
      assertThat(new JsonObject(failure.body()).getString("error")).isEqualTo("INSTANCE_MOVING");
      assertThat(failure.headers().firstValue("Retry-After")).isPresent();
    });
    assertThat(survivor.get(survivor.url("/api/v1/consumers/" + id)).statusCode()).isEqualTo(200);
  }

  @Test
  void anInstanceWhoseNodeIsKilledWhileTheBrokerIsDownComesBackWithTheBroker(@TempDir Path dir, TestInfo test)
      throws Exception {
    try (StandalonePulsar broker = StandalonePulsar.startNew(dir.resolve("pulsar"))) {
      List<ProxyProcess> nodes = cluster(broker, test, 2);
      ProxyProcess owner = nodes.get(0);
      ProxyProcess survivor = nodes.get(1);
      String topic = broker.uniqueTopic("cluster-outage");
      String id = create(owner, subscription(topic, "sub", "Exclusive"));
      List<String> sent = new ArrayList<>();
      client = broker.newClient();
      try (Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).create()) {
        for (int i = 0; i < 10; i++) {
          sent.add("m-" + i);
          producer.send("m-" + i);
        }
      }
      client.close();
      client = null;
      Consuming consuming = new Consuming(survivor, id);
      await().atMost(Duration.ofSeconds(60)).until(() -> consuming.pollOnce() && !consuming.received.isEmpty());

      broker.stop();
      owner.kill();
      // The survivor claims the instance and cannot re-create it while Pulsar is away: it keeps trying, and a client
      // is told the instance is moving.
      String retrying = "Could not take over consumer instance " + id;
      await().atMost(LEAVE).until(() -> {
        consuming.pollOnce();
        return survivor.log().contains(retrying);
      });
      consuming.pollOnce();
      assertThat(survivor.log()).doesNotContain("it is gone");

      broker.start();
      String took = "Took over consumer instance " + id;
      await().atMost(Duration.ofSeconds(120)).until(() -> {
        consuming.pollOnce();
        return survivor.log().contains(took);
      });
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        consuming.pollOnce();
        return consuming.received.containsAll(sent);
      });
      assertThat(consuming.received).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(consuming.failures).isNotEmpty().allSatisfy(failure -> {
        assertThat(failure.statusCode()).as(failure.body()).isEqualTo(503);
        assertThat(new JsonObject(failure.body()).getString("error")).isEqualTo("INSTANCE_MOVING");
        assertThat(failure.headers().firstValue("Retry-After")).isPresent();
      });
      System.out.printf("node killed with the broker down: %d polls, %d answered 503 INSTANCE_MOVING; all %d "
          + "messages received once the broker was back%n", consuming.polls.get(), consuming.failures.size(),
          sent.size());
    }
  }

  @Test
  void aStoppingNodeHandsItsInstancesOverAndNoRequestFails(PulsarBroker broker, TestInfo test) throws Exception {
    Flow flow = consumingThroughTheOtherNode(broker, test, "Shared");
    ProxyProcess stopping = flow.owner();
    ProxyProcess staying = flow.other();
    String id = flow.id();
    Consuming consuming = flow.consuming();
    long stopped = System.nanoTime();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
      try {
        return stopping.terminate();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });
    String took = "Took over consumer instance " + id;
    await().atMost(LEAVE).until(() -> {
      consuming.pollOnce();
      return exit.isDone() && staying.log().contains(took);
    });
    long moved = Duration.ofNanos(System.nanoTime() - stopped).toMillis();
    assertThat(exit.join()).as(stopping.log()).isZero();
    assertThat(stopping.log()).contains("Handed 1 consumer instances over");
    receiveEverythingProduced(consuming, flow.produced());
    System.out.printf("node stopped: exited and instance taken over within %d ms; %d messages produced, %d received, "
        + "%d polls, %d failed%n", moved, flow.produced().size(), consuming.received.size(), consuming.polls.get(),
        consuming.failures.size());
    assertThat(consuming.failures).as("requests that failed during the handover").isEmpty();
    assertThat(consuming.polls.get()).isGreaterThan(3);
  }

  /** Two nodes; an instance created on the owner; a client consuming it through the other while a producer produces. */
  private record Flow(ProxyProcess owner, ProxyProcess other, String id, Set<String> produced, Consuming consuming) {}

  /** Sets a {@link Flow} up and waits until the client received 20 messages. */
  private Flow consumingThroughTheOtherNode(PulsarBroker broker, TestInfo test, String type) throws Exception {
    List<ProxyProcess> nodes = cluster(broker, test, 2);
    String topic = broker.uniqueTopic("cluster-move");
    String id = create(nodes.get(0), subscription(topic, "sub", type));
    Set<String> produced = produceContinuously(broker, topic);
    Consuming consuming = new Consuming(nodes.get(1), id);
    await().atMost(Duration.ofSeconds(60)).until(() -> consuming.pollOnce() && consuming.received.size() >= 20);
    return new Flow(nodes.get(0), nodes.get(1), id, produced, consuming);
  }

  /**
   * Consumes 20 more messages from the new owner, stops producing, and consumes until every message Pulsar
   * acknowledged to the producer came.
   */
  private void receiveEverythingProduced(Consuming consuming, Set<String> produced) throws InterruptedException {
    int receivedAtTakeover = consuming.received.size();
    await().atMost(Duration.ofSeconds(60)).until(() -> consuming.pollOnce()
        && consuming.received.size() >= receivedAtTakeover + 20);
    producing.shutdown();
    assertThat(producing.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    Set<String> all = Set.copyOf(produced);
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      consuming.pollOnce();
      return consuming.received.containsAll(all);
    });
    assertThat(all).hasSizeGreaterThan(40);
    assertThat(consuming.received).containsAll(all);
  }

  /** A client polling and acknowledging instance {@code id} through one node, collecting what it received. */
  private static final class Consuming {
    private final ProxyProcess node;
    private final String id;
    final Set<String> received = ConcurrentHashMap.newKeySet();
    final List<HttpResponse<String>> failures = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger polls = new AtomicInteger();

    Consuming(ProxyProcess node, String id) {
      this.node = node;
      this.id = id;
    }

    /** One poll, and the ack of what it brought; whether both succeeded. */
    boolean pollOnce() {
      polls.incrementAndGet();
      HttpResponse<String> polled = node.send(HttpRequest.newBuilder(URI.create(node.url(messages(id, 50, 500))))
          .timeout(ANSWER_WITHIN).GET().build());
      if (polled.statusCode() != 200) {
        failures.add(polled);
        return false;
      }
      JsonArray messages = new JsonArray(polled.body());
      if (messages.isEmpty()) {
        return true;
      }
      List<String> ids = new ArrayList<>();
      messages.forEach(m -> {
        received.add(text((JsonObject) m));
        ids.add(((JsonObject) m).getString("messageId"));
      });
      HttpResponse<String> acked = node.send(HttpRequest.newBuilder(URI.create(node.url(acks(id))))
          .timeout(ANSWER_WITHIN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("messageIds", new JsonArray(ids)).encode()))
          .build());
      if (acked.statusCode() != 204) {
        failures.add(acked);
        return false;
      }
      return true;
    }
  }

  /**
   * Produces {@code m-0}, {@code m-1}, … to {@code topic} every 20 ms until {@link #producing} is shut down; the
   * returned set holds the payloads Pulsar acknowledged.
   */
  private Set<String> produceContinuously(PulsarBroker broker, String topic) throws Exception {
    client = broker.newClient();
    Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).create();
    Set<String> produced = ConcurrentHashMap.newKeySet();
    AtomicInteger next = new AtomicInteger();
    producing = Executors.newSingleThreadScheduledExecutor();
    producing.scheduleAtFixedRate(() -> {
      String payload = "m-" + next.getAndIncrement();
      try {
        producer.send(payload);
        produced.add(payload);
      } catch (Exception notAcknowledged) {
        // not in the set: only what Pulsar acknowledged must reach the client
      }
    }, 0, 20, TimeUnit.MILLISECONDS);
    return produced;
  }

  /**
   * Creates a consumer instance, again after a 503 that created none (the node missed a probe of the broker on this
   * busy machine: the answer tells the client to retry); returns its id.
   */
  private static String create(ProxyProcess node, JsonObject request) {
    AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      last.set(node.postJson("/api/v1/consumers", request.encode()));
      return last.get().statusCode() != 503;
    });
    assertThat(last.get().statusCode()).as(last.get().body()).isEqualTo(201);
    return new JsonObject(last.get().body()).getString("id");
  }

  private static HttpResponse<String> delete(ProxyProcess node, String id) {
    return node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/consumers/" + id))).DELETE().build());
  }

  private static String messages(String id, int max, long waitMs) {
    return "/api/v1/consumers/" + id + "/messages?max=" + max + "&waitMs=" + waitMs;
  }

  private static String acks(String id) {
    return "/api/v1/consumers/" + id + "/acks";
  }

  private static String text(JsonObject message) {
    return new String(Base64.getDecoder().decode(message.getString("payload")), StandardCharsets.UTF_8);
  }

  /** {@code count} nodes with distinct ports and one member list naming them all, started one after the other. */
  private List<ProxyProcess> cluster(PulsarBroker broker, TestInfo test, int count) throws Exception {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports.add(ProxyProcess.freePort());
    }
    String members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    List<ProxyProcess> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, String> env = new HashMap<>();
      env.put("PROXY_PULSAR_SERVICE_URL", broker.serviceUrl());
      env.put("PROXY_CLUSTER_ENABLED", "true");
      env.put("PROXY_CLUSTER_PORT", String.valueOf(ports.get(i)));
      env.put("PROXY_CLUSTER_MEMBERS", members);
      env.put("PROXY_CLUSTER_TAKEOVER_DELAY", TAKEOVER_DELAY);
      env.put("PROXY_CLUSTER_HANDOVER_WAIT", "10s");
      // A request in flight to a killed node waits for this (plus margins) before its 503.
      env.put("PROXY_PULSAR_OPERATION_TIMEOUT", "10s");
      ProxyProcess node = ProxyProcess.start(
          "ClusterFailoverIT-" + test.getTestMethod().orElseThrow().getName() + "-" + (char) ('a' + i), env);
      started.add(node);
      nodes.add(node);
    }
    for (ProxyProcess node : nodes) {
      await().atMost(LEAVE).until(() -> node.metric("pulsar_proxy_cluster_members{") == count);
    }
    return nodes;
  }
}
