package io.pulsarproxy.ws;

import static io.pulsarproxy.ws.WsProducerIT.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The reader endpoint against a real broker: start positions, window, end of topic. */
@ExtendWith(PulsarExtension.class)
class WsReaderIT {
  private static final Duration QUIET = Duration.ofSeconds(2);
  private static PulsarBroker broker;
  private static WsProxy proxy;
  private static PulsarClient client;

  @BeforeAll
  static void start(PulsarBroker pulsar) throws Exception {
    broker = pulsar;
    proxy = WsProxy.start(pulsar);
    client = pulsar.newClient();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  private static List<String> produce(String topic, String prefix, int count) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < count; i++) {
        ids.add(MessageIds.encode(producer.send((prefix + i).getBytes(StandardCharsets.UTF_8))));
      }
    }
    return ids;
  }

  private static void assertStaysAt(WsClient socket, int count) {
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> socket.received.size() == count);
  }

  @Test
  void readsFromEarliestWithTheProducersIds() throws Exception {
    String topic = broker.uniqueTopic("earliest");
    List<String> ids = produce(topic, "m", 3);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest")) {
      List<JsonObject> read = reader.await(3);
      assertThat(read).extracting(WsClient::text).containsExactly("m0", "m1", "m2");
      assertThat(read).extracting(m -> m.getString("messageId")).containsExactlyElementsOf(ids);
    }
  }

  @Test
  void startsAfterTheGivenIdExclusively() throws Exception {
    String topic = broker.uniqueTopic("from-id");
    List<String> ids = produce(topic, "m", 3);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId="
        + URLEncoder.encode(ids.get(0), StandardCharsets.UTF_8))) {
      reader.await(2);
      assertStaysAt(reader, 2);
      assertThat(reader.received).extracting(WsClient::text).containsExactly("m1", "m2");
    }
  }

  @Test
  void latestReadsOnlyWhatComesAfterTheHandshake() throws Exception {
    String topic = broker.uniqueTopic("latest");
    produce(topic, "old", 2);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?readerName=ws-reader")) {
      produce(topic, "new", 2);
      reader.await(2);
      assertStaysAt(reader, 2);
      assertThat(reader.received).extracting(WsClient::text).containsExactly("new0", "new1");
    }
  }

  @Test
  void anyFrameAnswersOneMessageOfTheWindow() throws Exception {
    String topic = broker.uniqueTopic("reader-window");
    produce(topic, "m", 6);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest&receiverQueueSize=2")) {
      reader.await(2);
      assertStaysAt(reader, 2);
      reader.send(new JsonObject().put("messageId", reader.received.get(0).getString("messageId")));
      reader.send("not even JSON");
      reader.await(4);
      assertStaysAt(reader, 4);
      assertThat(reader.received).extracting(WsClient::text).containsExactly("m0", "m1", "m2", "m3");
    }
  }

  @Test
  void isEndOfTopicTurnsTrueOnceTheTopicIsTerminatedAndRead() throws Exception {
    String topic = broker.uniqueTopic("reader-end");
    produce(topic, "m", 1);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest")) {
      reader.await(1);
      reader.send(new JsonObject().put("type", "isEndOfTopic"));
      assertThat(reader.await(2).get(1).getBoolean("endOfTopic")).isFalse();
      broker.admin().topics().terminateTopic(topic);
      await().atMost(WsClient.WAIT).untilAsserted(() -> {
        int before = reader.received.size();
        reader.send(new JsonObject().put("type", "isEndOfTopic"));
        assertThat(reader.await(before + 1).get(before).getBoolean("endOfTopic")).isTrue();
      });
    }
  }

  @Test
  void refusesABadStartIdWith400() throws Exception {
    String topic = broker.uniqueTopic("bad-id");
    assertThat(proxy.refusal(path("reader", topic) + "?messageId=yesterday")).isEqualTo(400);
    assertThat(proxy.refusal(path("reader", topic) + "?receiverQueueSize=many")).isEqualTo(400);
  }
}
