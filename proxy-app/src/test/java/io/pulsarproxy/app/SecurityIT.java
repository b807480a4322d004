package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and authorisation as clients meet them, on every route (HTTP produce, consumer instances, SSE,
 * reads, WebSocket producer, consumer and reader), against a real broker: no credentials and every kind of bad token
 * are 401, a valid token without permission is 403, a valid and permitted one works, and nothing reaches Pulsar for a
 * refused request.
 */
@ExtendWith(PulsarExtension.class)
class SecurityIT {
  private static final byte[] SECRET = "a-32-byte-secret-for-the-test-ok".getBytes(StandardCharsets.US_ASCII);
  private static final String AUDIENCE = "pulsar-proxy";
  private static ProxyFixture proxy;
  private static PulsarBroker broker;
  private static KeyPair rsa;
  private static String prefix;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsa = generator.generateKeyPair();
    Path secret = Files.write(dir.resolve("secret.key"), SECRET);
    Path publicKey = Files.write(dir.resolve("public.key"), rsa.getPublic().getEncoded());
    prefix = "sec-" + Long.toHexString(System.nanoTime());
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), new JsonObject()
        .put("auth", new JsonObject().put("providers", new JsonArray().add("jwt"))
            .put("jwt", new JsonObject().put("secretKey", secret.toUri().toString())
                .put("publicKey", "file://" + publicKey).put("audience", AUDIENCE).put("clockSkew", "0s")))
        .put("authorization", new JsonObject().put("mode", "proxy").put("rules", new JsonArray()
            .add(new JsonObject().put("role", "alice").put("actions", new JsonArray().add("produce").add("consume")
                .add("read")).put("topics", new JsonArray().add("persistent://public/default/" + prefix + "-alice-*")))
            .add(new JsonObject().put("role", "*").put("actions", new JsonArray().add("consume"))
                .put("topics", new JsonArray().add("persistent://public/default/" + prefix + "-shared-*"))))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static JWTCreator.Builder claims(String subject) {
    return JWT.create().withSubject(subject).withAudience(AUDIENCE).withExpiresAt(Instant.now().plusSeconds(600));
  }

  private static String token(String subject) {
    return claims(subject).sign(Algorithm.HMAC256(SECRET));
  }

  /** Every way a token must be refused, by name. */
  private static Map<String, String> badTokens() {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("expired", JWT.create().withSubject("alice").withAudience(AUDIENCE)
        .withExpiresAt(Instant.now().minusSeconds(60)).sign(Algorithm.HMAC256(SECRET)));
    bad.put("not yet valid", claims("alice").withNotBefore(Instant.now().plusSeconds(600))
        .sign(Algorithm.HMAC256(SECRET)));
    bad.put("wrong signature", claims("alice").sign(Algorithm.HMAC256("another-32-byte-secret-for-tests".getBytes())));
    bad.put("wrong audience", JWT.create().withSubject("alice").withAudience("someone-else")
        .sign(Algorithm.HMAC256(SECRET)));
    bad.put("alg none", claims("alice").sign(Algorithm.none()));
    bad.put("HMAC signed with the public key", claims("alice").sign(Algorithm.HMAC256(rsa.getPublic().getEncoded())));
    return bad;
  }

  private static String topic(String kind) {
    return "persistent://public/default/" + prefix + "-" + kind + "-" + Long.toHexString(System.nanoTime());
  }

  /** The routes, each as a request of the given token (null: none) answering a status. */
  private interface Route {
    int status(String token) throws Exception;
  }

  private static Map<String, Route> routes(String topic) {
    String path = topic.replace("://", "/");
    Map<String, Route> routes = new LinkedHashMap<>();
    routes.put("HTTP produce", t -> http("POST", producePath(topic), "{\"messages\":[{\"text\":\"x\"}]}", t)
        .statusCode());
    routes.put("consumer instance", t -> http("POST", "/api/v1/consumers",
        new JsonObject().put("topic", topic).put("subscription", "s").encode(), t).statusCode());
    routes.put("SSE", t -> http("GET", "/api/v1/topics/" + path + "/subscriptions/sse/events?ack=client", null, t)
        .statusCode());
    routes.put("read", t -> http("GET", "/api/v1/topics/" + path + "/messages?waitMs=0", null, t).statusCode());
    routes.put("WebSocket producer", t -> handshake("/ws/v2/producer/" + path, t));
    routes.put("WebSocket consumer", t -> handshake("/ws/v2/consumer/" + path + "/ws-sub", t));
    routes.put("WebSocket reader", t -> handshake("/ws/v2/reader/" + path, t));
    return routes;
  }

  private static HttpResponse<String> http(String method, String path, String body, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url(path))).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpRequest request = b.build();
    if (path.endsWith("/events") || path.contains("/events?")) {
      // a stream that was accepted stays open: read only its status
      try {
        HttpResponse<java.io.InputStream> streamed = proxy.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        streamed.body().close();
        return new StatusOnly(streamed.statusCode(), request);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return proxy.send(request);
  }

  /** Status of a WebSocket handshake with {@code ?token=} (as browsers send it); 101 when it was accepted. */
  private static int handshake(String path, String token) throws Exception {
    String url = "ws://127.0.0.1:" + proxy.app.httpPort() + path + (token == null ? "" : "?token=" + token);
    try {
      WebSocket ws = proxy.http.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocketAppIT.Listener())
          .get(30, TimeUnit.SECONDS);
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
      return 101;
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  @Test
  void withoutCredentialsEveryRouteIs401() throws Exception {
    String topic = topic("alice");
    for (var route : routes(topic).entrySet()) {
      assertThat(route.getValue().status(null)).as(route.getKey()).isEqualTo(401);
    }
    HttpResponse<String> response = http("POST", producePath(topic), "{\"messages\":[{\"text\":\"x\"}]}", null);
    assertThat(response.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
    assertThat(json(response).getString("error")).isEqualTo("UNAUTHENTICATED");
    assertThat(broker.admin().topics().getList("public/default")).doesNotContain(topic);
  }

  @Test
  void everyBadTokenIs401OnEveryRoute() throws Exception {
    String topic = topic("alice");
    for (var bad : badTokens().entrySet()) {
      for (var route : routes(topic).entrySet()) {
        assertThat(route.getValue().status(bad.getValue())).as("%s token on %s", bad.getKey(), route.getKey())
            .isEqualTo(401);
      }
    }
    HttpResponse<String> response = http("POST", producePath(topic), "{\"messages\":[{\"text\":\"x\"}]}",
        badTokens().get("wrong signature"));
    assertThat(response.headers().firstValue("WWW-Authenticate")).get().asString()
        .contains("error=\"invalid_token\"");
    assertThat(broker.admin().topics().getList("public/default")).doesNotContain(topic);
  }

  @Test
  void aValidTokenWithoutPermissionIs403OnEveryRoute() throws Exception {
    String topic = topic("alice");
    for (var route : routes(topic).entrySet()) {
      assertThat(route.getValue().status(token("bob"))).as(route.getKey()).isEqualTo(403);
    }
    HttpResponse<String> response = http("POST", producePath(topic), "{\"messages\":[{\"text\":\"x\"}]}",
        token("bob"));
    assertThat(json(response).getString("error")).isEqualTo("FORBIDDEN");
    assertThat(json(response).getString("message")).isEqualTo("bob may not produce " + topic
        + " (authorization.rules)");
    assertThat(broker.admin().topics().getList("public/default")).doesNotContain(topic);
  }

  @Test
  void aValidPermittedTokenWorksEverywhereAndTheMessagesArrive() throws Exception {
    String topic = topic("alice");
    String alice = token("alice");
    for (var route : routes(topic).entrySet()) {
      int status = route.getValue().status(alice);
      assertThat(status).as(route.getKey()).isIn(200, 201, 101);
    }
    // an RS256 token of the configured public key works as well
    String rs256 = claims("alice").sign(Algorithm.RSA256(null, (RSAPrivateKey) rsa.getPrivate()));
    HttpResponse<String> produced = http("POST", producePath(topic),
        "{\"messages\":[{\"text\":\"from alice\"},{\"text\":\"second\"}]}", rs256);
    assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json(produced).getJsonArray("results").forEach(r -> ids.add(((JsonObject) r).getString("messageId")));
    // the first produce route and this one stored exactly three messages; read back with the Java client
    assertThat(texts(topic)).containsExactly("x", "from alice", "second");
    assertThat(ProxyFixture.idsInTopic(broker, topic)).containsAll(ids);

    HttpResponse<String> read = http("GET", "/api/v1/topics/" + topic.replace("://", "/")
        + "/messages?from=earliest&max=10&waitMs=5000", null, alice);
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(read.body()).contains(Base64.getEncoder().encodeToString("from alice".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aConsumerInstanceBelongsToItsPrincipal() throws Exception {
    String topic = topic("shared");
    HttpResponse<String> created = http("POST", "/api/v1/consumers",
        new JsonObject().put("topic", topic).put("subscription", "owned").encode(), token("alice"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = json(created).getString("id");
    String poll = "/api/v1/consumers/" + id + "/messages?waitMs=0";
    assertThat(http("GET", poll, null, token("alice")).statusCode()).isEqualTo(200);
    HttpResponse<String> other = http("GET", poll, null, token("carol"));
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(json(other).getString("message")).startsWith("no consumer instance " + id);
    assertThat(http("DELETE", "/api/v1/consumers/" + id, null, token("carol")).statusCode()).isEqualTo(404);
    assertThat(http("DELETE", "/api/v1/consumers/" + id, null, token("alice")).statusCode()).isEqualTo(204);
  }

  @Test
  void aWebSocketIsClosedWith1008WhenItsTokenExpires() throws Exception {
    String topic = topic("alice");
    String shortLived = JWT.create().withSubject("alice").withAudience(AUDIENCE)
        .withExpiresAt(Instant.now().plusSeconds(3)).sign(Algorithm.HMAC256(SECRET));
    WebSocketAppIT.Listener listener = new WebSocketAppIT.Listener();
    proxy.http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + proxy.app.httpPort()
        + "/ws/v2/consumer/" + topic.replace("://", "/") + "/expiring?token=" + shortLived), listener)
        .get(30, TimeUnit.SECONDS);
    assertThat(listener.closed.get(30, TimeUnit.SECONDS)).isEqualTo(1008);
  }

  @Test
  void anSseStreamEndsWithUnauthenticatedWhenItsTokenExpires() throws Exception {
    String topic = topic("alice");
    HttpResponse<String> produced = http("POST", producePath(topic),
        "{\"messages\":[{\"text\":\"before expiry 1\"},{\"text\":\"before expiry 2\"}]}", token("alice"));
    assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json(produced).getJsonArray("results").forEach(r -> ids.add(((JsonObject) r).getString("messageId")));
    Instant expires = Instant.now().plusSeconds(10);
    String shortLived = JWT.create().withSubject("alice").withAudience(AUDIENCE).withExpiresAt(expires)
        .sign(Algorithm.HMAC256(SECRET));

    try (SseReader sse = SseReader.open(proxy, "/api/v1/topics/" + topic.replace("://", "/")
        + "/subscriptions/expiring/events?initialPosition=Earliest&format=text&token=" + shortLived, Map.of())) {
      List<String> texts = new ArrayList<>();
      List<String> messageIds = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        SseReader.Event event = sse.next(Duration.ofSeconds(30));
        assertThat(event.type()).isNull();
        texts.add(new JsonObject(event.data()).getString("text"));
        messageIds.add(new JsonObject(event.data()).getString("messageId"));
      }
      assertThat(texts).containsExactly("before expiry 1", "before expiry 2");
      assertThat(messageIds).containsExactlyElementsOf(ids);

      SseReader.Event end = sse.next(Duration.ofSeconds(40));
      // exp is whole seconds: the stream may end at most within the second it names, never before
      assertThat(Instant.now()).isAfterOrEqualTo(expires.minusSeconds(1));
      assertThat(end.type()).isEqualTo("end");
      JsonObject envelope = new JsonObject(end.data());
      assertThat(envelope.getString("error")).isEqualTo("UNAUTHENTICATED");
      assertThat(envelope.getString("message")).contains("token expired");
      assertThat(end.data()).doesNotContain(shortLived);
      assertThat(sse.endsWithin(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(texts(topic)).containsExactly("before expiry 1", "before expiry 2");
  }

  @Test
  void aTokenMadeByPulsarsOwnToolWorks(@TempDir Path dir) throws Exception {
    Path key = Files.write(dir.resolve("tool-secret.key"), SECRET);
    String token = PulsarToolsIT.run(dir, "pulsar", "tokens", "create", "--secret-key", key.toUri().toString(),
        "--subject", "alice").trim();
    String topic = "persistent://public/default/" + prefix + "-alice-tool";
    // Pulsar's tool sets no audience: a proxy that requires none, with the same key file as a broker would use
    try (ProxyFixture plain = ProxyFixture.start(dir, broker.serviceUrl(), new JsonObject()
        .put("auth", new JsonObject().put("providers", new JsonArray().add("jwt"))
            .put("jwt", new JsonObject().put("secretKey", key.toUri().toString())))
        .put("authorization", new JsonObject().put("rules", new JsonArray().add(new JsonObject().put("role", "alice")
            .put("actions", new JsonArray().add("produce")).put("topics", new JsonArray().add(topic))))))) {
      HttpResponse<String> response = plain.send(HttpRequest.newBuilder(URI.create(plain.url(producePath(topic))))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"text\":\"made by pulsar tokens\"}]}"))
          .build());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
    assertThat(texts(topic)).containsExactly("made by pulsar tokens");
  }

  private static List<String> texts(String topic) throws Exception {
    return ProxyFixture.textsInTopic(broker, topic);
  }

  /** A response of which only the status was read (an SSE stream left open otherwise). */
  private record StatusOnly(int statusCode, HttpRequest request) implements HttpResponse<String> {
    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
    }

    @Override
    public String body() {
      return "";
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public java.net.http.HttpClient.Version version() {
      return java.net.http.HttpClient.Version.HTTP_1_1;
    }
  }
}
