package io.pulsarproxy.edge.auth;

import io.pulsarproxy.config.AuthConfig.JwtConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Verifies JSON Web Tokens with vertx-auth-jwt against the configured keys only: an HMAC key registers HS256/384/512,
 * an RSA public key RS256/384/512, an EC one ES256/384/512, a key set its keys (by {@code kid}). A token whose
 * algorithm has no key is refused, so neither {@code alg: none} nor an HMAC token signed with the public key passes.
 * Checks {@code exp}, {@code nbf} and {@code iat} with the clock skew, and {@code iss} and {@code aud} when configured.
 * Immutable; building reads key files (blocking): see {@link #build}.
 */
final class JwtVerifier {
  private final JWTAuth auth;
  private final int keys;
  private final String roleClaim;
  private final long skewSeconds;

  private JwtVerifier(JWTAuth auth, int keys, String roleClaim, long skewSeconds) {
    this.auth = auth;
    this.keys = keys;
    this.roleClaim = roleClaim;
    this.skewSeconds = skewSeconds;
  }

  /**
   * Builds a verifier of the configured keys plus {@code jwks} (the keys of a key set, already fetched). Reads key
   * files: call off the event loop.
   *
   * @throws IllegalArgumentException naming the key that cannot be used
   */
  static JwtVerifier build(Vertx vertx, JwtConfig config, List<JsonObject> jwks) {
    JWTAuthOptions options = new JWTAuthOptions();
    int keys = 0;
    if (config.secretKey().isPresent()) {
      byte[] secret = read("auth.jwt.secretKey", config.secretKey().get());
      for (String alg : List.of("HS256", "HS384", "HS512")) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(Buffer.buffer(secret)));
        keys++;
      }
    }
    if (config.publicKey().isPresent()) {
      KeyMaterial.PublicKeyPem key;
      try {
        key = KeyMaterial.publicKey(read("auth.jwt.publicKey", config.publicKey().get()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("auth.jwt.publicKey: " + e.getMessage(), e);
      }
      String prefix = key.kind().equals("RSA") ? "RS" : "ES";
      for (String bits : List.of("256", "384", "512")) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(prefix + bits).setBuffer(key.pem()));
        keys++;
      }
    }
    for (JsonObject jwk : jwks) {
      if ("enc".equals(jwk.getString("use"))) {
        continue;
      }
      options.addJwk(withAlgorithm(jwk));
      keys++;
    }
    JWTOptions jwtOptions = new JWTOptions().setLeeway((int) Math.min(Integer.MAX_VALUE, config.clockSkew().toSeconds()));
    config.issuer().ifPresent(jwtOptions::setIssuer);
    config.audience().ifPresent(aud -> jwtOptions.setAudience(List.of(aud)));
    options.setJWTOptions(jwtOptions);
    JWTAuth auth;
    try {
      auth = JWTAuth.create(vertx, options);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("auth.jwt: a key cannot be used: " + e.getMessage(), e);
    }
    return new JwtVerifier(auth, keys, config.roleClaim(), config.clockSkew().toSeconds());
  }

  private static byte[] read(String key, Secret spec) {
    try {
      return KeyMaterial.read(spec.reveal());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** A key of a set without {@code alg} gets the usual one for its type, as issuers often leave it out. */
  private static JsonObject withAlgorithm(JsonObject jwk) {
    if (jwk.containsKey("alg")) {
      return jwk;
    }
    String alg = switch (jwk.getString("kty", "")) {
      case "RSA" -> "RS256";
      case "EC" -> switch (jwk.getString("crv", "")) {
        case "P-384" -> "ES384";
        case "P-521" -> "ES512";
        default -> "ES256";
      };
      default -> "HS256";
    };
    return jwk.copy().put("alg", alg);
  }

  /** The token's principal; fails with {@link ErrorCode#UNAUTHENTICATED} saying why, never quoting the token. */
  Future<Principal> verify(Secret token) {
    if (keys == 0) {
      // vertx-auth-jwt accepts unsigned tokens when it has no key at all: never let that happen.
      return Future.failedFuture(invalid("no key to verify tokens with is loaded yet"));
    }
    String raw = token.reveal();
    String alg = algorithm(raw);
    if (alg == null) {
      return Future.failedFuture(invalid("not a signed JSON Web Token"));
    }
    if (alg.equalsIgnoreCase("none")) {
      return Future.failedFuture(invalid("unsigned tokens (alg: none) are refused"));
    }
    return auth.authenticate(new TokenCredentials(raw))
        .recover(err -> Future.failedFuture(invalid(reason(err))))
        .compose(user -> {
          // vertx-auth-jwt keeps the token's claims under attributes.accessToken (exp, iat, nbf moved there too).
          JsonObject claims = user.principal().copy();
          if (user.attributes().getValue("accessToken") instanceof JsonObject payload) {
            claims.mergeIn(payload);
          }
          for (String time : List.of("exp", "nbf", "iat")) {
            if (!claims.containsKey(time) && user.attributes().getValue(time) instanceof Number n) {
              claims.put(time, n);
            }
          }
          long now = Instant.now().getEpochSecond();
          if (claims.getValue("nbf") instanceof Number nbf && nbf.longValue() > now + skewSeconds) {
            return Future.failedFuture(invalid("the token is not valid yet (nbf)"));
          }
          if (claims.getValue("exp") instanceof Number exp && exp.longValue() + skewSeconds <= now) {
            return Future.failedFuture(invalid("the token has expired"));
          }
          if (!(claims.getValue(roleClaim) instanceof String role) || role.isBlank()) {
            return Future.failedFuture(invalid("the token has no '" + roleClaim + "' claim (auth.jwt.roleClaim)"));
          }
          Instant expires = claims.getValue("exp") instanceof Number exp
              ? Instant.ofEpochSecond(exp.longValue() + skewSeconds) : null;
          return Future.succeededFuture(new Principal(role, "jwt", Optional.of(token), expires));
        });
  }

  private static String algorithm(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.indexOf('.', dot + 1) < 0) {
      return null;
    }
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)),
          StandardCharsets.UTF_8));
      return header.getValue("alg") instanceof String alg ? alg : null;
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static String reason(Throwable err) {
    String message = err.getMessage() == null ? "" : err.getMessage();
    if (message.contains("expired")) {
      return "the token has expired or is not valid yet";
    }
    if (message.contains("issuer")) {
      return "the token's issuer (iss) is not the configured one";
    }
    if (message.contains("audience")) {
      return "the token's audience (aud) does not include the configured one";
    }
    if (message.contains("not supported") || message.contains("not allowed")) {
      return "the token's algorithm has no configured key";
    }
    return "the signature does not verify";
  }

  private static ProxyException invalid(String why) {
    return new ProxyException(ErrorCode.UNAUTHENTICATED, "invalid token: " + why);
  }

  /** Key-set documents: {@code {"keys":[…]}}. */
  static List<JsonObject> keysOf(JsonObject jwks) {
    List<JsonObject> keys = new ArrayList<>();
    if (jwks.getValue("keys") instanceof io.vertx.core.json.JsonArray array) {
      array.forEach(k -> {
        if (k instanceof JsonObject o) {
          keys.add(o);
        }
      });
    }
    return keys;
  }
}
