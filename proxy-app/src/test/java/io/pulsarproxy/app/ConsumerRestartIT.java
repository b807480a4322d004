package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumers keep going across a broker crash (SIGKILL) and restart: an HTTP consumer instance and a WebSocket
 * consumer both end up with every message, acknowledged, and the subscriptions' backlogs drain to zero.
 */
class ConsumerRestartIT {
  private static final int MESSAGES = 40;

  @Test
  void httpAndWebSocketConsumersContinueAfterABrokerRestart(@TempDir Path dir) throws Exception {
    try (StandalonePulsar broker = StandalonePulsar.startNew(dir.resolve("pulsar"));
        ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(),
            cfg("pulsar", "operationTimeout", "5s", "connectionTimeout", "1s"))) {
      String topic = broker.uniqueTopic("restart");
      ConsumeHttp http = new ConsumeHttp(proxy);
      String instance = http.create(ConsumeHttp.subscription(topic, "http-sub", "Shared"));
      Set<String> wsReceived = ConcurrentHashMap.newKeySet();
      WebSocket ws = proxy.http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + proxy.app.httpPort()
              + "/ws/v2/consumer/" + topic.replace("://", "/") + "/ws-sub?subscriptionInitialPosition=Earliest"),
          new AckingListener(wsReceived)).get(30, TimeUnit.SECONDS);

      produce(proxy, topic, 0, MESSAGES / 2);
      Set<String> httpReceived = new HashSet<>();
      pollAndAck(http, instance, httpReceived, MESSAGES / 2);
      await().atMost(Duration.ofSeconds(30)).until(() -> wsReceived.size() >= MESSAGES / 2);

      broker.kill();
      broker.start();
      await().atMost(Duration.ofSeconds(60)).until(() ->
          proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 200);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(proxy.postJson(producePath(topic),
          "{\"messages\":[{\"text\":\"probe\"}]}").statusCode()).isEqualTo(200));
      produce(proxy, topic, MESSAGES / 2, MESSAGES);

      // Every message (the probe too) reaches both consumers; what was not acknowledged before the crash comes again.
      pollAndAck(http, instance, httpReceived, MESSAGES + 1);
      await().atMost(Duration.ofSeconds(60)).until(() -> wsReceived.size() >= MESSAGES + 1);
      assertThat(httpReceived).hasSize(MESSAGES + 1);
      assertThat(wsReceived).isEqualTo(httpReceived);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(ConsumeHttp.backlog(broker, topic, "http-sub")).isZero();
        assertThat(ConsumeHttp.backlog(broker, topic, "ws-sub")).isZero();
      });
      ws.abort();
    }
  }

  private static void produce(ProxyFixture proxy, String topic, int from, int to) {
    JsonArray messages = new JsonArray();
    for (int i = from; i < to; i++) {
      messages.add(new JsonObject().put("text", "m" + i));
    }
    assertThat(proxy.postJson(producePath(topic), new JsonObject().put("messages", messages).encode()).statusCode())
        .isEqualTo(200);
  }

  /** Polls and acknowledges until {@code texts} holds {@code count} distinct messages. */
  private static void pollAndAck(ConsumeHttp http, String instance, Set<String> texts, int count) {
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
      JsonArray batch = http.poll(instance, 100, 1000);
      List<String> ids = batch.stream().map(m -> ((JsonObject) m).getString("messageId")).toList();
      batch.forEach(m -> texts.add(new String(java.util.Base64.getDecoder()
          .decode(((JsonObject) m).getString("payload")))));
      if (!ids.isEmpty()) {
        http.ack(instance, ids);
      }
      return texts.size() >= count;
    });
  }

  /** A Pulsar WebSocket consumer that records each payload and acknowledges it. */
  private static final class AckingListener implements WebSocket.Listener {
    private final Set<String> received;
    private final StringBuilder partial = new StringBuilder();
    /** java.net.http allows one send at a time: acks are chained. */
    private CompletableFuture<WebSocket> lastSend = CompletableFuture.completedFuture(null);

    AckingListener(Set<String> received) {
      this.received = received;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject frame = new JsonObject(partial.toString());
        partial.setLength(0);
        received.add(new String(java.util.Base64.getDecoder().decode(frame.getString("payload"))));
        String ack = new JsonObject().put("messageId", frame.getString("messageId")).encode();
        lastSend = lastSend.thenCompose(previous -> socket.sendText(ack, true));
      }
      socket.request(1);
      return null;
    }
  }
}
