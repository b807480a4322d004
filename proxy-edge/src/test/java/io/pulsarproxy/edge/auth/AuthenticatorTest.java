package io.pulsarproxy.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import io.pulsarproxy.config.AuthConfig;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens made by another JOSE implementation (java-jwt), in the key formats of Pulsar's token authentication,
 * verified by the proxy: what passes, and every way a token must not.
 */
class AuthenticatorTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static Vertx vertx;
  private static KeyPair rsa;
  private static KeyPair otherRsa;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsa = generator.generateKeyPair();
    otherRsa = generator.generateKeyPair();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Authenticator authenticator(JsonObject auth) throws Exception {
    AuthConfig config = ConfigLoader.build(new JsonObject().put("auth", auth)).auth();
    return await(vertx.<Future<Authenticator>>executeBlocking(() -> Authenticator.create(vertx, config))
        .compose(f -> f));
  }

  private Authenticator secretKeyed() throws Exception {
    Path key = dir.resolve("secret.key");
    Files.write(key, SECRET);
    return authenticator(new JsonObject().put("providers", new JsonArray().add("jwt"))
        .put("jwt", new JsonObject().put("secretKey", key.toUri().toString()).put("clockSkew", "0s")));
  }

  private Authenticator publicKeyed() throws Exception {
    // Pulsar's `tokens create-key-pair` writes the public key as DER, which tokenPublicKey reads from a file.
    Path key = dir.resolve("public.key");
    Files.write(key, rsa.getPublic().getEncoded());
    return authenticator(new JsonObject().put("providers", new JsonArray().add("jwt"))
        .put("jwt", new JsonObject().put("publicKey", key.toString())));
  }

  private static JWTCreator.Builder alice() {
    return JWT.create().withSubject("alice").withExpiresAt(Instant.now().plusSeconds(300));
  }

  private static Principal verify(Authenticator authenticator, String token) throws Exception {
    return await(authenticator.authenticate(Credentials.of("Bearer " + token, null), Optional.empty()));
  }

  private static String refusal(Authenticator authenticator, String token) throws Exception {
    Future<Principal> result = authenticator.authenticate(Credentials.of("Bearer " + token, null), Optional.empty());
    try {
      await(result);
    } catch (Exception e) {
      // awaited failure
    }
    assertThat(result.failed()).as("token accepted: %s", token).isTrue();
    assertThat(result.cause()).isInstanceOf(ProxyException.class);
    ProxyException e = (ProxyException) result.cause();
    assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(e.getMessage()).doesNotContain(token);
    return e.getMessage();
  }

  @Test
  void acceptsAnHmacTokenInPulsarsSecretKeyFormat() throws Exception {
    Principal p = verify(secretKeyed(), alice().sign(Algorithm.HMAC256(SECRET)));
    assertThat(p.name()).isEqualTo("alice");
    assertThat(p.method()).isEqualTo("jwt");
    assertThat(p.expiresAt()).isAfter(Instant.now());
    assertThat(p.token()).isPresent();
  }

  @Test
  void acceptsATokenWithoutExpiryAsPulsarDoes() throws Exception {
    Principal p = verify(secretKeyed(), JWT.create().withSubject("svc").sign(Algorithm.HMAC512(SECRET)));
    assertThat(p.name()).isEqualTo("svc");
    assertThat(p.expiresAt()).isNull();
  }

  @Test
  void acceptsAnRsaTokenInPulsarsPublicKeyFormat() throws Exception {
    String token = alice().sign(Algorithm.RSA256(null, (RSAPrivateKey) rsa.getPrivate()));
    assertThat(verify(publicKeyed(), token).name()).isEqualTo("alice");
  }

  @Test
  void acceptsAKeyGivenAsDataUrlOrBase64() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(SECRET);
    for (String spec : new String[] {"data:;base64," + b64, b64}) {
      Authenticator a = authenticator(new JsonObject().put("providers", new JsonArray().add("jwt"))
          .put("jwt", new JsonObject().put("secretKey", spec)));
      assertThat(verify(a, alice().sign(Algorithm.HMAC256(SECRET))).name()).isEqualTo("alice");
    }
  }

  @Test
  void refusesExpiredNotYetValidAndBadlySignedTokens() throws Exception {
    Authenticator a = secretKeyed();
    assertThat(refusal(a, JWT.create().withSubject("alice").withExpiresAt(Instant.now().minusSeconds(60))
        .sign(Algorithm.HMAC256(SECRET)))).contains("expired");
    assertThat(refusal(a, alice().withNotBefore(Instant.now().plusSeconds(600)).sign(Algorithm.HMAC256(SECRET))))
        .contains("not valid yet");
    assertThat(refusal(a, alice().sign(Algorithm.HMAC256("another-secret-another-secret-12".getBytes()))))
        .contains("signature");
    assertThat(refusal(a, "not-a-token")).contains("not a signed JSON Web Token");
  }

  @Test
  void refusesUnsignedTokens() throws Exception {
    assertThat(refusal(secretKeyed(), alice().sign(Algorithm.none()))).contains("alg: none");
    assertThat(refusal(publicKeyed(), alice().sign(Algorithm.none()))).contains("alg: none");
  }

  @Test
  void refusesAnHmacTokenSignedWithThePublicKey() throws Exception {
    Authenticator a = publicKeyed();
    byte[] der = rsa.getPublic().getEncoded();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END PUBLIC KEY-----\n";
    refusal(a, alice().sign(Algorithm.HMAC256(der)));
    refusal(a, alice().sign(Algorithm.HMAC256(pem.getBytes(StandardCharsets.US_ASCII))));
    refusal(a, alice().sign(Algorithm.RSA256(null, (RSAPrivateKey) otherRsa.getPrivate())));
  }

  @Test
  void checksIssuerAudienceAndTheRoleClaim() throws Exception {
    Path key = dir.resolve("secret.key");
    Files.write(key, SECRET);
    Authenticator a = authenticator(new JsonObject().put("providers", new JsonArray().add("jwt"))
        .put("jwt", new JsonObject().put("secretKey", key.toString()).put("issuer", "https://issuer.example")
            .put("audience", "pulsar-proxy").put("roleClaim", "role")));
    Algorithm hs = Algorithm.HMAC256(SECRET);
    JWTCreator.Builder good = JWT.create().withIssuer("https://issuer.example").withAudience("pulsar-proxy")
        .withClaim("role", "bob").withExpiresAt(Instant.now().plusSeconds(60));
    assertThat(verify(a, good.sign(hs)).name()).isEqualTo("bob");
    assertThat(refusal(a, JWT.create().withIssuer("https://issuer.example").withAudience("someone-else")
        .withClaim("role", "bob").sign(hs))).contains("audience");
    assertThat(refusal(a, JWT.create().withIssuer("https://evil.example").withAudience("pulsar-proxy")
        .withClaim("role", "bob").sign(hs))).contains("issuer");
    assertThat(refusal(a, JWT.create().withIssuer("https://issuer.example").withAudience("pulsar-proxy")
        .withSubject("bob").sign(hs))).contains("'role' claim");
  }

  @Test
  void verifiesWithAKeySetFileByKeyId() throws Exception {
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JsonObject().put("keys", new JsonArray()
        .add(jwk("k1", (RSAPublicKey) rsa.getPublic())).add(jwk("k2", (RSAPublicKey) otherRsa.getPublic()))).encode());
    Authenticator a = authenticator(new JsonObject().put("providers", new JsonArray().add("jwt"))
        .put("jwt", new JsonObject().put("jwksFile", jwks.toString())));
    assertThat(verify(a, alice().withKeyId("k2").sign(Algorithm.RSA256(null, (RSAPrivateKey) otherRsa.getPrivate())))
        .name()).isEqualTo("alice");
    assertThat(verify(a, alice().withKeyId("k1").sign(Algorithm.RSA256(null, (RSAPrivateKey) rsa.getPrivate())))
        .name()).isEqualTo("alice");
    refusal(a, alice().withKeyId("k1").sign(Algorithm.RSA256(null, (RSAPrivateKey) otherRsa.getPrivate())));
    refusal(a, alice().sign(Algorithm.HMAC256(SECRET)));
  }

  /** The public key as a JSON Web Key (RFC 7517) with {@code kid}. */
  static JsonObject jwk(String kid, RSAPublicKey key) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig")
        .put("n", b64.encodeToString(unsigned(key.getModulus())))
        .put("e", b64.encodeToString(unsigned(key.getPublicExponent())));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  @Test
  void apiKeysAreCheckedAgainstTheirHashes() throws Exception {
    Authenticator a = authenticator(new JsonObject().put("providers", new JsonArray().add("apikey"))
        .put("apiKeys", new JsonArray().add(new JsonObject().put("role", "billing")
            .put("sha256", Authenticator.sha256("k-123")))));
    assertThat(await(a.authenticate(Credentials.of(null, null, "k-123"), Optional.empty())).name())
        .isEqualTo("billing");
    Future<Principal> wrong = a.authenticate(Credentials.of(null, null, "k-124"), Optional.empty());
    assertThat(wrong.failed()).isTrue();
    assertThat(((ProxyException) wrong.cause()).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
    Future<Principal> token = a.authenticate(Credentials.of("Bearer x.y.z", null), Optional.empty());
    assertThat(token.cause()).hasMessageContaining("bearer tokens are not accepted");
  }

  @Test
  void credentialsAreRequiredUnlessNoneIsListed() throws Exception {
    Path key = dir.resolve("secret.key");
    Files.write(key, SECRET);
    JsonObject jwt = new JsonObject().put("secretKey", key.toString());
    Authenticator strict = authenticator(new JsonObject().put("providers", new JsonArray().add("jwt")).put("jwt", jwt));
    assertThat(strict.authenticate(Credentials.NONE, Optional.empty()).cause())
        .hasMessageStartingWith("credentials are required");
    Authenticator lenient = authenticator(new JsonObject().put("providers", new JsonArray().add("jwt").add("none"))
        .put("jwt", jwt));
    assertThat(await(lenient.authenticate(Credentials.NONE, Optional.empty()))).isSameAs(Principal.ANONYMOUS);
    // presenting a bad token is refused even where anonymous requests are allowed
    assertThat(lenient.authenticate(Credentials.of("Bearer x.y.z", null), Optional.empty()).failed()).isTrue();
  }

  @Test
  void aClientCertificateNamesThePrincipalWithMtls() throws Exception {
    Authenticator a = authenticator(new JsonObject().put("providers", new JsonArray().add("mtls")));
    assertThat(await(a.authenticate(Credentials.NONE, Optional.of("orders-service"))).name())
        .isEqualTo("orders-service");
    assertThat(a.authenticate(Credentials.NONE, Optional.empty()).failed()).isTrue();
  }

  @Test
  void rememberedTokensStillExpire() throws Exception {
    Authenticator a = secretKeyed();
    String token = JWT.create().withSubject("alice").withExpiresAt(Instant.now().plusSeconds(1))
        .sign(Algorithm.HMAC256(SECRET));
    assertThat(verify(a, token).name()).isEqualTo("alice");
    org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        a.authenticate(Credentials.of("Bearer " + token, null), Optional.empty()).failed());
  }

  @Test
  void theSecretNeverShows() {
    assertThat(new Principal("alice", "jwt", Optional.of(new Secret("tok-123")), null).toString())
        .doesNotContain("tok-123");
  }
}
