package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The WebSocket API and the page in the assembled proxy: one port with the REST API, metrics, graceful stop. */
@ExtendWith(PulsarExtension.class)
class WebSocketAppIT {

  /** Collects text messages and the close of a JDK WebSocket. */
  static final class Listener implements WebSocket.Listener {
    final List<JsonObject> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(new JsonObject(partial.toString()));
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }
  }

  @Test
  void servesTheWebSocketApiAndThePageOnTheRestPortAndClosesSocketsOnStop(PulsarBroker broker, @TempDir Path dir)
      throws Exception {
    String topic = broker.uniqueTopic("app-ws");
    ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), new JsonObject());
    try {
      String base = "ws://127.0.0.1:" + proxy.app.httpPort() + "/ws/v2/";
      String topicPath = topic.replace("://", "/");
      Listener consumed = new Listener();
      WebSocket consumer = proxy.http.newWebSocketBuilder()
          .buildAsync(URI.create(base + "consumer/" + topicPath + "/app-sub"), consumed).get(30, TimeUnit.SECONDS);
      Listener acks = new Listener();
      WebSocket producer = proxy.http.newWebSocketBuilder()
          .buildAsync(URI.create(base + "producer/" + topicPath), acks).get(30, TimeUnit.SECONDS);
      producer.sendText(new JsonObject().put("context", "c1")
          .put("payload", Base64.getEncoder().encodeToString("through the app".getBytes(StandardCharsets.UTF_8)))
          .encode(), true);
      await().atMost(Duration.ofSeconds(30)).until(() -> !acks.messages.isEmpty() && !consumed.messages.isEmpty());
      assertThat(acks.messages.get(0).getString("result")).isEqualTo("ok");
      assertThat(consumed.messages.get(0).getString("messageId")).isEqualTo(acks.messages.get(0).getString("messageId"));

      HttpResponse<String> page = proxy.get(proxy.url("/"));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<title>Pulsar proxy").contains("/ui/app.js");
      assertThat(proxy.get(proxy.url("/ui/app.js")).body()).contains("/ws/v2/consumer/");

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(proxy.get(proxy.managementUrl("/metrics"))
          .body()).contains("pulsar_proxy_websockets{role=\"consumer\"} 1.0")
          .contains("pulsar_proxy_websockets{role=\"producer\"} 1.0"));

      proxy.app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(consumed.closed.get(30, TimeUnit.SECONDS)).isEqualTo(1001);
      assertThat(acks.closed.get(30, TimeUnit.SECONDS)).isEqualTo(1001);
      consumer.abort();
      producer.abort();
    } finally {
      proxy.close();
    }
  }
}
