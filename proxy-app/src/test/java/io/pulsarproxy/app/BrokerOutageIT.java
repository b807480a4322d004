package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is stopped and stays down, as a client that does not retry meets it: every produce (to a topic the proxy
 * has a producer for, and to new ones), every WebSocket frame, every new subscription, stream and read is refused
 * with 503 {@code BROKER_UNAVAILABLE} and {@code Retry-After} within {@code producer.outageWait} (plus a margin),
 * never with a 504 and never with exception text; once the broker is back, everything works again without a restart.
 */
class BrokerOutageIT {
  private static final Duration OUTAGE_WAIT = Duration.ofSeconds(2);
  /** Scheduling on a loaded machine, the HTTP round trip. */
  private static final long MARGIN_MS = 1_500;
  private static final String ONE = "{\"messages\":[{\"text\":\"x\"}]}";

  @Test
  void refusesEverythingFastWhileTheBrokerIsDownAndWorksAgainWhenItIsBack(@TempDir Path dir) throws Exception {
    try (StandalonePulsar broker = StandalonePulsar.startNew(dir.resolve("pulsar"));
        // The defaults of the Pulsar client (30 s operation timeout) and of the probe; only the hold is shorter.
        ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), cfg("pulsar", "probeInterval", "2s")
            .mergeIn(cfg("producer", "outageWait", OUTAGE_WAIT.toMillis() + "ms")))) {
      String topic = broker.uniqueTopic("outage");
      assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200);
      WebSocketAppIT.Listener acks = new WebSocketAppIT.Listener();
      WebSocket wsProducer = proxy.http.newWebSocketBuilder()
          .buildAsync(URI.create(ws(proxy, "producer/" + topic.replace("://", "/"))), acks).get(30, TimeUnit.SECONDS);

      broker.stop();
      long stopped = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).until(() ->
          proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 503);
      long seenDownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);

      // For longer than the hold, a client that does not retry: the cached producer's topic, then new topics.
      List<Long> refusedAfterMs = new ArrayList<>();
      AtomicInteger requests = new AtomicInteger();
      long end = System.nanoTime() + OUTAGE_WAIT.multipliedBy(4).toNanos();
      await().pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(60)).until(() -> {
        String to = requests.getAndIncrement() % 2 == 0 ? topic : broker.uniqueTopic("outage-new");
        long start = System.nanoTime();
        HttpResponse<String> r = proxy.postJson(producePath(to), ONE);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertRefused(r.statusCode(), r.headers().firstValue("Retry-After").isPresent(), r.body());
        assertThat(tookMs).as("held at most producer.outageWait").isLessThan(OUTAGE_WAIT.toMillis() + MARGIN_MS);
        refusedAfterMs.add(tookMs);
        return System.nanoTime() > end;
      });

      // A WebSocket producer's frame, and every way of starting to consume.
      long wsStart = System.nanoTime();
      wsProducer.sendText(new JsonObject().put("payload", "eA==").put("context", "down").encode(), true);
      await().atMost(Duration.ofMillis(OUTAGE_WAIT.toMillis() + MARGIN_MS)).until(() -> !acks.messages.isEmpty());
      long wsRefusedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wsStart);
      JsonObject refusedFrame = acks.messages.get(0);
      assertThat(refusedFrame.getString("result")).startsWith("send-error");
      assertThat(refusedFrame.getString("context")).isEqualTo("down");
      assertClean(refusedFrame.getString("errorMsg"));

      ConsumeHttp consume = new ConsumeHttp(proxy);
      timed(() -> {
        HttpResponse<String> r = consume.post("/api/v1/consumers",
            ConsumeHttp.subscription(topic, "down-sub", "Shared").encode(), Map.of());
        assertRefused(r.statusCode(), r.headers().firstValue("Retry-After").isPresent(), r.body());
      });
      timed(() -> {
        HttpResponse<InputStream> r = SseReader.request(proxy, "/api/v1/topics/" + topic.replace("://", "/")
            + "/subscriptions/down-sse/events", Map.of());
        assertRefused(r.statusCode(), r.headers().firstValue("Retry-After").isPresent(), SseReader.body(r));
      });
      timed(() -> {
        HttpResponse<String> r = consume.get("/api/v1/topics/" + topic.replace("://", "/") + "/messages");
        assertRefused(r.statusCode(), r.headers().firstValue("Retry-After").isPresent(), r.body());
      });
      for (String endpoint : List.of("consumer/" + topic.replace("://", "/") + "/down-ws",
          "reader/" + topic.replace("://", "/"))) {
        timed(() -> {
          try {
            proxy.http.newWebSocketBuilder().buildAsync(URI.create(ws(proxy, endpoint)),
                new WebSocketAppIT.Listener()).get(30, TimeUnit.SECONDS).abort();
            throw new AssertionError(endpoint + " was accepted while the broker is down");
          } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            HttpResponse<?> r = ((WebSocketHandshakeException) e.getCause()).getResponse();
            assertThat(r.statusCode()).as(endpoint).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).as(endpoint).isPresent();
          }
        });
      }

      broker.start();
      long back = System.nanoTime();
      await().atMost(Duration.ofSeconds(60)).until(() ->
          proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 200);
      long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200));
      HttpResponse<String> newTopic = proxy.postJson(producePath(broker.uniqueTopic("after")), ONE);
      assertThat(newTopic.statusCode()).as(newTopic.body()).isEqualTo(200);
      wsProducer.sendText(new JsonObject().put("payload", "eQ==").put("context", "up").encode(), true);
      await().atMost(Duration.ofSeconds(30)).until(() -> acks.messages.size() >= 2);
      assertThat(acks.messages.get(1).getString("result")).isEqualTo("ok");
      consume.close(consume.create(ConsumeHttp.subscription(topic, "after-sub", "Shared")));
      wsProducer.abort();

      System.out.printf("broker outage: not ready %d ms after the stop; %d produce requests refused in %d..%d ms "
              + "(outageWait %s); WebSocket frame refused in %d ms; ready %d ms after the broker restarted%n",
          seenDownMs, refusedAfterMs.size(), refusedAfterMs.stream().mapToLong(Long::longValue).min().orElse(-1),
          refusedAfterMs.stream().mapToLong(Long::longValue).max().orElse(-1), OUTAGE_WAIT, wsRefusedMs, readyMs);
    }
  }

  private static String ws(ProxyFixture proxy, String path) {
    return "ws://127.0.0.1:" + proxy.app.httpPort() + "/ws/v2/" + path;
  }

  /** Runs a request that must be refused within the hold. */
  private static void timed(ThrowingRunnable request) throws Exception {
    long start = System.nanoTime();
    request.run();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(OUTAGE_WAIT.toMillis() + MARGIN_MS);
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static void assertRefused(int status, boolean retryAfter, String body) {
    assertThat(status).as(body).isEqualTo(503);
    assertThat(retryAfter).as("Retry-After").isTrue();
    JsonObject error = new JsonObject(body);
    assertThat(error.getString("error")).isEqualTo("BROKER_UNAVAILABLE");
    assertClean(error.getString("message"));
  }

  /** A message for people: no exception text, no broker JSON. */
  private static void assertClean(String message) {
    assertThat(message).isNotBlank().doesNotContain("Exception").doesNotContain("java.").doesNotContain("errorMsg")
        .doesNotContain("io.netty").doesNotContain("{");
  }
}
