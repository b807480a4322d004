package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.assertError;
import static io.pulsarproxy.app.ConsumeHttp.backlog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Server-Sent Events streams against a real broker. */
@ExtendWith(PulsarExtension.class)
class HttpStreamIT {
  private static final Duration EVENT_WAIT = Duration.ofSeconds(20);
  private static ProxyFixture proxy;
  private static ConsumeHttp http;
  private static PulsarClient client;
  private static PulsarBroker broker;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(),
        ProxyFixture.cfg("httpConsumer", "sseHeartbeatInterval", "300ms", "sseConfirmDelay", "3s"));
    http = new ConsumeHttp(proxy);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  private static List<String> produce(String topic, int n, int size) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < n; i++) {
        byte[] payload = new byte[Math.max(size, 8)];
        byte[] text = ("e" + i).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, payload, 0, text.length);
        ids.add(MessageIds.encode(producer.sendAsync(size > 0 ? payload : text).get()));
      }
    }
    return ids;
  }

  private static String eventsPath(String topic, String subscription, String query) {
    return "/api/v1/topics/" + topic.replace("://", "/") + "/subscriptions/" + subscription + "/events?" + query;
  }

  @Test
  void autoAckStreamsEveryMessageAndDrainsTheBacklog() throws Exception {
    String topic = broker.uniqueTopic("sse-auto");
    List<String> produced = produce(topic, 20, 0);
    try (SseReader sse = SseReader.open(proxy, eventsPath(topic, "sub", "initialPosition=Earliest&format=text"),
        Map.of())) {
      String stream = null;
      for (int i = 0; i < 20; i++) {
        SseReader.Event e = sse.next(EVENT_WAIT);
        JsonObject data = new JsonObject(e.data());
        assertThat(e.type()).isNull();
        assertThat(data.getString("messageId")).isEqualTo(produced.get(i));
        // the event id: the stream's id and the event's number
        assertThat(e.id()).matches("[A-Za-z0-9_-]{12}\\.\\d+").endsWith("." + (i + 1));
        stream = stream == null ? e.id().substring(0, 12) : stream;
        assertThat(e.id()).startsWith(stream);
        assertThat(data.getString("text")).isEqualTo("e" + i);
        assertThat(data.getString("topic")).isEqualTo(topic);
      }
      await().atMost(EVENT_WAIT).until(() -> backlog(broker, topic, "sub") == 0);
    }
  }

  @Test
  void clientAckStreamsNameAnInstanceThatAcknowledges() throws Exception {
    String topic = broker.uniqueTopic("sse-client");
    List<String> produced = produce(topic, 5, 0);
    try (SseReader sse = SseReader.open(proxy,
        eventsPath(topic, "sub", "initialPosition=Earliest&ack=client&subscriptionType=Shared"), Map.of())) {
      SseReader.Event first = sse.next(EVENT_WAIT);
      assertThat(first.type()).isEqualTo("consumer");
      JsonObject consumer = new JsonObject(first.data());
      String id = consumer.getString("id");
      assertThat(consumer.getJsonObject("links").getString("acks")).isEqualTo("/api/v1/consumers/" + id + "/acks");

      List<String> streamed = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        streamed.add(sse.next(EVENT_WAIT).id());
      }
      assertThat(streamed).containsExactlyElementsOf(produced);
      assertThat(backlog(broker, topic, "sub")).isEqualTo(5);
      assertError(http.get("/api/v1/consumers/" + id + "/messages?waitMs=0"), 409, "CONFLICT", null);

      http.ack(id, streamed.subList(0, 3));
      await().atMost(EVENT_WAIT).until(() -> backlog(broker, topic, "sub") == 2);
      http.ack(id, streamed.subList(3, 5));
      await().atMost(EVENT_WAIT).until(() -> backlog(broker, topic, "sub") == 0);
      sse.close();
      await().atMost(EVENT_WAIT).untilAsserted(() ->
          assertError(http.get("/api/v1/consumers/" + id), 404, "NOT_FOUND", null));
    }
  }

  @Test
  void resumingWithLastEventIdLosesNothing() throws Exception {
    String topic = broker.uniqueTopic("sse-resume");
    List<String> produced = produce(topic, 100, 0);
    String path = eventsPath(topic, "sub", "initialPosition=Earliest");
    List<String> first = new ArrayList<>();
    String last = null;
    try (SseReader sse = SseReader.open(proxy, path, Map.of())) {
      for (int i = 0; i < 30; i++) {
        SseReader.Event e = sse.next(EVENT_WAIT);
        first.add(new JsonObject(e.data()).getString("messageId"));
        last = e.id();
      }
    }
    // More than 30 events were written while the client read its 30: unconfirmed, they come again; the 30 the
    // Last-Event-ID confirms (or the confirmation delay did) are not sent again.
    Set<String> seen = new LinkedHashSet<>(first);
    List<String> second = new ArrayList<>();
    try (SseReader sse = reconnect(path, last)) {
      while (!seen.containsAll(produced)) {
        String id = new JsonObject(sse.next(EVENT_WAIT).data()).getString("messageId");
        second.add(id);
        seen.add(id);
      }
      // the open stream confirms what it carried once the confirmation delay passed
      await().atMost(EVENT_WAIT).until(() -> backlog(broker, topic, "sub") == 0);
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(produced);
    assertThat(second).doesNotContainAnyElementsOf(first);
  }

  @Test
  void theConfirmationDelayAcknowledgesWhatAHealthyStreamCarried() throws Exception {
    String topic = broker.uniqueTopic("sse-confirm");
    List<String> produced = produce(topic, 5, 0);
    String path = eventsPath(topic, "sub", "initialPosition=Earliest&subscriptionType=Shared");
    List<String> streamed = new ArrayList<>();
    try (SseReader sse = SseReader.open(proxy, path, Map.of())) {
      for (int i = 0; i < 5; i++) {
        streamed.add(new JsonObject(sse.next(EVENT_WAIT).data()).getString("messageId"));
      }
      assertThat(streamed).containsExactlyElementsOf(produced);
      await().atMost(EVENT_WAIT).until(() -> backlog(broker, topic, "sub") == 0);
    }
    // Closed without a Last-Event-ID: what the delay confirmed does not come again.
    try (SseReader sse = SseReader.open(proxy, path, Map.of())) {
      assertThat(sse.noEventWithin(Duration.ofSeconds(3))).isTrue();
      assertThat(backlog(broker, topic, "sub")).isZero();
    }
  }

  /** Reconnects as an EventSource would, retrying while the previous Exclusive consumer is still closing. */
  private static SseReader reconnect(String path, String lastEventId) {
    SseReader[] reader = new SseReader[1];
    await().atMost(EVENT_WAIT).until(() -> {
      var response = SseReader.request(proxy, path, Map.of("Last-Event-ID", lastEventId));
      if (response.statusCode() == 409) {
        SseReader.body(response);
        return false;
      }
      reader[0] = SseReader.accept(response);
      return true;
    });
    return reader[0];
  }

  @Test
  void idleStreamsCarryHeartbeats() throws Exception {
    String topic = broker.uniqueTopic("sse-idle");
    try (SseReader sse = SseReader.open(proxy, eventsPath(topic, "sub", ""), Map.of())) {
      await().atMost(EVENT_WAIT).until(() -> sse.comments.contains(": keep-alive"));
    }
  }

  @Test
  void aSlowReaderPausesTheConsumerInsteadOfBuffering() throws Exception {
    String topic = broker.uniqueTopic("sse-slow");
    int messages = 300;
    int size = 64 * 1024;
    produce(topic, messages, size);
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", proxy.app.httpPort()), 5000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + eventsPath(topic, "slow", "initialPosition=Earliest") + " HTTP/1.1\r\nHost: localhost\r\n"
          + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(EVENT_WAIT).until(() -> broker.admin().topics().getSubscriptions(topic).contains("slow"));
      // Nothing is read: only what fits the socket buffers and the stream's small window leaves the backlog.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> backlog(broker, topic, "slow") > messages / 2);
      long stuck = backlog(broker, topic, "slow");

      InputStream in = socket.getInputStream();
      byte[] chunk = new byte[64 * 1024];
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        while (in.available() > 0 && in.read(chunk) > 0) {
          // reading lets the stream go on
        }
        in.read(chunk);
        return backlog(broker, topic, "slow") == 0;
      });
      assertThat(stuck).isGreaterThan(messages / 2);
    }
  }

  @Test
  void badStreamRequestsGetTheEnvelope() throws Exception {
    String topic = broker.uniqueTopic("sse-bad");
    produce(topic, 1, 0);
    assertError(http.get(eventsPath(topic, "sub", "receiverQueueSize=0")), 400, "BAD_REQUEST", "receiverQueueSize");
    assertError(http.get(eventsPath(topic, "sub", "subscriptionType=Solo")), 400, "BAD_REQUEST", "subscriptionType");
    assertError(http.get(eventsPath("persistent://public/default/x", "sub", "").replace("/public/", "/pub%20lic/")),
        400, "INVALID_TOPIC", "tenant");
    assertThat(broker.admin().topics().getSubscriptions(topic)).isEmpty();
  }
}
