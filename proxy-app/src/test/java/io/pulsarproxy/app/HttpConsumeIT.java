package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.assertError;
import static io.pulsarproxy.app.ConsumeHttp.backlog;
import static io.pulsarproxy.app.ConsumeHttp.ids;
import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.core.produce.MessageIds;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Consumer instances over HTTP against a real broker: what came back from Pulsar, acks seen by the admin API. */
@ExtendWith(PulsarExtension.class)
class HttpConsumeIT {
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

  /** Produces {@code texts} one entry each (no batching), returning their ids. */
  private static List<MessageId> produce(String topic, List<String> texts, Map<Integer, String> keys)
      throws Exception {
    List<MessageId> ids = new ArrayList<>();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < texts.size(); i++) {
        var message = producer.newMessage().value(texts.get(i).getBytes(StandardCharsets.UTF_8));
        if (keys.containsKey(i)) {
          message.key(keys.get(i));
        }
        ids.add(message.send());
      }
    }
    return ids;
  }

  private static List<String> texts(String prefix, int n) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add(prefix + i);
    }
    return texts;
  }

  private static String text(JsonObject message) {
    return new String(Base64.getDecoder().decode(message.getString("payload")), StandardCharsets.UTF_8);
  }

  @Test
  void createPollAckDrainsTheBacklog() throws Exception {
    String topic = broker.uniqueTopic("http-consume");
    List<MessageId> produced = produce(topic, texts("m", 5), Map.of(2, "k2"));

    HttpResponse<String> created = http.post("/api/v1/consumers",
        subscription(topic, "sub", "Exclusive").encode(), Map.of());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject body = new JsonObject(created.body());
    String id = body.getString("id");
    assertThat(id).hasSizeGreaterThanOrEqualTo(22);
    assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/consumers/" + id);
    assertThat(body.getJsonObject("links").getMap()).containsEntry("messages", "/api/v1/consumers/" + id + "/messages")
        .containsEntry("acks", "/api/v1/consumers/" + id + "/acks").containsEntry("self", "/api/v1/consumers/" + id)
        .containsKeys("nacks", "seek");

    List<JsonObject> received = http.pollUntil(id, 5);
    assertThat(received).hasSize(5);
    assertThat(received.stream().map(HttpConsumeIT::text)).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(ids(received)).containsExactlyElementsOf(produced.stream().map(MessageIds::encode).toList());
    JsonObject third = received.get(2);
    assertThat(third.getString("topic")).isEqualTo(topic);
    assertThat(third.getString("key")).isEqualTo("k2");
    assertThat(third.getLong("publishTime")).isPositive();
    assertThat(third.getInteger("redeliveryCount")).isZero();
    assertThat(received.get(0).getString("key")).isNull();

    // handed out but not acknowledged: all five are still in the backlog
    assertThat(backlog(broker, topic, "sub")).isEqualTo(5);
    assertThat(new JsonObject(http.get("/api/v1/consumers/" + id).body()).getString("subscription")).isEqualTo("sub");
    http.ack(id, ids(received));
    await().atMost(Duration.ofSeconds(20)).until(() -> backlog(broker, topic, "sub") == 0);

    http.close(id);
    JsonObject gone = assertError(http.get("/api/v1/consumers/" + id + "/messages?waitMs=0"), 404, "NOT_FOUND", null);
    assertThat(gone.getString("message")).contains(id).contains("was deleted");
    assertThat(broker.admin().topics().getSubscriptions(topic)).containsExactly("sub");
  }

  @Test
  void negativeAckRedeliversWithAHigherRedeliveryCount() throws Exception {
    String topic = broker.uniqueTopic("http-nack");
    List<MessageId> produced = produce(topic, List.of("again"), Map.of());
    String id = http.create(subscription(topic, "sub", "Shared").put("negativeAckRedeliveryDelayMs", 100));
    JsonObject first = http.pollUntil(id, 1).get(0);
    assertThat(first.getInteger("redeliveryCount")).isZero();
    http.nack(id, List.of(first.getString("messageId")));

    JsonObject second = http.pollUntil(id, 1).get(0);
    assertThat(second.getString("messageId")).isEqualTo(MessageIds.encode(produced.get(0)));
    assertThat(text(second)).isEqualTo("again");
    assertThat(second.getInteger("redeliveryCount")).isEqualTo(1);
    http.ack(id, List.of(second.getString("messageId")));
    await().atMost(Duration.ofSeconds(20)).until(() -> backlog(broker, topic, "sub") == 0);
    http.close(id);
  }

  @Test
  void deadLettersAfterMaxRedeliverCount() throws Exception {
    String topic = broker.uniqueTopic("http-dlq");
    String deadLetters = topic + "-dead";
    try (Consumer<byte[]> dlq = client.newConsumer().topic(deadLetters).subscriptionName("check")
        .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe()) {
      produce(topic, List.of("poison"), Map.of());
      String id = http.create(subscription(topic, "sub", "Shared").put("negativeAckRedeliveryDelayMs", 100)
          .put("deadLetter", new JsonObject().put("maxRedeliverCount", 2).put("topic", deadLetters)));
      List<Integer> counts = new ArrayList<>();
      for (int attempt = 0; attempt < 3; attempt++) {
        JsonObject m = http.pollUntil(id, 1).get(0);
        assertThat(text(m)).isEqualTo("poison");
        counts.add(m.getInteger("redeliveryCount"));
        http.nack(id, List.of(m.getString("messageId")));
      }
      assertThat(counts).containsExactly(0, 1, 2);

      Message<byte[]> dead = dlq.receive(30, TimeUnit.SECONDS);
      assertThat(dead).as("the message on the dead-letter topic").isNotNull();
      assertThat(new String(dead.getValue(), StandardCharsets.UTF_8)).isEqualTo("poison");
      assertThat(http.poll(id, 10, 500)).isEmpty();
      await().atMost(Duration.ofSeconds(20)).until(() -> backlog(broker, topic, "sub") == 0);
      http.close(id);
    }
  }

  @Test
  void aSharedSubscriptionSplitsTheMessagesAcrossInstances() throws Exception {
    String topic = broker.uniqueTopic("http-shared");
    JsonObject options = subscription(topic, "sub", "Shared").put("receiverQueueSize", 5);
    String a = http.create(options);
    String b = http.create(options);
    List<MessageId> produced = produce(topic, texts("s", 60), Map.of());

    Map<String, List<String>> byInstance = receiveAll(List.of(a, b), 60);
    assertThat(byInstance.get(a)).isNotEmpty();
    assertThat(byInstance.get(b)).isNotEmpty();
    Set<String> union = new HashSet<>(byInstance.get(a));
    union.addAll(byInstance.get(b));
    assertThat(union).hasSize(60).containsAll(produced.stream().map(MessageIds::encode).toList());
    await().atMost(Duration.ofSeconds(20)).until(() -> backlog(broker, topic, "sub") == 0);
    http.close(a);
    http.close(b);
  }

  @Test
  void keySharedKeepsEachKeyOnOneInstance() throws Exception {
    String topic = broker.uniqueTopic("http-key-shared");
    Map<Integer, String> keys = new HashMap<>();
    for (int i = 0; i < 80; i++) {
      keys.put(i, "key-" + (i % 40));
    }
    assertEachKeyOnOneOfTwoInstances(topic, 80, () -> produce(topic, texts("k", 80), keys));
  }

  /** Messages the proxy batched: a batch holds one key only (producer.keyBasedBatching), else keys would spread. */
  @Test
  void keySharedKeepsEachKeyOnOneInstanceWhenTheProxyBatchedThem() throws Exception {
    String topic = broker.uniqueTopic("http-key-shared-batched");
    JsonArray messages = new JsonArray();
    for (int i = 0; i < 80; i++) {
      messages.add(new JsonObject().put("text", "b" + i).put("key", "key-" + (i / 2)));
    }
    assertEachKeyOnOneOfTwoInstances(topic, 80, () -> {
      HttpResponse<String> sent = http.post("/api/v1/topics/" + topic.replace("://", "/") + "/messages",
          new JsonObject().put("messages", messages).encode(), Map.of("Content-Type", "application/json"));
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
      // Batched indeed: fewer entries than messages (keys come in pairs; a key-based batch holds one key).
      assertThat(new JsonObject(sent.body()).getJsonArray("results").stream()
          .map(r -> ((JsonObject) r).getLong("entryId")).distinct().count()).isLessThan(80L);
    });
  }

  private void assertEachKeyOnOneOfTwoInstances(String topic, int count, ThrowingRunnable produce) throws Exception {
    JsonObject options = subscription(topic, "sub", "Key_Shared").put("receiverQueueSize", 10);
    String a = http.create(options);
    String b = http.create(options);
    produce.run();

    Map<String, Set<String>> keysByInstance = new HashMap<>();
    Map<String, List<String>> received = receiveAll(List.of(a, b), count, (instance, m) ->
        keysByInstance.computeIfAbsent(instance, i -> new HashSet<>()).add(m.getString("key")));
    assertThat(received.get(a).size() + received.get(b).size()).isEqualTo(count);
    // 40 keys: both instances get some (unless the hash puts all 40 on one, odds 2 in 2^40).
    assertThat(keysByInstance).as("keys by instance").hasSize(2);
    Set<String> both = new HashSet<>(keysByInstance.get(a));
    both.retainAll(keysByInstance.get(b));
    assertThat(both).as("keys delivered to both instances").isEmpty();
    http.close(a);
    http.close(b);
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private Map<String, List<String>> receiveAll(List<String> instances, int total) {
    return receiveAll(instances, total, (i, m) -> { });
  }

  /** Polls the instances in turn, acknowledging what each got, until {@code total} distinct messages came. */
  private Map<String, List<String>> receiveAll(List<String> instances, int total,
      java.util.function.BiConsumer<String, JsonObject> each) {
    Map<String, List<String>> byInstance = new HashMap<>();
    Set<String> seen = new HashSet<>();
    instances.forEach(i -> byInstance.put(i, new ArrayList<>()));
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      for (String instance : instances) {
        JsonArray page = http.poll(instance, 5, 200);
        List<String> pageIds = new ArrayList<>();
        for (Object o : page) {
          JsonObject m = (JsonObject) o;
          pageIds.add(m.getString("messageId"));
          each.accept(instance, m);
        }
        if (!pageIds.isEmpty()) {
          byInstance.get(instance).addAll(pageIds);
          seen.addAll(pageIds);
          http.ack(instance, pageIds);
        }
      }
      return seen.size() >= total;
    });
    return byInstance;
  }

  @Test
  void aLongPollReturnsAsSoonAsAMessageArrivesAndEmptyAfterItsWait() throws Exception {
    String topic = broker.uniqueTopic("http-long-poll");
    String id = http.create(subscription(topic, "sub", "Exclusive"));

    long before = System.nanoTime();
    assertThat(http.poll(id, 10, 300)).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

    CompletableFuture<JsonArray> waiting = CompletableFuture.supplyAsync(() -> http.poll(id, 10, 30_000));
    // a second poll while the first waits is refused
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertError(
        http.get("/api/v1/consumers/" + id + "/messages?waitMs=0"), 409, "CONFLICT", null));
    long sent = System.nanoTime();
    List<MessageId> produced = produce(topic, List.of("wake up"), Map.of());
    JsonArray answer = waiting.get(30, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(20));
    assertThat(answer).hasSize(1);
    assertThat(answer.getJsonObject(0).getString("messageId")).isEqualTo(MessageIds.encode(produced.get(0)));
    http.close(id);
  }

  @Test
  void seeksByIdAndByPublishTime() throws Exception {
    String topic = broker.uniqueTopic("http-seek");
    List<MessageId> produced = produce(topic, texts("t", 10), Map.of());
    String id = http.create(subscription(topic, "sub", "Exclusive"));
    List<JsonObject> all = http.pollUntil(id, 10);
    assertThat(ids(all)).containsExactlyElementsOf(produced.stream().map(MessageIds::encode).toList());

    long time = all.get(3).getLong("publishTime");
    List<String> expected = all.stream().filter(m -> m.getLong("publishTime") >= time)
        .map(HttpConsumeIT::text).toList();
    http.seek(id, new JsonObject().put("timestamp", time));
    List<JsonObject> afterTime = http.pollUntil(id, expected.size());
    assertThat(afterTime.stream().map(HttpConsumeIT::text)).containsExactlyElementsOf(expected).contains("t3");

    http.seek(id, new JsonObject().put("messageId", MessageIds.encode(produced.get(6))));
    // as Pulsar's consumers do, the subscription resumes after the given message
    List<JsonObject> afterId = http.pollUntil(id, 3);
    assertThat(afterId.stream().map(HttpConsumeIT::text)).containsExactly("t7", "t8", "t9");
    // the message sought to counts as consumed: acknowledging what came after it leaves nothing behind
    http.ack(id, ids(afterId));
    await().atMost(Duration.ofSeconds(20)).until(() -> backlog(broker, topic, "sub") == 0);
    http.close(id);
  }

  @Test
  void bodiesComeInTheRequestedFormatWithAFallback() throws Exception {
    String topic = broker.uniqueTopic("http-formats");
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      producer.send("{\"order\":42,\"items\":[\"a\"]}".getBytes(StandardCharsets.UTF_8));
      producer.send("héllo".getBytes(StandardCharsets.UTF_8));
      producer.send(new byte[] {(byte) 0xff, 0, 1});
    }
    List<JsonObject> base64 = http.pollUntil(http.create(subscription(topic, "b", "Exclusive")), 3);
    assertThat(Base64.getDecoder().decode(base64.get(2).getString("payload"))).containsExactly(0xff, 0, 1);
    assertThat(text(base64.get(1))).isEqualTo("héllo");

    List<JsonObject> text = http.pollUntil(http.create(subscription(topic, "t", "Exclusive").put("format", "text")), 3);
    assertThat(text.get(0).getString("text")).isEqualTo("{\"order\":42,\"items\":[\"a\"]}");
    assertThat(text.get(1).getString("text")).isEqualTo("héllo");
    assertThat(text.get(1).containsKey("formatFallback")).isFalse();
    assertThat(text.get(2).getString("payload")).isEqualTo("/wAB");
    assertThat(text.get(2).getString("formatFallback")).startsWith("base64");

    List<JsonObject> json = http.pollUntil(http.create(subscription(topic, "j", "Exclusive").put("format", "json")), 3);
    assertThat(json.get(0).getJsonObject("value")).isEqualTo(new JsonObject().put("order", 42)
        .put("items", new JsonArray().add("a")));
    assertThat(json.get(1).getString("text")).isEqualTo("héllo");
    assertThat(json.get(1).getString("formatFallback")).startsWith("text");
    assertThat(json.get(2).getString("payload")).isEqualTo("/wAB");
    assertThat(json.get(2).getString("formatFallback")).startsWith("base64");
  }

  @Test
  void cumulativeAcksWhereTheSubscriptionTypeAllowsIt() throws Exception {
    String topic = broker.uniqueTopic("http-cumulative");
    produce(topic, texts("c", 4), Map.of());
    String exclusive = http.create(subscription(topic, "ex", "Exclusive"));
    List<JsonObject> received = http.pollUntil(exclusive, 4);
    ConsumeHttp.expect204(http.post("/api/v1/consumers/" + exclusive + "/acks",
        new JsonObject().put("upTo", received.get(3).getString("messageId")).encode(), Map.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> backlog(broker, topic, "ex") == 0);

    String shared = http.create(subscription(topic, "sh", "Shared"));
    List<JsonObject> sharedReceived = http.pollUntil(shared, 4);
    assertError(http.post("/api/v1/consumers/" + shared + "/acks",
        new JsonObject().put("upTo", sharedReceived.get(3).getString("messageId")).encode(), Map.of()),
        400, "BAD_REQUEST", "upTo");
    assertThat(backlog(broker, topic, "sh")).isEqualTo(4);
    http.close(exclusive);
    http.close(shared);
  }

  @Test
  void deletingWithUnsubscribeRemovesTheSubscription() throws Exception {
    String topic = broker.uniqueTopic("http-unsubscribe");
    produce(topic, List.of("x"), Map.of());
    String id = http.create(subscription(topic, "gone", "Exclusive"));
    assertThat(broker.admin().topics().getSubscriptions(topic)).containsExactly("gone");
    ConsumeHttp.expect204(http.delete("/api/v1/consumers/" + id + "?unsubscribe=true"));
    assertThat(broker.admin().topics().getSubscriptions(topic)).isEmpty();
    assertError(http.delete("/api/v1/consumers/" + id), 404, "NOT_FOUND", null);
  }
}
