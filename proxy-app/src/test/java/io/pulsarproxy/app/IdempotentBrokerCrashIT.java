package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is killed with SIGKILL during sustained HTTP produce and restarted, while every client retries each
 * request that did not get 200 (an error, or no answer within its own 8 s timeout) with the same
 * {@code Idempotency-Key} until it does. The topic is read back from Pulsar and every message counted.
 */
class IdempotentBrokerCrashIT {
  private static final int WORKERS = 6;
  private static final int PER_REQUEST = 10;
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(8);

  /** What the clients saw and what the topic holds. */
  private record Outcome(Map<String, Integer> stored, Set<String> acknowledged, Set<String> idsInTopic,
      Map<String, Integer> attemptsPerRequest, Map<String, AtomicInteger> answers, int replayedAfterAnError) {

    List<String> storedTwice() {
      return stored.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }

    /** The request (its key) a message text belongs to: {@code w1-7-3} is message 3 of request {@code w1-7}. */
    static String request(String text) {
      return text.substring(0, text.lastIndexOf('-'));
    }
  }

  /**
   * With the namespace's deduplication on and producers kept through the outage (a long {@code producer.outageWait},
   * no send timeout), every message is stored exactly once: the Pulsar client resends what was pending when it
   * reconnects and the broker drops what it had already stored; a retry waits for the first request's sends.
   */
  @Test
  void withBrokerDeduplicationEveryMessageIsStoredExactlyOnce(@TempDir Path dir) throws Exception {
    Outcome o = crash(dir, true, cfg("pulsar", "operationTimeout", "5s", "connectionTimeout", "1s")
        .mergeIn(cfg("producer", "sendTimeout", "0", "outageWait", "5m")));

    assertThat(o.storedTwice()).as("stored more than once").isEmpty();
    assertEveryRequestStoredAtLeastOnce(o);
    assertThat(o.idsInTopic()).containsAll(o.acknowledged());
    assertThat(o.attemptsPerRequest().values()).as("some requests were retried").anyMatch(n -> n > 1);
  }

  /**
   * Without broker deduplication and with the default outage handling, nothing acknowledged is lost and every
   * request ends stored; a message the broker stored without acknowledging it before it died can be stored twice
   * (printed, with how many attempts its request took).
   */
  @Test
  void withoutBrokerDeduplicationEveryMessageIsStoredAtLeastOnce(@TempDir Path dir) throws Exception {
    Outcome o = crash(dir, false, cfg("pulsar", "operationTimeout", "5s", "connectionTimeout", "1s")
        .mergeIn(cfg("producer", "sendTimeout", "20s")));

    assertEveryRequestStoredAtLeastOnce(o);
    assertThat(o.idsInTopic()).containsAll(o.acknowledged());
  }

  private static void assertEveryRequestStoredAtLeastOnce(Outcome o) {
    Set<String> requestsStored = o.stored().keySet().stream().map(Outcome::request).collect(Collectors.toSet());
    assertThat(requestsStored).containsExactlyInAnyOrderElementsOf(o.attemptsPerRequest().keySet());
    assertThat(o.stored()).hasSize(o.attemptsPerRequest().size() * PER_REQUEST);
  }

  private static Outcome crash(Path dir, boolean deduplication, JsonObject config) throws Exception {
    try (StandalonePulsar broker = StandalonePulsar.startNew(dir.resolve("pulsar"))) {
      if (deduplication) {
        broker.admin().namespaces().setDeduplicationStatus("public/default", true);
      }
      try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), config)) {
        return crash(broker, proxy, deduplication);
      }
    }
  }

  private static Outcome crash(StandalonePulsar broker, ProxyFixture proxy, boolean deduplication)
      throws Exception {
    String topic = broker.uniqueTopic(deduplication ? "crash-dedup" : "crash-nodedup");
    String url = proxy.url(producePath(topic));
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    AtomicInteger replayedAfterAnError = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      int worker = w;
      workers.add(pool.submit(() -> {
        for (int seq = 0; running.get(); seq++) {
          String key = "w" + worker + "-" + seq;
          JsonArray messages = new JsonArray();
          for (int i = 0; i < PER_REQUEST; i++) {
            messages.add(new JsonObject().put("text", key + "-" + i));
          }
          HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(CLIENT_TIMEOUT)
              .header("Content-Type", "application/json").header("Idempotency-Key", key)
              .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("messages", messages).encode())).build();
          // Retried until 200, however long the broker takes: a request given up could be stored or not.
          for (int attempt = 1; ; attempt++) {
            attempts.put(key, attempt);
            HttpResponse<String> r;
            try {
              r = proxy.http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException noAnswer) {
              answers.computeIfAbsent("client timeout", s -> new AtomicInteger()).incrementAndGet();
              continue;
            }
            answers.computeIfAbsent(String.valueOf(r.statusCode()), s -> new AtomicInteger()).incrementAndGet();
            if (r.statusCode() == 200) {
              for (Object o : new JsonObject(r.body()).getJsonArray("results")) {
                JsonObject result = (JsonObject) o;
                if (result.getBoolean("duplicate", false)) {
                  // stored before, under an id the broker does not give back: the counts below check it
                  assertThat(result.getString("messageId")).isNull();
                  answers.computeIfAbsent("duplicate", s -> new AtomicInteger()).incrementAndGet();
                } else {
                  acknowledged.add(result.getString("messageId"));
                }
              }
              if (attempt > 1 && r.headers().firstValue("Idempotent-Replayed").isPresent()) {
                replayedAfterAnError.incrementAndGet();
              }
              break;
            }
            assertThat(r.statusCode()).as(r.body()).isIn(503, 504);
          }
        }
        return null;
      }));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 500);
    broker.kill();
    int ackedBeforeKill = acknowledged.size();
    await().atMost(Duration.ofSeconds(30)).until(() ->
        proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 503);
    broker.start();
    await().atMost(Duration.ofSeconds(120)).until(() ->
        proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 200);
    int ackedAtRecovery = acknowledged.size();
    await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= ackedAtRecovery + 500);
    running.set(false);
    for (Future<?> worker : workers) {
      worker.get(180, TimeUnit.SECONDS);
    }
    pool.shutdown();

    Map<String, Integer> stored = new TreeMap<>(ProxyFixture.textsInTopic(broker, topic).stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.summingInt(t -> 1))));
    Outcome o = new Outcome(stored, acknowledged, ProxyFixture.idsInTopic(broker, topic), attempts, answers,
        replayedAfterAnError.get());
    List<String> twice = o.storedTwice();
    System.out.printf("idempotent broker crash (broker deduplication %s): requests=%d messages=%d stored=%d "
            + "(distinct %d, stored twice %d: %s; attempts of their requests: %s) acknowledged before kill %d; "
            + "requests retried %d; 200 replaying an earlier attempt after an error %d; answers %s%n",
        deduplication ? "on" : "off", attempts.size(), attempts.size() * PER_REQUEST,
        stored.values().stream().mapToInt(Integer::intValue).sum(), stored.size(), twice.size(), twice,
        twice.stream().map(Outcome::request).distinct().collect(Collectors.toMap(k -> k, attempts::get)),
        ackedBeforeKill, attempts.values().stream().filter(n -> n > 1).count(), o.replayedAfterAnError(), answers);
    return o;
  }
}
