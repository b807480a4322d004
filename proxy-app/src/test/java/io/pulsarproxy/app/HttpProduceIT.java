package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.common.policies.data.AutoTopicCreationOverride;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PulsarExtension.class)
class HttpProduceIT {
  private static ProxyFixture proxy;
  private static PulsarClient client;
  private static PulsarBroker broker;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(),
        ProxyFixture.cfg("http", "maxBodySize", "64KB", "maxMessageSize", "16KB", "maxMessagesPerRequest", 200));
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  private static Consumer<byte[]> subscribe(String topic, SubscriptionType type) throws Exception {
    return client.newConsumer().topic(topic).subscriptionName("it").subscriptionType(type)
        .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe();
  }

  private static Message<byte[]> receive(Consumer<byte[]> consumer) throws Exception {
    Message<byte[]> m = consumer.receive(20, TimeUnit.SECONDS);
    assertThat(m).as("a message within 20 s").isNotNull();
    consumer.acknowledge(m);
    return m;
  }

  @Test
  void producedMessagesAreReadBackWithTheirBytesMetadataAndIds() throws Exception {
    String topic = broker.uniqueTopic("produce");
    try (Consumer<byte[]> consumer = subscribe(topic, SubscriptionType.Exclusive)) {
      HttpResponse<String> response = proxy.postJson(producePath(topic), """
          {"messages":[
            {"value":{"order":42,"items":["a","b"]},"key":"k1","properties":{"source":"it"},"eventTime":1704164645678},
            {"text":"héllo","eventTime":"2024-01-02T03:04:05.678Z"},
            {"payload":"AAEC/w==","key":"k3"}]}""");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonArray results = json(response).getJsonArray("results");
      assertThat(results).hasSize(3);

      Message<byte[]> first = receive(consumer);
      assertThat(new String(first.getValue(), StandardCharsets.UTF_8)).isEqualTo("{\"order\":42,\"items\":[\"a\",\"b\"]}");
      assertThat(first.getKey()).isEqualTo("k1");
      // and the request's trace context (TraceContextIT)
      assertThat(first.getProperties()).containsEntry("source", "it").containsOnlyKeys("source", "traceparent");
      assertThat(first.getEventTime()).isEqualTo(1704164645678L);

      Message<byte[]> second = receive(consumer);
      assertThat(second.getValue()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
      assertThat(second.getEventTime()).isEqualTo(1704164645678L);
      assertThat(second.hasKey()).isFalse();

      Message<byte[]> third = receive(consumer);
      assertThat(third.getValue()).containsExactly(0, 1, 2, 0xff);
      assertThat(third.getKey()).isEqualTo("k3");

      List<Message<byte[]>> received = List.of(first, second, third);
      for (int i = 0; i < 3; i++) {
        JsonObject result = results.getJsonObject(i);
        MessageIdAdv id = (MessageIdAdv) received.get(i).getMessageId();
        assertThat(result.getBoolean("ok")).isTrue();
        assertThat(result.getString("messageId")).isEqualTo(MessageIds.encode(id));
        assertThat(MessageIds.decode(result.getString("messageId"), "id")).isEqualTo(id);
        assertThat(result.getLong("ledgerId")).isEqualTo(id.getLedgerId());
        assertThat(result.getLong("entryId")).isEqualTo(id.getEntryId());
        assertThat(result.getInteger("partition")).isEqualTo(id.getPartitionIndex());
        assertThat(result.getInteger("batchIndex")).isEqualTo(id.getBatchIndex());
      }
    }
  }

  @Test
  void aRawBodyIsOneMessageWithMetadataFromHeaders() throws Exception {
    String topic = broker.uniqueTopic("raw");
    try (Consumer<byte[]> consumer = subscribe(topic, SubscriptionType.Exclusive)) {
      byte[] bytes = {9, 8, 7, 0, 1};
      HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(producePath(topic))))
          .header("Content-Type", "application/octet-stream")
          .header("Pulsar-Key", "raw-key")
          .header("Pulsar-Properties", "{\"Trace-Id\":\"t-1\"}")
          .header("Pulsar-Event-Time", "2024-01-02T03:04:05.678Z")
          .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      Message<byte[]> m = receive(consumer);
      assertThat(m.getValue()).isEqualTo(bytes);
      assertThat(m.getKey()).isEqualTo("raw-key");
      assertThat(m.getProperties()).containsEntry("Trace-Id", "t-1").containsOnlyKeys("Trace-Id", "traceparent");
      assertThat(m.getEventTime()).isEqualTo(1704164645678L);
      assertThat(json(response).getJsonArray("results").getJsonObject(0).getString("messageId"))
          .isEqualTo(MessageIds.encode(m.getMessageId()));
    }
  }

  @Test
  void messagesOfOneRequestArriveInRequestOrder() throws Exception {
    String topic = broker.uniqueTopic("order");
    try (Consumer<byte[]> consumer = subscribe(topic, SubscriptionType.Exclusive)) {
      JsonArray messages = new JsonArray();
      for (int i = 0; i < 150; i++) {
        messages.add(new JsonObject().put("text", "m" + i));
      }
      HttpResponse<String> response = proxy.postJson(producePath(topic),
          new JsonObject().put("messages", messages).encode());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonArray results = json(response).getJsonArray("results");
      for (int i = 0; i < 150; i++) {
        Message<byte[]> m = receive(consumer);
        assertThat(new String(m.getValue(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
        assertThat(results.getJsonObject(i).getString("messageId")).isEqualTo(MessageIds.encode(m.getMessageId()));
      }
    }
  }

  @Test
  void deliverAfterMsDelaysDelivery() throws Exception {
    String topic = broker.uniqueTopic("delay");
    try (Consumer<byte[]> consumer = subscribe(topic, SubscriptionType.Shared)) {
      HttpResponse<String> response = proxy.postJson(producePath(topic),
          "{\"messages\":[{\"text\":\"later\",\"deliverAfterMs\":3000},{\"text\":\"now\"}]}");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      Message<byte[]> now = receive(consumer);
      assertThat(new String(now.getValue(), StandardCharsets.UTF_8)).isEqualTo("now");
      Message<byte[]> later = receive(consumer);
      long receivedAt = System.currentTimeMillis();
      assertThat(new String(later.getValue(), StandardCharsets.UTF_8)).isEqualTo("later");
      assertThat(receivedAt - later.getPublishTime()).isGreaterThanOrEqualTo(2_900);
    }
  }

  @Test
  void concurrentRequestsForOneTopicShareOneProducer() throws Exception {
    String topic = broker.uniqueTopic("shared-producer");
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      responses.add(proxy.http.sendAsync(HttpRequest.newBuilder(URI.create(proxy.url(producePath(topic))))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"text\":\"m" + i + "\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      assertThat(r.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    var stats = broker.admin().topics().getStats(topic);
    assertThat(stats.getPublishers()).hasSize(1);
    assertThat(stats.getMsgInCounter()).isEqualTo(40);
  }

  @Test
  void answers404WhenTheTopicDoesNotExistAndAutoCreationIsOff() throws Exception {
    String namespace = "public/noauto-" + Long.toHexString(System.nanoTime());
    broker.admin().namespaces().createNamespace(namespace);
    broker.admin().namespaces().setAutoTopicCreation(namespace,
        AutoTopicCreationOverride.builder().allowAutoTopicCreation(false).build());
    HttpResponse<String> response = proxy.postJson(
        producePath("persistent://" + namespace + "/missing"), "{\"messages\":[{\"text\":\"x\"}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    assertThat(json(response).getString("error")).isEqualTo("TOPIC_NOT_FOUND");
  }
}
