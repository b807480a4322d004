package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Reads without a subscription: pages from earliest, an id and a time, and nothing left on the topic. */
@ExtendWith(PulsarExtension.class)
class HttpReadIT {
  private static ProxyFixture proxy;
  private static ConsumeHttp http;
  private static PulsarClient client;
  private static PulsarBroker broker;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), new JsonObject());
    http = new ConsumeHttp(proxy);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  /** Produces {@code n} texts in batches, as the proxy's own produce API does. */
  private static List<MessageId> produceBatched(String topic, int n) throws Exception {
    List<CompletableFuture<MessageId>> sends = new ArrayList<>();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(true)
        .batchingMaxMessages(4).create()) {
      for (int i = 0; i < n; i++) {
        sends.add(producer.sendAsync(("r" + i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    List<MessageId> ids = new ArrayList<>();
    for (CompletableFuture<MessageId> send : sends) {
      ids.add(send.get());
    }
    return ids;
  }

  private static JsonObject page(String topic, String query) {
    HttpResponse<String> response = http.get("/api/v1/topics/" + topic.replace("://", "/") + "/messages?" + query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("messageId")).toList();
  }

  @Test
  void readsFromEarliestPageByPageAndLeavesNoSubscription() throws Exception {
    String topic = broker.uniqueTopic("read-pages");
    List<String> produced = produceBatched(topic, 25).stream().map(MessageIds::encode).toList();

    List<String> read = new ArrayList<>();
    String from = "earliest";
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonObject page = page(topic, "from=" + URLEncoder.encode(from, StandardCharsets.UTF_8) + "&max=10&format=text");
      List<String> ids = ids(page);
      sizes.add(ids.size());
      read.addAll(ids);
      assertThat(page.getString("next")).isEqualTo(ids.get(ids.size() - 1));
      from = page.getString("next");
    }
    assertThat(sizes).containsExactly(10, 10, 5);
    assertThat(read).containsExactlyElementsOf(produced);

    JsonObject end = page(topic, "from=" + URLEncoder.encode(from, StandardCharsets.UTF_8) + "&waitMs=200");
    assertThat(end.getJsonArray("messages")).isEmpty();
    assertThat(end.getString("next")).isEqualTo(from);
    noSubscriptionLeft(topic);
  }

  @Test
  void readsAfterAnIdAndFromATime() throws Exception {
    String topic = broker.uniqueTopic("read-from");
    List<String> produced = produceBatched(topic, 12).stream().map(MessageIds::encode).toList();

    JsonObject afterId = page(topic, "from=" + URLEncoder.encode(produced.get(4), StandardCharsets.UTF_8)
        + "&format=text");
    assertThat(ids(afterId)).containsExactlyElementsOf(produced.subList(5, 12));
    assertThat(afterId.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo("r5");

    JsonObject all = page(topic, "from=earliest");
    long time = all.getJsonArray("messages").getJsonObject(6).getLong("publishTime");
    List<String> expected = all.getJsonArray("messages").stream().map(m -> (JsonObject) m)
        .filter(m -> m.getLong("publishTime") >= time).map(m -> m.getString("messageId")).toList();
    JsonObject fromTime = page(topic, "from=" + time);
    assertThat(ids(fromTime)).containsExactlyElementsOf(expected).contains(produced.get(6));
    noSubscriptionLeft(topic);
  }

  @Test
  void aReadFromLatestWaitsForTheNextMessage() throws Exception {
    String topic = broker.uniqueTopic("read-latest");
    produceBatched(topic, 3);
    CompletableFuture<JsonObject> waiting = CompletableFuture.supplyAsync(() -> page(topic, "from=latest&waitMs=20000"));
    // once the page's reader is there, only what is published next is read
    await().atMost(Duration.ofSeconds(20)).until(() -> !broker.admin().topics().getSubscriptions(topic).isEmpty());
    List<String> produced = produceBatched(topic, 1).stream().map(MessageIds::encode).toList();
    assertThat(ids(waiting.get(30, TimeUnit.SECONDS))).containsExactlyElementsOf(produced);
    noSubscriptionLeft(topic);
  }

  /** The reader of a page closes after the answer: its non-durable subscription goes away. */
  private static void noSubscriptionLeft(String topic) {
    await().atMost(Duration.ofSeconds(20)).until(() -> broker.admin().topics().getSubscriptions(topic).isEmpty());
  }

  @Test
  void readsAPartitionedTopic() throws Exception {
    String topic = broker.uniqueTopic("read-partitioned");
    broker.admin().topics().createPartitionedTopic(topic, 3);
    List<String> produced = new ArrayList<>();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < 9; i++) {
        produced.add(MessageIds.encode(producer.newMessage().key("k" + i)
            .value(("p" + i).getBytes(StandardCharsets.UTF_8)).send()));
      }
    }
    JsonObject page = page(topic, "from=earliest&max=100&format=text");
    assertThat(ids(page)).containsExactlyInAnyOrderElementsOf(produced);
    assertThat(page.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("topic")))
        .allMatch(t -> t.startsWith(topic + "-partition-"));
    // one partition reads and pages as a topic of its own
    String partition = topic + "-partition-0";
    JsonObject single = page(partition, "from=earliest&max=100");
    assertThat(ids(single)).isSubsetOf(produced);
    await().atMost(Duration.ofSeconds(20)).until(() ->
        broker.admin().topics().getPartitionedStats(topic, false).getSubscriptions().isEmpty());
  }

  @Test
  void badReadsGetTheEnvelope() throws Exception {
    String topic = broker.uniqueTopic("read-bad");
    produceBatched(topic, 1);
    String path = "/api/v1/topics/" + topic.replace("://", "/") + "/messages?";
    assertError(http.get(path + "from=yesterday"), 400, "BAD_REQUEST", "from");
    assertError(http.get(path + "max=0"), 400, "BAD_REQUEST", "max");
    assertError(http.get(path + "max=100000"), 400, "BAD_REQUEST", "max");
    assertError(http.get(path + "waitMs=3600000"), 400, "BAD_REQUEST", "waitMs");
    assertError(http.get(path + "format=xml"), 400, "BAD_REQUEST", "format");
    assertError(http.get("/api/v1/topics/durable/public/default/x/messages"), 400, "INVALID_TOPIC", "domain");
    noSubscriptionLeft(topic);
  }
}
