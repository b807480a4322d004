package io.pulsarproxy.testkit;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token authentication and authorisation for a standalone broker ({@link StandalonePulsar#startNew(java.nio.file.Path,
 * TokenAuth)}): the broker checks HS256 tokens signed with a random secret key, roles are the tokens' subjects, and
 * {@link #ADMIN_ROLE} is the only super-user (the testkit's own admin and readiness clients use it). Any other role
 * can do only what it is granted, e.g. with {@code admin().namespaces().grantPermissionOnNamespace(…)}.
 */
public final class TokenAuth {
  /** The super-user role. */
  public static final String ADMIN_ROLE = "admin";

  private final Algorithm algorithm;
  private final byte[] secretKey;

  private TokenAuth(byte[] secretKey) {
    this.secretKey = secretKey.clone();
    this.algorithm = Algorithm.HMAC256(this.secretKey);
  }

  /** A new random 256-bit secret key. */
  public static TokenAuth random() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new TokenAuth(key);
  }

  /** A token for {@code role} that this broker accepts. */
  public String token(String role) {
    return JWT.create().withSubject(role).sign(algorithm);
  }

  /** A well-formed token for {@code role} signed with another key: the broker refuses it (authentication fails). */
  public static String foreignToken(String role) {
    return random().token(role);
  }

  /**
   * The secret key in the {@code data:;base64,…} form that Pulsar's {@code tokenSecretKey} and the proxy's
   * {@code auth.jwt.secretKey} read, for a proxy that verifies the same tokens as this broker.
   */
  public String secretKeyDataUrl() {
    return "data:;base64," + Base64.getEncoder().encodeToString(secretKey);
  }

  String adminToken() {
    return token(ADMIN_ROLE);
  }

  /** The broker settings (standalone.conf) that turn this on; the broker's internal clients act as the admin. */
  Map<String, String> brokerSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("authenticationEnabled", "true");
    settings.put("authenticationProviders", "org.apache.pulsar.broker.authentication.AuthenticationProviderToken");
    settings.put("tokenSecretKey", secretKeyDataUrl());
    settings.put("authorizationEnabled", "true");
    settings.put("superUserRoles", ADMIN_ROLE);
    settings.put("brokerClientAuthenticationPlugin", "org.apache.pulsar.client.impl.auth.AuthenticationToken");
    settings.put("brokerClientAuthenticationParameters", "token:" + adminToken());
    return settings;
  }
}
