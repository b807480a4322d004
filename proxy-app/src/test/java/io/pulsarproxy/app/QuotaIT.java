package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quotas per principal against a real broker, with JWT authentication: an HTTP producer over its rate gets 429 with
 * {@code Retry-After} and nothing of the refused request is stored; a WebSocket producer far over its rate is slowed
 * down, never refused (every frame {@code ok}, every message stored); sockets, streams and consumer instances over
 * their count get 429, and once one is closed a new one is accepted. Each test acts as its own principal.
 */
@ExtendWith(PulsarExtension.class)
class QuotaIT {
  private static final byte[] SECRET = "a-32-byte-secret-for-the-test-ok".getBytes(StandardCharsets.US_ASCII);
  private static final int WS_RATE = 50;
  private static ProxyFixture proxy;
  private static PulsarBroker broker;
  private static String prefix;
  private static String secretUri;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    Path secret = Files.write(dir.resolve("secret.key"), SECRET);
    prefix = "quota-" + Long.toHexString(System.nanoTime());
    secretUri = secret.toUri().toString();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), config(new JsonObject().put("enabled", true)
            .put("produceMessagesPerSecond", 2)
            .put("maxWebSockets", 2)
            .put("maxSseStreams", 1)
            .put("maxConsumerInstances", 1)
            .put("overrides", new JsonArray()
                .add(new JsonObject().put("role", "ws-producer").put("produceMessagesPerSecond", WS_RATE)))));
  }

  /** JWT authentication, every principal allowed on this test's topics, and {@code quotas}. */
  private static JsonObject config(JsonObject quotas) {
    return new JsonObject()
        .put("auth", new JsonObject().put("providers", new JsonArray().add("jwt"))
            .put("jwt", new JsonObject().put("secretKey", secretUri)))
        .put("authorization", new JsonObject().put("rules", new JsonArray()
            .add(new JsonObject().put("role", "*").put("actions", new JsonArray().add("produce").add("consume")
                .add("read")).put("topics", new JsonArray().add("persistent://public/default/" + prefix + "-*")))))
        .put("quotas", quotas);
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static String token(String subject) {
    return JWT.create().withSubject(subject).withExpiresAt(Instant.now().plusSeconds(600))
        .sign(Algorithm.HMAC256(SECRET));
  }

  private static String topic(String kind) {
    return "persistent://public/default/" + prefix + "-" + kind + "-" + Long.toHexString(System.nanoTime());
  }

  private static HttpResponse<String> http(String method, String path, String body, String subject) {
    return http(proxy, method, path, body, subject);
  }

  private static HttpResponse<String> http(ProxyFixture proxy, String method, String path, String body,
      String subject) {
    return proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path))).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token(subject)).build());
  }

  private static String messages(String text, int count) {
    JsonArray messages = new JsonArray();
    for (int i = 0; i < count; i++) {
      messages.add(new JsonObject().put("text", text + "-" + i));
    }
    return new JsonObject().put("messages", messages).encode();
  }

  @Test
  void httpProduceOverTheRateIs429WithRetryAfterAndNothingOfItIsStored() throws Exception {
    String topic = topic("http");
    // Twenty at 2 per second: a full bucket lets one large request pass, and the next ones wait ten seconds for it.
    HttpResponse<String> first = http("POST", producePath(topic), messages("accepted", 20), "http-producer");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

    HttpResponse<String> refused = http("POST", producePath(topic), messages("refused", 3), "http-producer");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).get()
        .satisfies(seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 10));
    assertThat(json(refused).getString("error")).isEqualTo("TOO_MANY_REQUESTS");
    assertThat(json(refused).getString("message")).contains("quotas.produceMessagesPerSecond");

    // Another principal has its own bucket.
    HttpResponse<String> other = http("POST", producePath(topic), messages("other", 2), "someone-else");
    assertThat(other.statusCode()).as(other.body()).isEqualTo(200);

    List<String> stored = texts(topic);
    assertThat(stored).hasSize(22).noneMatch(text -> text.startsWith("refused"));
    assertThat(proxy.get(proxy.managementUrl("/metrics")).body())
        .containsPattern("pulsar_proxy_quota_throttled_total\\{quota=\"produce_rate\"\\} [1-9]");
  }

  @Test
  void aWebSocketProducerOverItsRateIsSlowedDownAndEveryFrameIsAcknowledged() throws Exception {
    String topic = topic("ws");
    int frames = 4 * WS_RATE;
    double throttledBefore = throttled("produce_rate");
    WebSocketAppIT.Listener acks = new WebSocketAppIT.Listener();
    WebSocket producer = proxy.http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + proxy.app.httpPort() + "/ws/v2/producer/"
            + topic.replace("://", "/") + "?token=" + token("ws-producer")), acks)
        .get(30, TimeUnit.SECONDS);
    long start = System.nanoTime();
    CompletableFuture<WebSocket> sent = CompletableFuture.completedFuture(producer);
    for (int i = 0; i < frames; i++) {
      String frame = new JsonObject().put("context", "c" + i).put("payload",
          Base64.getEncoder().encodeToString(("frame-" + i).getBytes(StandardCharsets.UTF_8))).encode();
      sent = sent.thenCompose(ws -> ws.sendText(frame, true));
    }
    sent.get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> acks.messages.size() >= frames);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertThat(acks.messages).hasSize(frames).allSatisfy(ack -> assertThat(ack.getString("result")).isEqualTo("ok"));
    Set<String> contexts = new HashSet<>();
    acks.messages.forEach(ack -> contexts.add(ack.getString("context")));
    assertThat(contexts).hasSize(frames);
    // A bucket of one second's worth, then WS_RATE per second: the last frame cannot be read before
    // (frames - WS_RATE - 1) / WS_RATE seconds, however fast the machine.
    assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(1000L * (frames - WS_RATE - 1) / WS_RATE));
    producer.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

    List<String> stored = texts(topic);
    assertThat(stored).hasSize(frames);
    assertThat(new HashSet<>(stored)).hasSize(frames).contains("frame-0", "frame-" + (frames - 1));
    // Frames read while the bucket was in debt are counted (how many depends on how fast the first ones came).
    assertThat(throttled("produce_rate")).isGreaterThan(throttledBefore);
  }

  /** The value of {@code pulsar_proxy_quota_throttled_total{quota=…}} on /metrics; 0 before the first. */
  private static double throttled(String quota) {
    Matcher m = Pattern.compile("pulsar_proxy_quota_throttled_total\\{quota=\"" + quota + "\"\\} (\\S+)")
        .matcher(proxy.get(proxy.managementUrl("/metrics")).body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void aWebSocketOverTheCountIs429AtTheHandshakeAndOneMoreIsAcceptedAfterAClose() throws Exception {
    String topic = topic("sockets");
    // Handshakes that fail at the broker give their place back: another principal holds subscription "taken"
    // (Exclusive), so these are refused with 409 and count for nothing.
    Object holder = handshake("/ws/v2/consumer/" + topic.replace("://", "/") + "/taken?token=" + token("holder"));
    assertThat(holder).isInstanceOf(WebSocket.class);
    for (int i = 0; i < 3; i++) {
      assertThat(consumerSocket(topic, "taken")).isEqualTo(409);
    }
    ((WebSocket) holder).sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    WebSocket first = (WebSocket) consumerSocket(topic, "s1");
    WebSocket second = (WebSocket) consumerSocket(topic, "s2");
    assertThat(consumerSocket(topic, "s3")).isEqualTo(429);
    // Sockets of another principal are not counted with these.
    Object other = handshake("/ws/v2/consumer/" + topic.replace("://", "/") + "/other?token=" + token("someone-else"));
    assertThat(other).isInstanceOf(WebSocket.class);
    ((WebSocket) other).sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

    first.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    Object third = await().atMost(Duration.ofSeconds(30)).until(() -> consumerSocket(topic, "s3"),
        socket -> socket instanceof WebSocket);
    assertThat(consumerSocket(topic, "s4")).isEqualTo(429);
    ((WebSocket) third).sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    second.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }

  @Test
  void anSseStreamOverTheCountIs429AndOneMoreIsAcceptedAfterAClose() throws Exception {
    String path = "/api/v1/topics/" + topic("sse").replace("://", "/") + "/subscriptions/sse/events";
    Map<String, String> auth = Map.of("Authorization", "Bearer " + token("sse-client"));
    SseReader first = SseReader.open(proxy, path, auth);
    HttpResponse<InputStream> refused = SseReader.request(proxy, path, auth);
    String body = SseReader.body(refused);
    assertThat(refused.statusCode()).as(body).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(new JsonObject(body).getString("message")).contains("quotas.maxSseStreams");

    first.close();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      HttpResponse<InputStream> again = SseReader.request(proxy, path, auth);
      if (again.statusCode() == 200) {
        again.body().close();
        return true;
      }
      SseReader.body(again);
      return false;
    });
  }

  @Test
  void aConsumerInstanceOverTheCountIs429AndOneMoreIsAcceptedAfterADelete() {
    String topic = topic("instances");
    // An instance that Pulsar refuses (another principal holds the Exclusive subscription) gives its place back.
    String taken = new JsonObject().put("topic", topic).put("subscription", "taken").encode();
    HttpResponse<String> holder = http("POST", "/api/v1/consumers", taken, "holder");
    assertThat(holder.statusCode()).as(holder.body()).isEqualTo(201);
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> busy = http("POST", "/api/v1/consumers", taken, "instance-client");
      assertThat(busy.statusCode()).as(busy.body()).isEqualTo(409);
    }
    http("DELETE", "/api/v1/consumers/" + json(holder).getString("id"), null, "holder");

    String create = new JsonObject().put("topic", topic).put("subscription", "s").encode();
    HttpResponse<String> created = http("POST", "/api/v1/consumers", create, "instance-client");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    HttpResponse<String> refused = http("POST", "/api/v1/consumers", create, "instance-client");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(json(refused).getString("message")).contains("quotas.maxConsumerInstances");
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");

    String id = json(created).getString("id");
    assertThat(http("DELETE", "/api/v1/consumers/" + id, null, "instance-client").statusCode()).isEqualTo(204);
    HttpResponse<String> again = http("POST", "/api/v1/consumers", create, "instance-client");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    http("DELETE", "/api/v1/consumers/" + json(again).getString("id"), null, "instance-client");
    assertThat(proxy.get(proxy.managementUrl("/metrics")).body())
        .containsPattern("pulsar_proxy_quota_throttled_total\\{quota=\"consumer_instances\"\\} [1-9]");
  }

  @Test
  void newLimitsApplyWithoutARestart(@TempDir Path dir) throws Exception {
    // Shared: the instances of one subscription may be open together.
    String create = new JsonObject().put("topic", topic("reload")).put("subscription", "s")
        .put("subscriptionType", "Shared").encode();
    try (ProxyFixture reloading = ProxyFixture.start(dir, broker.serviceUrl(),
        config(new JsonObject().put("enabled", true).put("maxConsumerInstances", 1)))) {
      assertThat(http(reloading, "POST", "/api/v1/consumers", create, "reload-client").statusCode()).isEqualTo(201);
      assertThat(http(reloading, "POST", "/api/v1/consumers", create, "reload-client").statusCode()).isEqualTo(429);

      reloading.rewriteConfig(broker.serviceUrl(),
          config(new JsonObject().put("enabled", true).put("maxConsumerInstances", 2)));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> http(reloading, "POST", "/api/v1/consumers", create, "reload-client").statusCode() == 201);
      // Two are open now, the new limit.
      assertThat(http(reloading, "POST", "/api/v1/consumers", create, "reload-client").statusCode()).isEqualTo(429);

      reloading.rewriteConfig(broker.serviceUrl(), config(new JsonObject().put("enabled", false)));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> http(reloading, "POST", "/api/v1/consumers", create, "reload-client").statusCode() == 201);
    }
  }

  /** A consumer socket of principal {@code socket-client}: the open socket, or the handshake's status. */
  private static Object consumerSocket(String topic, String subscription) throws Exception {
    return handshake("/ws/v2/consumer/" + topic.replace("://", "/") + "/" + subscription + "?token="
        + token("socket-client"));
  }

  private static Object handshake(String path) throws Exception {
    try {
      return proxy.http.newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + proxy.app.httpPort() + path), new WebSocketAppIT.Listener())
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  private static List<String> texts(String topic) throws Exception {
    return ProxyFixture.textsInTopic(broker, topic);
  }
}
