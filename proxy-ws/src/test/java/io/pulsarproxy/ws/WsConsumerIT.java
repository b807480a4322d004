package io.pulsarproxy.ws;

import static io.pulsarproxy.ws.WsClient.message;
import static io.pulsarproxy.ws.WsClient.text;
import static io.pulsarproxy.ws.WsProducerIT.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;

/** The consumer endpoint against a real broker: handshake answers, subscription types, flow control, commands. */
class WsConsumerIT extends WithWsProxy {
  private static String consumer(String topic, String subscription, String query) {
    return path("consumer", topic) + "/" + subscription + (query.isEmpty() ? "" : "?" + query);
  }


  private static void ack(WsClient socket, JsonObject message) {
    socket.send(new JsonObject().put("messageId", message.getString("messageId")));
  }


  @Test
  void refusesBadParametersWith400LikePulsar() throws Exception {
    String topic = broker.uniqueTopic("params");
    int pulsarPort = URI.create(broker.webSocketUrl()).getPort();
    for (String bad : List.of(
        consumer(topic, "s", "subscriptionType=Bogus"),
        consumer(topic, "s", "ackTimeoutMillis=500"),
        consumer(topic, "s", "ackTimeoutMillis=abc"),
        consumer(topic, "s", "receiverQueueSize=-1"),
        consumer(topic, "s", "priorityLevel=-1"))) {
      assertThat(proxy.refusal(bad)).as(bad).isEqualTo(400);
      assertThat(proxy.refusal(pulsarPort, bad)).as("Pulsar's own service: " + bad).isEqualTo(400);
    }
    for (String bad : List.of(
        consumer(topic, "", ""),
        consumer(topic, "s", "subscriptionMode=Forever"),
        consumer(topic, "s", "subscriptionInitialPosition=Middle"),
        consumer(topic, "s", "deadLetterTopic=dlq"),
        consumer(topic, "s", "maxRedeliverCount=0"),
        consumer(topic, "s", "pullMode=sometimes"),
        consumer(topic, "s", "cryptoFailureAction=IGNORE"),
        consumer(topic, "s/extra", ""),
        "/ws/v2/consumer/durable/public/default/t/s",
        "/ws/v2/consumer/persistent/public/default",
        "/ws/v3/consumer/s",
        "/ws/v3/consumer/s?topics=a&topicsPattern=b.*")) {
      assertThat(proxy.refusal(bad)).as(bad).isEqualTo(400);
    }
  }

  @Test
  void refusesATakenExclusiveSubscriptionWith409() throws Exception {
    String topic = broker.uniqueTopic("exclusive");
    try (WsClient first = proxy.connect(consumer(topic, "only", ""))) {
      assertThat(proxy.refusal(consumer(topic, "only", ""))).isEqualTo(409);
      assertThat(first.isClosed()).isFalse();
    }
    try (Consumer<byte[]> java = proxy.pulsar.newConsumer().topic(topic).subscriptionName("java-only").subscribe()) {
      assertThat(proxy.refusal(consumer(topic, "java-only", "subscriptionType=Exclusive"))).isEqualTo(409);
    }
  }

  @Test
  void sharedSubscriptionSplitsMessagesBetweenConsumers() throws Exception {
    String topic = broker.uniqueTopic("shared");
    String path = consumer(topic, "split", "subscriptionType=Shared&receiverQueueSize=5");
    try (WsClient a = proxy.connect(path); WsClient b = proxy.connect(path)) {
      proxy.produce(topic, "m", 40);
      Set<String> payloads = new HashSet<>();
      List<String> all = new ArrayList<>();
      await().atMost(WsClient.WAIT).until(() -> {
        for (WsClient socket : List.of(a, b)) {
          for (JsonObject m : socket.received) {
            if (payloads.add(text(m))) {
              all.add(text(m));
              ack(socket, m);
            }
          }
        }
        return payloads.size() == 40;
      });
      assertThat(a.received).isNotEmpty();
      assertThat(b.received).isNotEmpty();
      assertThat(a.received.size() + b.received.size()).isEqualTo(40);
      assertThat(all).hasSize(40);
    }
  }

  @Test
  void keySharedKeepsEachKeyOnOneConsumer() throws Exception {
    String topic = broker.uniqueTopic("key-shared");
    String path = consumer(topic, "keys", "subscriptionType=Key_Shared");
    try (WsClient a = proxy.connect(path); WsClient b = proxy.connect(path);
         Producer<byte[]> producer = proxy.pulsar.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < 60; i++) {
        producer.newMessage().key("key-" + (i % 12)).value(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
      }
      await().atMost(WsClient.WAIT).until(() -> a.received.size() + b.received.size() == 60);
      Map<String, WsClient> owner = new HashMap<>();
      for (WsClient socket : List.of(a, b)) {
        for (JsonObject m : socket.received) {
          WsClient previous = owner.putIfAbsent(m.getString("key"), socket);
          assertThat(previous == null || previous == socket).as("key %s on one consumer", m.getString("key")).isTrue();
          ack(socket, m);
        }
      }
      assertThat(owner).hasSize(12);
    }
  }

  @Test
  void pushWindowStopsAtReceiverQueueSizeAndResumesOnAcks() throws Exception {
    String topic = broker.uniqueTopic("window");
    try (WsClient socket = proxy.connect(consumer(topic, "w", "receiverQueueSize=5"))) {
      proxy.produce(topic, "m", 20);
      socket.await(5);
      socket.staysAt(5);
      ack(socket, socket.received.get(0));
      socket.send(new JsonObject().put("type", "negativeAcknowledge")
          .put("messageId", socket.received.get(1).getString("messageId")));
      socket.await(7);
      socket.staysAt(7);
      // acking the same message again does not widen the window
      ack(socket, socket.received.get(0));
      socket.staysAt(7);
      for (int i = 2; i < 7; i++) {
        ack(socket, socket.received.get(i));
      }
      socket.await(12);
      socket.staysAt(12);
    }
  }

  @Test
  void acksSentJustBeforeTheCloseReachPulsar() throws Exception {
    String topic = broker.uniqueTopic("ack-close");
    WsClient socket = proxy.connect(consumer(topic, "kept", ""));
    proxy.produce(topic, "m", 10);
    List<JsonObject> received = socket.await(10);
    // ten acks and the close at once: the session closing must not lose the acks still grouped
    received.forEach(message -> ack(socket, message));
    socket.close();
    await().atMost(WsClient.WAIT).untilAsserted(() -> assertThat(
        broker.admin().topics().getStats(topic).getSubscriptions().get("kept").getMsgBacklog()).isZero());
  }

  @Test
  void pullModeDeliversExactlyThePermittedCount() throws Exception {
    String topic = broker.uniqueTopic("pull");
    try (WsClient socket = proxy.connect(consumer(topic, "p", "pullMode=true"))) {
      proxy.produce(topic, "m", 20);
      socket.staysAt(0);
      socket.send(new JsonObject().put("type", "permit").put("permitMessages", 3));
      socket.await(3);
      socket.staysAt(3);
      socket.received.forEach(m -> ack(socket, m)); // acks add no permits in pull mode
      for (int i = 0; i < 3; i++) {
        socket.send(new JsonObject().put("type", "permit").put("permitMessages", 2));
      }
      socket.await(9);
      socket.staysAt(9);
      assertThat(socket.received).extracting(WsClient::text)
          .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8");
    }
  }

  @Test
  void negativeAcknowledgeRedeliversWithItsRedeliveryCount() throws Exception {
    String topic = broker.uniqueTopic("nack");
    try (WsClient socket = proxy.connect(consumer(topic, "n",
        "subscriptionType=Shared&negativeAckRedeliveryDelay=100"))) {
      List<String> ids = proxy.produce(topic, "again", 1);
      JsonObject first = socket.await(1).get(0);
      assertThat(first.getInteger("redeliveryCount")).isZero();
      socket.send(new JsonObject().put("type", "negativeAcknowledge").put("messageId", first.getString("messageId")));
      JsonObject second = socket.await(2).get(1);
      assertThat(text(second)).isEqualTo("again0");
      assertThat(second.getString("messageId")).isEqualTo(ids.get(0)).isEqualTo(first.getString("messageId"));
      assertThat(second.getInteger("redeliveryCount")).isEqualTo(1);
    }
  }

  @Test
  void deadLettersAMessageAfterMaxRedeliverCount() throws Exception {
    String topic = broker.uniqueTopic("dlq");
    try (Consumer<byte[]> dlq = proxy.pulsar.newConsumer().topic(topic + "-d-DLQ").subscriptionName("check")
             .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe();
         WsClient socket = proxy.connect(consumer(topic, "d",
             "subscriptionType=Shared&negativeAckRedeliveryDelay=100&maxRedeliverCount=2"))) {
      proxy.produce(topic, "doomed", 1);
      int[] nacked = {0};
      await().atMost(WsClient.WAIT).until(() -> {
        while (nacked[0] < socket.received.size()) {
          JsonObject m = socket.received.get(nacked[0]++);
          socket.send(new JsonObject().put("type", "negativeAcknowledge").put("messageId", m.getString("messageId")));
        }
        return nacked[0] >= 3;
      });
      Message<byte[]> dead = dlq.receive(30, TimeUnit.SECONDS);
      assertThat(dead).isNotNull();
      assertThat(new String(dead.getValue(), StandardCharsets.UTF_8)).isEqualTo("doomed0");
      assertThat(socket.received).extracting(m -> m.getInteger("redeliveryCount")).containsExactly(0, 1, 2);
    }
  }

  @Test
  void unsubscribeRemovesTheSubscription() throws Exception {
    String topic = broker.uniqueTopic("unsubscribe");
    try (WsClient socket = proxy.connect(consumer(topic, "gone", ""))) {
      assertThat(broker.admin().topics().getSubscriptions(topic)).contains("gone");
      socket.send(new JsonObject().put("type", "unsubscribe"));
      await().atMost(WsClient.WAIT).until(() -> !broker.admin().topics().getSubscriptions(topic).contains("gone"));
      assertThat(socket.isClosed()).isFalse();
    }
  }

  @Test
  void isEndOfTopicTurnsTrueOnceTheTopicIsTerminatedAndRead() throws Exception {
    String topic = broker.uniqueTopic("end");
    try (WsClient socket = proxy.connect(consumer(topic, "e", "subscriptionInitialPosition=Earliest"))) {
      proxy.produce(topic, "m", 1);
      ack(socket, socket.await(1).get(0));
      socket.send(new JsonObject().put("type", "isEndOfTopic"));
      assertThat(socket.await(2).get(1).encode()).isEqualTo("{\"endOfTopic\":false}");
      broker.admin().topics().terminateTopic(topic);
      await().atMost(WsClient.WAIT).untilAsserted(() -> {
        int before = socket.received.size();
        socket.send(new JsonObject().put("type", "isEndOfTopic"));
        assertThat(socket.await(before + 1).get(before).getBoolean("endOfTopic")).isTrue();
      });
    }
  }

  @Test
  void malformedCommandsCloseWith1007AndAReason() throws Exception {
    String topic = broker.uniqueTopic("malformed");
    Map<String, String> commands = Map.of(
        "{not json", "not a JSON object",
        "{\"type\":\"permit\"}", "permitMessages is missing",
        "{\"messageId\":\"!!!\"}", "messageId is not a Pulsar message id",
        "{\"type\":\"negativeAcknowledge\"}", "messageId is missing");
    int i = 0;
    for (Map.Entry<String, String> command : commands.entrySet()) {
      try (WsClient socket = proxy.connect(consumer(topic, "bad" + i++, "pullMode=true"))) {
        socket.send(command.getKey());
        assertThat(socket.awaitClose()).as(command.getKey()).isEqualTo((short) 1007);
        assertThat(socket.closeReason()).contains(command.getValue());
      }
    }
  }

  @Test
  void partitionedTopicsGiveTheSameIdsToProducersAndConsumers() throws Exception {
    String topic = broker.uniqueTopic("partitioned");
    broker.admin().topics().createPartitionedTopic(topic, 3);
    try (WsClient socket = proxy.connect(consumer(topic, "all", ""));
         WsClient producer = proxy.connect(path("producer", topic) + "?messageRoutingMode=RoundRobinPartition")) {
      for (int i = 0; i < 9; i++) {
        producer.send(message("p" + i, "c" + i));
      }
      Set<String> acked = new HashSet<>();
      producer.await(9).forEach(ack -> acked.add(ack.getString("messageId")));
      Set<String> consumed = new HashSet<>();
      socket.await(9).forEach(m -> consumed.add(m.getString("messageId")));
      assertThat(consumed).hasSize(9).isEqualTo(acked);
      socket.received.forEach(m -> ack(socket, m));
    }
    for (int p = 0; p < 3; p++) {
      assertThat(broker.admin().topics().getStats(topic + "-partition-" + p).getMsgInCounter()).isEqualTo(3);
    }
  }

  @Test
  void nonPersistentTopicsStream() throws Exception {
    String topic = broker.uniqueTopic("np").replace("persistent://", "non-persistent://");
    try (WsClient socket = proxy.connect(consumer(topic, "np", ""));
         WsClient producer = proxy.connect(path("producer", topic))) {
      for (int i = 0; i < 3; i++) {
        producer.send(message("np" + i, "c" + i));
      }
      assertThat(producer.await(3)).extracting(a -> a.getString("result")).containsOnly("ok");
      assertThat(socket.await(3)).extracting(WsClient::text).containsExactly("np0", "np1", "np2");
    }
  }

  @Test
  void percentEncodedTopicAndSubscriptionNamesAreDecoded() throws Exception {
    String local = broker.uniqueTopic("enc").substring("persistent://public/default/".length());
    String topic = "persistent://public/default/" + local + ":part=1/sub";
    String encoded = "/persistent/public/default/" + local + "%3Apart%3D1%2Fsub";
    try (WsClient socket = proxy.connect("/ws/v2/consumer" + encoded + "/my+sub%C3%A9");
         WsClient producer = proxy.connect("/ws/v2/producer/persistent/public/default/" + local + "%3Apart%3D1/sub/")) {
      producer.send(message("decoded", "c"));
      assertThat(producer.await(1).get(0).getString("result")).isEqualTo("ok");
      assertThat(text(socket.await(1).get(0))).isEqualTo("decoded");
      assertThat(broker.admin().topics().getSubscriptions(topic)).containsExactly("my subé");
    }
  }

  @Test
  void multiTopicConsumerReadsEveryListedOrMatchingTopic() throws Exception {
    String prefix = broker.uniqueTopic("multi").substring("persistent://public/default/".length());
    String a = "persistent://public/default/" + prefix + "-a";
    String b = "persistent://public/default/" + prefix + "-b";
    try (WsClient listed = proxy.connect("/ws/v3/consumer/listed?topics=" + prefix + "-a," + b
             + "&subscriptionInitialPosition=Earliest");
         WsClient matching = proxy.connect("/ws/v3/consumer/matching?topicsPattern=" + prefix + "-.*"
             + "&subscriptionInitialPosition=Earliest")) {
      proxy.produce(a, "a", 2);
      proxy.produce(b, "b", 2);
      listed.await(4);
      assertThat(listed.received).extracting(WsClient::text).containsExactlyInAnyOrder("a0", "a1", "b0", "b1");
      listed.received.forEach(m -> ack(listed, m));
      // a pattern subscription finds topics by polling the namespace: allow for that
      await().atMost(Duration.ofSeconds(90)).until(() -> matching.received.size() >= 4);
      assertThat(matching.received).extracting(WsClient::text).contains("a0", "a1", "b0", "b1");
    }
  }

  @Test
  void v1PathsUseTheClusterQualifiedTopic() throws Exception {
    String cluster = broker.admin().clusters().getClusters().get(0);
    String namespace = "public/" + cluster + "/v1-" + Long.toHexString(System.nanoTime());
    broker.admin().namespaces().createNamespace(namespace);
    String topic = "persistent://" + namespace + "/t";
    try (WsClient socket = proxy.connect("/ws/consumer/persistent/" + namespace + "/t/v1sub");
         WsClient producer = proxy.connect("/ws/producer/persistent/" + namespace + "/t")) {
      producer.send(message("v1", "c"));
      String id = producer.await(1).get(0).getString("messageId");
      JsonObject received = socket.await(1).get(0);
      assertThat(text(received)).isEqualTo("v1");
      assertThat(received.getString("messageId")).isEqualTo(id);
      assertThat(broker.admin().topics().getSubscriptions(topic)).containsExactly("v1sub");
    }
  }
}
