package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real clusters and the default failover settings: the primary is killed, the proxy sees it within 10 s and
 * switches within 15 s; produce, HTTP consumer instances, SSE streams and WebSocket consumers carry on against the
 * secondary; and back to the primary when it returns.
 */
@ExtendWith(PulsarExtension.class)
class FailoverIT {
  private static final Duration DETECTED_WITHIN = Duration.ofSeconds(10);
  private static final Duration SWITCHED_WITHIN = Duration.ofSeconds(15);

  @Test
  void failsOverToTheSecondaryWithEveryClientAndSwitchesBack(PulsarBroker secondary, @TempDir Path dir)
      throws Exception {
    String topic = "persistent://public/default/failover-" + Long.toHexString(System.nanoTime());
    String topicPath = topic.replace("://", "/");
    ProxyConfig defaults = ProxyConfig.defaults();
    try (StandalonePulsar primary = StandalonePulsar.startNew(dir.resolve("primary"));
        // The default probe interval and failover timings (the fixture's own probe interval is shorter).
        ProxyFixture proxy = ProxyFixture.start(dir, primary.serviceUrl(), cfg("pulsar",
            "serviceUrls", new JsonArray().add(primary.serviceUrl()).add(secondary.serviceUrl()),
            "probeInterval", defaults.pulsar().probeInterval().toMillis() + "ms", "switchBackAfter", "3s"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> state(proxy).equals("UP"));
      assertThat(proxy.postJson(producePath(topic), text("before")).statusCode()).isEqualTo(200);
      assertThat(primary.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(1);

      // One consumer of each kind, all from the earliest message, each has the first one.
      ConsumeHttp consume = new ConsumeHttp(proxy);
      String instance = consume.create(ConsumeHttp.subscription(topic, "http-sub", "Exclusive").put("format", "text"));
      assertThat(texts(consume.pollUntil(instance, 1))).containsExactly("before");
      SseReader sse = SseReader.open(proxy, "/api/v1/topics/" + topicPath
          + "/subscriptions/sse-sub/events?initialPosition=Earliest&format=text", Map.of());
      assertThat(nextMessage(sse)).isEqualTo("before");
      Set<String> wsReceived = ConcurrentHashMap.newKeySet();
      WebSocketAppIT.Listener wsListener = new WebSocketAppIT.Listener();
      WebSocket wsConsumer = proxy.http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:"
          + proxy.app.httpPort() + "/ws/v2/consumer/" + topicPath + "/ws-sub?subscriptionInitialPosition=Earliest"),
          wsListener).get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> wsTexts(wsListener, wsConsumer, wsReceived).contains("before"));

      primary.kill();
      long killed = System.nanoTime();
      await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(60))
          .until(() -> !state(proxy).equals("UP"));
      long detectedMs = sinceMs(killed);
      await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(60))
          .until(() -> state(proxy).equals("FAILED_OVER"));
      long switchedMs = sinceMs(killed);
      HttpResponse<String> ready = proxy.get(proxy.managementUrl("/health/ready"));
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(detectedMs).as("seen down").isLessThanOrEqualTo(DETECTED_WITHIN.toMillis());
      assertThat(switchedMs).as("switched").isLessThanOrEqualTo(SWITCHED_WITHIN.toMillis());

      // The cached producer reconnects to the secondary by itself.
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(proxy.postJson(producePath(topic), text("after")).statusCode()).isEqualTo(200));
      long producingMs = sinceMs(killed);
      long onSecondary = secondary.admin().topics().getStats(topic).getMsgInCounter();
      assertThat(onSecondary).isGreaterThanOrEqualTo(1);
      // And so do the consumers: each gets the message stored on the secondary.
      assertThat(texts(consume.pollUntil(instance, 1))).containsExactly("after");
      assertThat(nextMessage(sse)).isEqualTo("after");
      await().atMost(Duration.ofSeconds(30)).until(() -> wsTexts(wsListener, wsConsumer, wsReceived).contains("after"));
      long consumingMs = sinceMs(killed);
      System.out.printf("failover: primary seen down %d ms after the kill, switched after %d ms, producing on the "
          + "secondary after %d ms, every consumer had its message after %d ms%n", detectedMs, switchedMs,
          producingMs, consumingMs);

      primary.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> state(proxy).equals("UP"));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(proxy.postJson(producePath(topic), text("back")).statusCode()).isEqualTo(200);
        assertThat(primary.admin().topics().getStats(topic).getMsgInCounter()).isGreaterThanOrEqualTo(1);
      });
      assertThat(secondary.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(onSecondary);
      consume.close(instance);
      sse.close();
      wsConsumer.abort();
    }
  }

  private static String text(String text) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("text", text))).encode();
  }

  private static List<String> texts(List<JsonObject> messages) {
    return messages.stream().map(m -> m.getString("text")).toList();
  }

  /** The text of the next message event of the stream (skipping other events). */
  private static String nextMessage(SseReader sse) throws InterruptedException {
    for (;;) {
      SseReader.Event e = sse.next(Duration.ofSeconds(60));
      if (e.type() == null) {
        return new JsonObject(e.data()).getString("text");
      }
    }
  }

  /** The payloads received by a WebSocket consumer so far, each acknowledged. */
  private static Set<String> wsTexts(WebSocketAppIT.Listener listener, WebSocket socket, Set<String> received) {
    for (JsonObject m : listener.messages) {
      String payload = m.getString("payload");
      if (payload != null && received.add(new String(Base64.getDecoder().decode(payload), StandardCharsets.UTF_8))) {
        socket.sendText(new JsonObject().put("messageId", m.getString("messageId")).encode(), true).join();
      }
    }
    return received;
  }

  private static long sinceMs(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static String state(ProxyFixture proxy) {
    JsonObject ready = json(proxy.get(proxy.managementUrl("/health/ready")));
    return ready.getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("state");
  }
}
