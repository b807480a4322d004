package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is killed with SIGKILL during sustained HTTP and WebSocket produce and restarted: every message answered with success
 * is in the topic, the others got a clear error, and the proxy is ready again without a restart.
 */
class BrokerCrashIT {
  /**
   * A Pulsar WebSocket producer keeping up to 50 frames in flight, recording the ids of the messages acked "ok" and
   * counting the errors by result. java.net.http allows one send at a time, so frames are chained.
   */
  private static final class WsProducer implements java.net.http.WebSocket.Listener {
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    final AtomicInteger sent = new AtomicInteger();
    private final java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(50);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final StringBuilder partial = new StringBuilder();
    private final Thread sender;
    private final java.net.http.WebSocket socket;

    WsProducer(ProxyFixture proxy, String topic) throws Exception {
      socket = proxy.http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + proxy.app.httpPort()
          + "/ws/v2/producer/" + topic.replace("://", "/")), this).get(30, TimeUnit.SECONDS);
      sender = new Thread(this::send, "ws-producer");
      sender.start();
    }

    private void send() {
      java.util.concurrent.CompletableFuture<java.net.http.WebSocket> last =
          java.util.concurrent.CompletableFuture.completedFuture(socket);
      try {
        for (int i = 0; running.get() && i < 1_000_000; i++) {
          if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
            continue;
          }
          String frame = new JsonObject().put("payload", java.util.Base64.getEncoder()
              .encodeToString(("ws-" + i).getBytes())).put("context", "c" + i).encode();
          sent.incrementAndGet();
          last = last.thenCompose(ws -> ws.sendText(frame, true));
          last.get(30, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        errors.computeIfAbsent("client: " + e, k -> new AtomicInteger()).incrementAndGet();
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      sender.join(30_000);
      socket.abort();
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject ack = new JsonObject(partial.toString());
        partial.setLength(0);
        if ("ok".equals(ack.getString("result"))) {
          acked.add(ack.getString("messageId"));
        } else {
          errors.computeIfAbsent(ack.getString("result"), k -> new AtomicInteger()).incrementAndGet();
        }
        window.release();
      }
      ws.request(1);
      return null;
    }
  }

  private static final int WORKERS = 6;
  private static final int PER_REQUEST = 10;

  @Test
  void losesNoAcknowledgedMessageWhenTheBrokerIsKilled(@TempDir Path dir) throws Exception {
    try (StandalonePulsar broker = StandalonePulsar.startNew(dir.resolve("pulsar"));
        ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(),
            cfg("pulsar", "operationTimeout", "5s", "connectionTimeout", "1s")
                .mergeIn(cfg("producer", "sendTimeout", "20s")))) {
      String topic = broker.uniqueTopic("crash");
      String url = proxy.url(producePath(topic));
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      Map<Integer, AtomicInteger> failures = new ConcurrentHashMap<>();
      AtomicInteger sent = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        int worker = w;
        workers.add(pool.submit(() -> {
          for (int seq = 0; running.get() && seq < 100_000; seq++) {
            JsonArray messages = new JsonArray();
            for (int i = 0; i < PER_REQUEST; i++) {
              messages.add(new JsonObject().put("text", "w" + worker + "-" + seq + "-" + i));
            }
            sent.addAndGet(PER_REQUEST);
            HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("messages", messages).encode()))
                .build());
            JsonArray results = new JsonObject(r.body()).getJsonArray("results");
            if (r.statusCode() == 200) {
              results.forEach(o -> acknowledged.add(((JsonObject) o).getString("messageId")));
            } else {
              assertThat(r.statusCode()).as(r.body()).isIn(503, 504);
              failures.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
              if (results != null) {
                results.stream().map(o -> (JsonObject) o).filter(o -> o.getBoolean("ok"))
                    .forEach(o -> acknowledged.add(o.getString("messageId")));
              }
            }
          }
          return null;
        }));
      }
      WsProducer ws = new WsProducer(proxy, topic);
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 500 && ws.acked.size() >= 100);
      broker.kill();
      int ackedBeforeKill = acknowledged.size();
      await().atMost(Duration.ofSeconds(30)).until(() ->
          proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 503);
      broker.start();
      long brokerBack = System.nanoTime();
      await().atMost(Duration.ofSeconds(60)).until(() ->
          proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 200);
      long readyAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - brokerBack);
      int ackedAtRecovery = acknowledged.size();
      int wsAtRecovery = ws.acked.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= ackedAtRecovery + 500);
      await().atMost(Duration.ofSeconds(60)).until(() -> ws.acked.size() >= wsAtRecovery + 100);
      running.set(false);
      ws.stop();
      for (Future<?> worker : workers) {
        worker.get(90, TimeUnit.SECONDS);
      }
      pool.shutdown();

      Set<String> inTopic = ProxyFixture.idsInTopic(broker, topic);
      System.out.printf("broker crash: sent=%d acknowledged=%d (before kill %d) found=%d failures=%s "
              + "proxy ready %d ms after the broker; websocket sent=%d ok=%d errors=%s%n",
          sent.get(), acknowledged.size(), ackedBeforeKill, inTopic.size(), failures, readyAfterMs,
          ws.sent.get(), ws.acked.size(), ws.errors);
      assertThat(inTopic).containsAll(acknowledged);
      assertThat(inTopic).containsAll(ws.acked);
      assertThat(acknowledged.size()).isGreaterThan(ackedAtRecovery);
    }
  }
}
