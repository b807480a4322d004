package io.pulsarproxy.ws;

import static io.pulsarproxy.ws.WsClient.message;
import static io.pulsarproxy.ws.WsClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.core.produce.MessageIds;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;

/** The producer endpoint against a real broker: acks, ids, metadata, errors, names and parameters. */
class WsProducerIT extends WithWsProxy {
  static String path(String role, String topic) {
    return "/ws/v2/" + role + "/" + topic.replace("://", "/");
  }

  private Consumer<byte[]> subscribe(String topic) throws Exception {
    return proxy.pulsar.newConsumer().topic(topic).subscriptionName("java")
        .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe();
  }

  @Test
  void ackCarriesTheIdThatConsumersAndReadersReceive() throws Exception {
    String topic = broker.uniqueTopic("ids");
    try (Consumer<byte[]> java = subscribe(topic);
         WsClient consumer = proxy.connect(path("consumer", topic) + "/ws-sub");
         WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest");
         WsClient producer = proxy.connect(path("producer", topic))) {
      for (int i = 0; i < 3; i++) {
        producer.send(message("m" + i, "c" + i));
      }
      List<JsonObject> acks = producer.await(3);
      List<JsonObject> consumed = consumer.await(3);
      List<JsonObject> read = reader.await(3);
      for (int i = 0; i < 3; i++) {
        JsonObject ack = acks.get(i);
        assertThat(ack.fieldNames()).containsExactlyInAnyOrder("result", "messageId", "context", "errorCode",
            "schemaVersion");
        assertThat(ack.getString("result")).isEqualTo("ok");
        assertThat(ack.getString("context")).isEqualTo("c" + i);
        assertThat(ack.getInteger("errorCode")).isZero();
        assertThat(ack.getLong("schemaVersion")).isZero();

        Message<byte[]> m = java.receive(20, TimeUnit.SECONDS);
        assertThat(new String(m.getValue(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
        assertThat(ack.getString("messageId"))
            .isEqualTo(MessageIds.encode(m.getMessageId()))
            .isEqualTo(consumed.get(i).getString("messageId"))
            .isEqualTo(read.get(i).getString("messageId"));
        assertThat(text(consumed.get(i))).isEqualTo("m" + i);
        assertThat(text(read.get(i))).isEqualTo("m" + i);
      }
    }
  }

  @Test
  void keysPropertiesAndEventTimeRoundTrip() throws Exception {
    String topic = broker.uniqueTopic("meta");
    try (Consumer<byte[]> java = subscribe(topic);
         WsClient consumer = proxy.connect(path("consumer", topic) + "/ws-sub");
         WsClient producer = proxy.connect(path("producer", topic))) {
      producer.send(message("with metadata", "c1").put("key", "k1")
          .put("properties", new JsonObject().put("source", "it").put("n", 7))
          .put("eventTime", "2024-01-02T03:04:05.678Z"));
      producer.send(message("plain", "c2"));
      assertThat(producer.await(2)).allMatch(ack -> ack.getString("result").equals("ok"));

      Message<byte[]> m = java.receive(20, TimeUnit.SECONDS);
      assertThat(m.getKey()).isEqualTo("k1");
      assertThat(m.getProperties()).isEqualTo(Map.of("source", "it", "n", "7"));
      assertThat(m.getEventTime()).isEqualTo(OffsetDateTime.parse("2024-01-02T03:04:05.678Z").toInstant().toEpochMilli());

      List<JsonObject> frames = consumer.await(2);
      JsonObject first = frames.get(0);
      assertThat(first.getString("key")).isEqualTo("k1");
      assertThat(first.getJsonObject("properties").getMap()).isEqualTo(Map.of("source", "it", "n", "7"));
      assertThat(OffsetDateTime.parse(first.getString("eventTime")).toInstant())
          .isEqualTo(OffsetDateTime.parse("2024-01-02T03:04:05.678Z").toInstant());
      assertThat(OffsetDateTime.parse(first.getString("publishTime")).toInstant().toEpochMilli())
          .isEqualTo(m.getPublishTime());
      assertThat(first.getInteger("redeliveryCount")).isZero();

      JsonObject second = frames.get(1);
      assertThat(second.fieldNames()).containsExactlyInAnyOrder("messageId", "payload", "properties", "publishTime",
          "redeliveryCount");
      assertThat(second.getJsonObject("properties").isEmpty()).isTrue();
    }
  }

  @Test
  void malformedJsonIsSendError3AndTheSocketStaysUsable() throws Exception {
    String topic = broker.uniqueTopic("bad-json");
    try (Consumer<byte[]> java = subscribe(topic);
         WsClient producer = proxy.connect(path("producer", topic))) {
      producer.send("{not json");
      producer.send(message("after", "c2"));
      List<JsonObject> acks = producer.await(2);
      assertThat(acks.get(0).getString("result")).isEqualTo("send-error:3");
      assertThat(acks.get(0).containsKey("context")).isFalse();
      assertThat(acks.get(0).getString("errorMsg")).isNotBlank();
      assertThat(acks.get(0).getInteger("errorCode")).isZero();
      assertThat(acks.get(1).getString("result")).isEqualTo("ok");
      assertThat(producer.isClosed()).isFalse();
      Message<byte[]> m = java.receive(20, TimeUnit.SECONDS);
      assertThat(new String(m.getValue(), StandardCharsets.UTF_8)).isEqualTo("after");
      assertThat(ackedId(acks.get(1))).isEqualTo(MessageIds.encode(m.getMessageId()));
    }
  }

  @Test
  void aBurstOfFramesIsAckedOneByOneInFrameOrderAroundARefusal() throws Exception {
    String topic = broker.uniqueTopic("burst");
    int count = 200;
    int bad = 77;
    try (Consumer<byte[]> java = subscribe(topic);
         WsClient producer = proxy.connect(path("producer", topic))) {
      for (int i = 0; i < count; i++) {
        if (i == bad) {
          producer.send(new JsonObject().put("payload", "not base64!").put("context", "c" + i));
        } else {
          producer.send(message("m" + i, "c" + i));
        }
      }
      List<JsonObject> acks = producer.await(count);
      assertThat(acks).extracting(a -> a.getString("context"))
          .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> "c" + i).toList());
      assertThat(acks.get(bad).getString("result")).isEqualTo("send-error:7");
      for (int i = 0; i < count; i++) {
        if (i == bad) {
          continue;
        }
        assertThat(acks.get(i).getString("result")).isEqualTo("ok");
        Message<byte[]> m = java.receive(20, TimeUnit.SECONDS);
        assertThat(new String(m.getValue(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
        assertThat(ackedId(acks.get(i))).isEqualTo(MessageIds.encode(m.getMessageId()));
      }
    }
    assertThat(broker.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(count - 1);
  }

  @Test
  void badBase64AndMissingPayloadAreSendError7() throws Exception {
    String topic = broker.uniqueTopic("bad-payload");
    try (WsClient producer = proxy.connect(path("producer", topic))) {
      producer.send(new JsonObject().put("payload", "not base64!").put("context", "b64"));
      producer.send(new JsonObject().put("context", "missing"));
      producer.send(message("x", "time").put("eventTime", "yesterday"));
      producer.send(message("x", "nullprop").put("properties", new JsonObject().putNull("k")));
      List<JsonObject> acks = producer.await(4);
      assertThat(acks).extracting(a -> a.getString("result")).containsOnly("send-error:7");
      assertThat(acks).extracting(a -> a.getString("context")).containsExactly("b64", "missing", "time", "nullprop");
      assertThat(producer.isClosed()).isFalse();
    }
    assertThat(broker.admin().topics().getStats(topic).getMsgInCounter()).isZero();
  }

  @Test
  void aProducerNameInUseIsRefusedWith409() throws Exception {
    String topic = broker.uniqueTopic("names");
    String named = path("producer", topic) + "?producerName=ws-named";
    try (WsClient first = proxy.connect(named)) {
      assertThat(proxy.refusal(named)).isEqualTo(409);
      first.send(message("from the holder", "c"));
      assertThat(first.await(1).get(0).getString("result")).isEqualTo("ok");
    }
    // once the holder is gone, the name is free again
    await().atMost(WsClient.WAIT).untilAsserted(() -> {
      try (WsClient again = proxy.connect(named)) {
        again.send(message("again", "c"));
        assertThat(again.await(1).get(0).getString("result")).isEqualTo("ok");
      }
    });
    try (Producer<byte[]> java = proxy.pulsar.newProducer().topic(topic).producerName("java-named").create()) {
      assertThat(proxy.refusal(path("producer", topic) + "?producerName=java-named")).isEqualTo(409);
    }
  }

  @Test
  void queryParametersShapeTheProducer() throws Exception {
    String topic = broker.uniqueTopic("params");
    try (Consumer<byte[]> java = subscribe(topic);
         WsClient producer = proxy.connect(path("producer", topic)
             + "?producerName=p-params&initialSequenceId=100&compressionType=LZ4&sendTimeoutMillis=20000"
             + "&hashingScheme=Murmur3_32Hash&messageRoutingMode=RoundRobinPartition&unknown=ignored")) {
      producer.send(message("seq", "c"));
      assertThat(producer.await(1).get(0).getString("result")).isEqualTo("ok");
      Message<byte[]> m = java.receive(20, TimeUnit.SECONDS);
      assertThat(m.getProducerName()).isEqualTo("p-params");
      assertThat(m.getSequenceId()).isEqualTo(101);
    }
    String base = path("producer", topic);
    for (String bad : List.of("sendTimeoutMillis=abc", "sendTimeoutMillis=-1", "messageRoutingMode=Bogus",
        "compressionType=GZIP", "hashingScheme=md5", "batchingEnabled=maybe", "initialSequenceId=x",
        "batchingEnabled=true&batchingMaxMessages=0", "producerName=%20", "encryptionKeys=k1")) {
      assertThat(proxy.refusal(base + "?" + bad)).as(bad).isEqualTo(400);
    }
  }

  @Test
  void answersLikePulsarsOwnWebSocketService() throws Exception {
    String topic = broker.uniqueTopic("side-by-side");
    int webPort = java.net.URI.create(broker.webSocketUrl()).getPort();
    try (WsClient pulsar = proxy.connect(webPort, path("producer", topic), Map.of());
         WsClient ours = proxy.connect(path("producer", topic))) {
      for (WsClient producer : List.of(pulsar, ours)) {
        producer.send(message("same", "ok"));
        producer.send(new JsonObject().put("payload", "***").put("context", "b64"));
        producer.send("[1,");
      }
      // Pulsar writes error acks at once, before earlier frames' acks; the proxy keeps frame order.
      Map<String, JsonObject> theirs = byResult(pulsar.await(3));
      Map<String, JsonObject> mine = byResult(ours.await(3));
      assertThat(mine.keySet()).containsExactlyInAnyOrder("ok", "send-error:7", "send-error:3")
          .isEqualTo(theirs.keySet());
      mine.forEach((result, ack) -> assertThat(ack.fieldNames()).as(result)
          .isEqualTo(theirs.get(result).fieldNames()));
      assertThat(ours.received).extracting(a -> a.getString("result"))
          .containsExactly("ok", "send-error:7", "send-error:3");
    }
  }

  private static Map<String, JsonObject> byResult(List<JsonObject> acks) {
    Map<String, JsonObject> map = new java.util.HashMap<>();
    acks.forEach(ack -> map.put(ack.getString("result"), ack));
    return map;
  }

  private static String ackedId(JsonObject ack) {
    return ack.getString("messageId");
  }
}
