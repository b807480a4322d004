package io.pulsarproxy.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.pulsarproxy.edge.EdgeVerticle;
import io.pulsarproxy.edge.TestEdge;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code auth.jwt.jwksUrl} end to end through the edge: the key set is served over HTTP by the test, tokens are picked
 * by {@code kid}, a key rotated at the URL is used (and the one it replaced refused) after {@code jwksRefresh}, an
 * unknown {@code kid} is 401, and a key-set server that fails leaves the keys loaded before in place.
 */
class JwksUrlTest {
  private static final Duration REFRESH = Duration.ofSeconds(1);
  private static TestEdge test;
  private static EdgeVerticle edge;
  private static WebClient client;
  private static KeyPair first;
  private static KeyPair second;
  /** What the key-set server answers: a key set, or null for 503. */
  private static final AtomicReference<JsonObject> served = new AtomicReference<>();
  private static final AtomicInteger fetches = new AtomicInteger();
  private static Vertx keyServerVertx;

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    first = generator.generateKeyPair();
    second = generator.generateKeyPair();
    served.set(keySet("k1", first));
    keyServerVertx = Vertx.vertx();
    HttpServer keys = keyServerVertx.createHttpServer().requestHandler(request -> {
      fetches.incrementAndGet();
      JsonObject set = served.get();
      if (set == null) {
        request.response().setStatusCode(503).end();
      } else {
        request.response().putHeader("Content-Type", "application/json").end(set.encode());
      }
    });
    int keysPort = keys.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .actualPort();
    JsonObject config = new JsonObject()
        .put("auth", new JsonObject().put("providers", new JsonArray().add("jwt"))
            .put("jwt", new JsonObject().put("jwksUrl", "http://127.0.0.1:" + keysPort + "/.well-known/jwks.json")
                .put("jwksRefresh", REFRESH.toSeconds() + "s")));
    test = TestEdge.start(config, (v, router) ->
        router.get("/whoami").handler(ctx -> ctx.response().end(Access.principal(ctx).name())));
    edge = test.edge;
    client = test.client;
  }

  @AfterAll
  static void stop() throws Exception {
    test.close();
    keyServerVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static JsonObject keySet(String kid, KeyPair keys) {
    return new JsonObject().put("keys", new JsonArray().add(AuthenticatorTest.jwk(kid, (RSAPublicKey) keys.getPublic())));
  }

  private static String token(String subject, String kid, KeyPair keys) {
    return JWT.create().withSubject(subject).withKeyId(kid).withExpiresAt(Instant.now().plusSeconds(300))
        .sign(Algorithm.RSA256(null, (RSAPrivateKey) keys.getPrivate()));
  }

  private static HttpResponse<Buffer> whoami(String token) throws Exception {
    return client.get(edge.actualPort(), "127.0.0.1", "/whoami").putHeader("Authorization", "Bearer " + token)
        .send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void assertRefused(String token) throws Exception {
    HttpResponse<Buffer> refused = whoami(token);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void keysComeFromTheUrlByKidAndRotateAfterTheRefreshInterval() throws Exception {
    String byFirst = token("alice", "k1", first);
    String bySecond = token("bob", "k2", second);
    HttpResponse<Buffer> ok = whoami(byFirst);
    assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(200);
    assertThat(ok.bodyAsString()).isEqualTo("alice");
    // a kid the set does not have, and a known kid whose signature is by another key
    assertRefused(bySecond);
    assertRefused(token("alice", "k1", second));

    served.set(keySet("k2", second));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpResponse<Buffer> rotated = whoami(bySecond);
      assertThat(rotated.statusCode()).isEqualTo(200);
      assertThat(rotated.bodyAsString()).isEqualTo("bob");
    });
    assertRefused(byFirst);

    // a key-set server that fails: the keys fetched before stay in use
    served.set(null);
    int before = fetches.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> fetches.get() >= before + 2);
    assertThat(whoami(bySecond).statusCode()).isEqualTo(200);
    assertRefused(byFirst);
    served.set(keySet("k2", second));
  }
}
