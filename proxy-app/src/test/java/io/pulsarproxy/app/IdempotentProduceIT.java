package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code Idempotency-Key} on HTTP produce, against a real broker: what is stored is read back from Pulsar. */
@ExtendWith(PulsarExtension.class)
class IdempotentProduceIT {
  private static final String KEY = "Idempotency-Key";
  private static final String ALICE = "alice-key";
  private static final String BOB = "bob-key";

  private static PulsarBroker broker;
  /** Default window and limits, no authentication. */
  private static ProxyFixture proxy;
  /** 2 keys at most, two API-key principals. */
  private static ProxyFixture bounded;
  /** A 5 s window. */
  private static ProxyFixture windowed;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    for (String sub : List.of("default", "bounded", "windowed")) {
      Files.createDirectories(dir.resolve(sub));
    }
    proxy = ProxyFixture.start(dir.resolve("default"), pulsar.serviceUrl(), new JsonObject());
    bounded = ProxyFixture.start(dir.resolve("bounded"), pulsar.serviceUrl(),
        cfg("produce", "idempotencyMaxKeys", 2)
            .put("auth", new JsonObject().put("providers", new JsonArray().add("apikey"))
                .put("apiKeys", new JsonArray()
                    .add(new JsonObject().put("role", "alice").put("sha256", sha256(ALICE)))
                    .add(new JsonObject().put("role", "bob").put("sha256", sha256(BOB)))))
            .put("authorization", new JsonObject().put("rules", new JsonArray()
                .add(new JsonObject().put("role", "*").put("actions", new JsonArray().add("produce"))
                    .put("topics", new JsonArray().add("persistent://public/default/*"))))));
    windowed = ProxyFixture.start(dir.resolve("windowed"), pulsar.serviceUrl(),
        cfg("produce", "idempotencyWindow", "5s"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (bounded != null) {
      bounded.close();
    }
    if (windowed != null) {
      windowed.close();
    }
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static String messages(String... texts) {
    JsonArray messages = new JsonArray();
    for (String t : texts) {
      messages.add(new JsonObject().put("text", t));
    }
    return new JsonObject().put("messages", messages).encode();
  }

  private static HttpRequest.Builder post(ProxyFixture p, String topic, String contentType, String body) {
    return HttpRequest.newBuilder(URI.create(p.url(producePath(topic)))).timeout(Duration.ofSeconds(60))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpResponse<String> produce(ProxyFixture p, String topic, String key, String body) {
    return p.send(post(p, topic, "application/json", body).header(KEY, key).build());
  }

  private static HttpResponse<String> produceAs(String apiKey, String topic, String key, String body) {
    return bounded.send(post(bounded, topic, "application/json", body).header(KEY, key).header("X-API-Key", apiKey)
        .build());
  }

  private static List<String> ids(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response).getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("messageId")).toList();
  }

  private static boolean replayed(HttpResponse<String> response) {
    return response.headers().firstValue("Idempotent-Replayed").isPresent();
  }

  private static double metric(ProxyFixture p, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)$")
        .matcher(p.get(p.managementUrl("/metrics")).body());
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void aRepeatGetsTheSameIdsAndStoresNothingAgain() throws Exception {
    String topic = broker.uniqueTopic("idem-replay");
    String body = messages("a", "b", "c");
    double replaysBefore = metric(proxy, "pulsar_proxy_idempotency_replays_total");

    HttpResponse<String> first = produce(proxy, topic, "order-1", body);
    HttpResponse<String> second = produce(proxy, topic, "order-1", body);

    assertThat(ids(second)).isEqualTo(ids(first)).hasSize(3);
    assertThat(json(second)).isEqualTo(json(first));
    assertThat(replayed(first)).isFalse();
    assertThat(replayed(second)).isTrue();
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly("a", "b", "c");
    assertThat(metric(proxy, "pulsar_proxy_idempotency_replays_total")).isEqualTo(replaysBefore + 1);
  }

  @Test
  void aRawBodyIsReplayedTooAndItsMetadataHeadersArePartOfTheRequest() throws Exception {
    String topic = broker.uniqueTopic("idem-raw");
    HttpRequest.Builder raw = post(proxy, topic, "text/plain", "raw payload").header(KEY, "raw-1")
        .header("Pulsar-Key", "k1");

    HttpResponse<String> first = proxy.send(raw.build());
    HttpResponse<String> second = proxy.send(raw.build());
    HttpResponse<String> otherKey = proxy.send(post(proxy, topic, "text/plain", "raw payload").header(KEY, "raw-1")
        .header("Pulsar-Key", "k2").build());

    assertThat(ids(second)).isEqualTo(ids(first));
    assertThat(replayed(second)).isTrue();
    assertThat(otherKey.statusCode()).as(otherKey.body()).isEqualTo(422);
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly("raw payload");
  }

  @Test
  void concurrentRepeatsWaitForTheFirstAndAllGetItsAnswer() throws Exception {
    String topic = broker.uniqueTopic("idem-concurrent");
    String[] texts = new String[500];
    for (int i = 0; i < texts.length; i++) {
      texts[i] = "m" + i;
    }
    String body = messages(texts);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return produce(proxy, topic, "batch-1", body);
      }));
    }
    go.countDown();

    List<List<String>> ids = new ArrayList<>();
    int replays = 0;
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      HttpResponse<String> r = answer.get(120, TimeUnit.SECONDS);
      ids.add(ids(r));
      replays += replayed(r) ? 1 : 0;
    }
    assertThat(ids).allSatisfy(list -> assertThat(list).isEqualTo(ids.get(0)).hasSize(500));
    assertThat(replays).isEqualTo(7);
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly(texts);
  }

  @Test
  void theSameKeyWithADifferentBodyIs422AndNothingIsSent() throws Exception {
    String topic = broker.uniqueTopic("idem-conflict");
    double before = metric(proxy, "pulsar_proxy_idempotency_conflicts_total");
    ids(produce(proxy, topic, "order-2", messages("first")));

    HttpResponse<String> other = produce(proxy, topic, "order-2", messages("second"));
    HttpResponse<String> otherTopic = produce(proxy, broker.uniqueTopic("idem-conflict"), "order-2",
        messages("first"));

    assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
    assertThat(json(other).getString("error")).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    assertThat(json(other).getString("message")).contains("order-2");
    assertThat(other.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct)
        .startsWith("application/json"));
    assertThat(otherTopic.statusCode()).as(otherTopic.body()).isEqualTo(422);
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly("first");
    assertThat(metric(proxy, "pulsar_proxy_idempotency_conflicts_total")).isEqualTo(before + 2);
  }

  @Test
  void anInvalidKeyIs400NamingTheHeaderAndNothingIsSent() throws Exception {
    String topic = broker.uniqueTopic("idem-invalid");
    for (String bad : List.of("x".repeat(256), "tab\there", "")) {
      HttpResponse<String> r = produce(proxy, topic, bad, messages("never"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(json(r).getString("error")).isEqualTo("BAD_REQUEST");
      assertThat(json(r).getString("message")).startsWith("Idempotency-Key: ");
    }
    ids(produce(proxy, topic, "x".repeat(255), messages("longest key")));
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly("longest key");
  }

  @Test
  void keysAreScopedToThePrincipal() throws Exception {
    String topic = broker.uniqueTopic("idem-scope");

    List<String> alice = ids(produceAs(ALICE, topic, "shared-key", messages("from alice")));
    HttpResponse<String> bob = produceAs(BOB, topic, "shared-key", messages("from bob"));

    assertThat(ids(bob)).doesNotContainAnyElementsOf(alice);
    assertThat(replayed(bob)).isFalse();
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly("from alice", "from bob");
  }

  @Test
  void aKeyIsForgottenOnceItsWindowIsOver() throws Exception {
    String topic = broker.uniqueTopic("idem-window");
    String body = messages("once");
    List<String> first = ids(produce(windowed, topic, "w-1", body));
    assertThat(metric(windowed, "pulsar_proxy_idempotency_keys")).isEqualTo(1);

    await().atMost(Duration.ofSeconds(60)).until(() -> metric(windowed, "pulsar_proxy_idempotency_keys") == 0);
    HttpResponse<String> afterWindow = produce(windowed, topic, "w-1", body);

    assertThat(ids(afterWindow)).doesNotContainAnyElementsOf(first);
    assertThat(replayed(afterWindow)).isFalse();
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly("once", "once");
  }

  @Test
  void atTheKeyLimitTheOldestCompletedKeyGoes() throws Exception {
    String topic = broker.uniqueTopic("idem-bounds");
    double evictions = metric(bounded, "pulsar_proxy_idempotency_evictions_total");
    for (String key : List.of("a", "b", "c")) {
      ids(produceAs(ALICE, topic, key, messages(key)));
    }

    HttpResponse<String> newest = produceAs(ALICE, topic, "c", messages("c"));
    HttpResponse<String> oldest = produceAs(ALICE, topic, "a", messages("a"));

    assertThat(replayed(newest)).isTrue();
    assertThat(replayed(oldest)).as("evicted: sent again").isFalse();
    assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly("a", "b", "c", "a");
    assertThat(metric(bounded, "pulsar_proxy_idempotency_evictions_total")).isGreaterThanOrEqualTo(evictions + 2);
    assertThat(metric(bounded, "pulsar_proxy_idempotency_keys")).isEqualTo(2);
  }
}
