package io.pulsarproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.pulsarproxy.edge.auth.Access;
import io.pulsarproxy.edge.auth.Action;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edge's authentication, authorisation and origin checks in front of routes that stand for the real ones (no
 * broker needed): what a client without, with bad and with good credentials gets, on REST, SSE and WebSocket paths.
 */
class EdgeSecurityTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static TestEdge test;
  private static Vertx vertx;
  private static EdgeVerticle edge;
  private static WebClient client;
  /** Held for the whole class: Vert.x closes a client nothing refers to, with its connections. */
  private static WebSocketClient wsClient;

  @BeforeAll
  static void start() throws Exception {
    JsonObject config = new JsonObject()
        .put("auth", new JsonObject().put("providers", new JsonArray().add("jwt"))
            .put("jwt", new JsonObject().put("secretKey", "data:;base64," + Base64.getEncoder().encodeToString(SECRET))))
        .put("authorization", new JsonObject().put("rules", new JsonArray().add(new JsonObject().put("role", "alice")
            .put("actions", new JsonArray().add("produce")).put("topics", new JsonArray()
                .add("persistent://public/default/alice-*")))))
        .put("cors", new JsonObject().put("allowedOrigins", new JsonArray().add("https://app.example.com")));
    EdgeRoutes routes = new EdgeRoutes() {
      @Override
      public void mountPublic(Vertx v, Router router) {
        router.get("/public").handler(ctx -> ctx.response().end("open"));
      }

      @Override
      public void mount(Vertx v, Router router) {
        router.route("/produce/:topic").handler(ctx -> {
          Access.check(ctx, Action.PRODUCE, "persistent://public/default/" + ctx.pathParam("topic"));
          ctx.response().end(Access.principal(ctx).name());
        });
        router.get("/stream/events").handler(ctx -> ctx.response().end(Access.principal(ctx).name()));
        router.get("/ws/socket").handler(ctx -> ctx.request().toWebSocket()
            .onSuccess(ws -> ws.writeTextMessage(Access.principal(ctx).name())));
      }
    };
    test = TestEdge.start(config, routes);
    vertx = test.vertx;
    edge = test.edge;
    client = test.client;
    wsClient = vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    test.close();
  }

  private static String token(String subject) {
    return JWT.create().withSubject(subject).withExpiresAt(Instant.now().plusSeconds(300))
        .sign(Algorithm.HMAC256(SECRET));
  }

  private static HttpResponse<Buffer> get(String path, String... headers) throws Exception {
    var request = client.request(HttpMethod.GET, edge.actualPort(), "127.0.0.1", path);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return request.send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void noCredentialsIs401WithTheEnvelopeAndAChallenge() throws Exception {
    HttpResponse<Buffer> response = get("/produce/alice-1");
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo("UNAUTHENTICATED");
    assertThat(body.getString("message")).startsWith("credentials are required");
  }

  @Test
  void aBadTokenIs401InvalidToken() throws Exception {
    String forged = JWT.create().withSubject("alice").sign(Algorithm.HMAC256("not-the-secret-not-the-secret-12"));
    HttpResponse<Buffer> response = get("/produce/alice-1", "Authorization", "Bearer " + forged);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
    assertThat(response.bodyAsString()).doesNotContain(forged);
  }

  @Test
  void aPermittedTopicPassesAndAnotherIs403() throws Exception {
    HttpResponse<Buffer> ok = get("/produce/alice-1", "Authorization", "Bearer " + token("alice"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.bodyAsString()).isEqualTo("alice");
    HttpResponse<Buffer> other = get("/produce/bob-1", "Authorization", "Bearer " + token("alice"));
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.bodyAsJsonObject().getString("error")).isEqualTo("FORBIDDEN");
    assertThat(other.bodyAsJsonObject().getString("message"))
        .isEqualTo("alice may not produce persistent://public/default/bob-1 (authorization.rules)");
    assertThat(get("/produce/alice-1", "Authorization", "Bearer " + token("bob")).statusCode()).isEqualTo(403);
  }

  @Test
  void theTokenParameterCountsOnlyOnStreamsAndWebSockets() throws Exception {
    assertThat(get("/produce/alice-1?token=" + token("alice")).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> stream = get("/stream/events?token=" + token("alice"));
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.bodyAsString()).isEqualTo("alice");
    // The handler is set before the handshake: the route greets in the instant the upgrade completes.
    ClientWebSocket socket = wsClient.webSocket();
    CompletableFuture<String> greeting = new CompletableFuture<>();
    socket.textMessageHandler(greeting::complete);
    socket.connect(edge.actualPort(), "127.0.0.1", "/ws/socket?token=" + token("carol"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(greeting.get(10, TimeUnit.SECONDS)).isEqualTo("carol");
    socket.close();
  }

  @Test
  void aWebSocketWithoutCredentialsIsRefusedAtTheHandshake() throws Exception {
    assertThat(handshakeStatus(new WebSocketConnectOptions().setPort(edge.actualPort()).setHost("127.0.0.1")
        .setURI("/ws/socket"))).isEqualTo(401);
  }

  @Test
  void aWebSocketFromAnotherOriginIs403() throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setPort(edge.actualPort()).setHost("127.0.0.1")
        .setURI("/ws/socket?token=" + token("alice")).addHeader("Origin", "https://evil.example");
    assertThat(handshakeStatus(options)).isEqualTo(403);
  }

  /**
   * The HTTP status a WebSocket handshake with {@code options} is answered with, read as a plain HTTP response (what a
   * browser's handshake gets). A WebSocket client reports a refusal as an exception, and one whose connection the
   * server closes right after the answer can lose the status to the close.
   */
  private static int handshakeStatus(WebSocketConnectOptions options) throws Exception {
    var request = client.request(HttpMethod.GET, options.getPort(), options.getHost(), options.getURI())
        .putHeader("Connection", "Upgrade").putHeader("Upgrade", "websocket")
        .putHeader("Sec-WebSocket-Version", "13").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    if (options.getHeaders() != null) {
      options.getHeaders().forEach(h -> request.putHeader(h.getKey(), h.getValue()));
    }
    return request.send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).statusCode();
  }

  @Test
  void answersCorsPreflightsForAllowedOriginsOnly() throws Exception {
    HttpResponse<Buffer> preflight = client.request(HttpMethod.OPTIONS, edge.actualPort(), "127.0.0.1",
            "/produce/alice-1").putHeader("Origin", "https://app.example.com")
        .putHeader("Access-Control-Request-Method", "POST")
        .putHeader("Access-Control-Request-Headers", "authorization,content-type")
        .send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(preflight.getHeader("Access-Control-Allow-Headers").toLowerCase()).contains("authorization");
    assertThat(preflight.getHeader("Access-Control-Max-Age")).isEqualTo("600");

    HttpResponse<Buffer> evil = get("/produce/alice-1", "Origin", "https://evil.example",
        "Authorization", "Bearer " + token("alice"));
    assertThat(evil.statusCode()).isEqualTo(403);
    assertThat(evil.getHeader("Access-Control-Allow-Origin")).isNull();

    HttpResponse<Buffer> allowed = get("/produce/alice-1", "Origin", "https://app.example.com",
        "Authorization", "Bearer " + token("alice"));
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
  }

  @Test
  void publicRoutesNeedNoCredentials() throws Exception {
    assertThat(get("/public").bodyAsString()).isEqualTo("open");
  }
}
