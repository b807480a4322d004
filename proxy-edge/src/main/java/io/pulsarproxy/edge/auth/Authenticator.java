package io.pulsarproxy.edge.auth;

import io.pulsarproxy.config.AuthConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns credentials into a {@link Principal} with the providers of {@code auth.providers}. Verified tokens are
 * remembered (at most {@code auth.cacheSize}, least recently used out, each only until it expires). A key set
 * ({@code auth.jwt.jwksFile} / {@code jwksUrl}) is fetched again every {@code auth.jwt.jwksRefresh}; a fetch that fails
 * keeps the keys it had. Confined to the edge verticle's event loop.
 */
public final class Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);

  private final Vertx vertx;
  private final AuthConfig config;
  private final Map<String, String> apiKeyRoles = new LinkedHashMap<>();
  private final Map<String, Principal> verified;
  private JwtVerifier jwt;
  private HttpClientAgent jwksClient;
  private long refreshTimer = -1;

  private Authenticator(Vertx vertx, AuthConfig config) {
    this.vertx = vertx;
    this.config = config;
    config.apiKeys().forEach(k -> apiKeyRoles.put(k.sha256(), k.role()));
    int max = config.cacheSize();
    this.verified = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Principal> eldest) {
        return size() > max;
      }
    };
  }

  /**
   * An authenticator of {@code config}, with its keys read (off the event loop) and its key set fetched. Completes on
   * the caller's context; fails with a message naming the key that cannot be used.
   */
  public static Future<Authenticator> create(Vertx vertx, AuthConfig config) {
    Authenticator authenticator = new Authenticator(vertx, config);
    if (!config.providers().contains(AuthConfig.JWT)) {
      return Future.succeededFuture(authenticator);
    }
    return authenticator.loadJwt().map(v -> {
      if (config.jwt().jwksFile().isPresent() || config.jwt().jwksUrl().isPresent()) {
        authenticator.refreshTimer = vertx.setPeriodic(config.jwt().jwksRefresh().toMillis(),
            id -> authenticator.loadJwt().onFailure(err ->
                LOG.warn("Keeping the JSON Web Keys loaded before: {}", err.getMessage())));
      }
      return authenticator;
    });
  }

  private Future<Void> loadJwt() {
    return fetchJwks().compose(jwks -> vertx.executeBlocking(() -> JwtVerifier.build(vertx, config.jwt(), jwks), false))
        .onSuccess(v -> {
          if (jwt != null) {
            verified.clear();
          }
          jwt = v;
        })
        .mapEmpty();
  }

  private Future<List<JsonObject>> fetchJwks() {
    AuthConfig.JwtConfig c = config.jwt();
    if (c.jwksFile().isPresent()) {
      return vertx.fileSystem().readFile(c.jwksFile().get())
          .recover(err -> Future.failedFuture(new IllegalArgumentException(
              "auth.jwt.jwksFile: cannot be read (" + err.getMessage() + ")")))
          .map(buffer -> JwtVerifier.keysOf(new JsonObject(buffer.toString(StandardCharsets.UTF_8))));
    }
    if (c.jwksUrl().isPresent()) {
      if (jwksClient == null) {
        jwksClient = vertx.createHttpClient();
      }
      String url = c.jwksUrl().get();
      return jwksClient.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
          .compose(request -> request.send())
          .compose(response -> response.statusCode() == 200 ? response.body()
              : Future.failedFuture("status " + response.statusCode()))
          .map(buffer -> JwtVerifier.keysOf(new JsonObject(buffer.toString(StandardCharsets.UTF_8))))
          .recover(err -> Future.failedFuture(new IllegalArgumentException(
              "auth.jwt.jwksUrl: cannot be fetched (" + err.getMessage() + ")")));
    }
    return Future.succeededFuture(List.of());
  }

  /** Stops refreshing the key set (a new configuration replaced this one). */
  public void close() {
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    if (jwksClient != null) {
      jwksClient.close();
    }
  }

  public AuthConfig config() {
    return config;
  }

  /**
   * The principal of a request that presented {@code credentials} and, over TLS, maybe a client certificate whose
   * name is {@code certificateName}. Fails with {@link ErrorCode#UNAUTHENTICATED} saying why.
   */
  public Future<Principal> authenticate(Credentials credentials, Optional<String> certificateName) {
    if (!config.enabled()) {
      return Future.succeededFuture(Principal.ANONYMOUS);
    }
    if (credentials.token().isPresent()) {
      return config.providers().contains(AuthConfig.JWT) ? token(credentials.token().get())
          : Future.failedFuture(refused("bearer tokens are not accepted here (auth.providers: "
              + String.join(", ", config.providers()) + ")"));
    }
    if (credentials.apiKey().isPresent()) {
      return config.providers().contains(AuthConfig.APIKEY) ? apiKey(credentials.apiKey().get())
          : Future.failedFuture(refused("API keys are not accepted here (auth.providers: "
              + String.join(", ", config.providers()) + ")"));
    }
    if (certificateName.isPresent() && config.providers().contains(AuthConfig.MTLS)) {
      return Future.succeededFuture(new Principal(certificateName.get(), "mtls", Optional.empty(), null));
    }
    if (config.anonymousAllowed()) {
      return Future.succeededFuture(Principal.ANONYMOUS);
    }
    return Future.failedFuture(refused("credentials are required: " + accepted()));
  }

  private String accepted() {
    StringBuilder sb = new StringBuilder();
    for (String p : config.providers()) {
      if (!sb.isEmpty()) {
        sb.append(", or ");
      }
      sb.append(switch (p) {
        case AuthConfig.JWT -> "a token in 'Authorization: Bearer' (or ?token= on WebSocket and SSE)";
        case AuthConfig.APIKEY -> "an API key in '" + Credentials.API_KEY_HEADER + "'";
        case AuthConfig.MTLS -> "a client certificate";
        default -> "nothing";
      });
    }
    return sb.toString();
  }

  private Future<Principal> token(Secret token) {
    Principal known = verified.get(token.reveal());
    if (known != null) {
      if (known.expiresAt() == null || Instant.now().isBefore(known.expiresAt())) {
        return Future.succeededFuture(known);
      }
      verified.remove(token.reveal());
      return Future.failedFuture(refused("invalid token: the token has expired"));
    }
    if (jwt == null) {
      return Future.failedFuture(refused("invalid token: no key to verify tokens with is loaded yet"));
    }
    return jwt.verify(token).onSuccess(p -> verified.put(token.reveal(), p));
  }

  private Future<Principal> apiKey(Secret key) {
    String role = apiKeyRoles.get(sha256(key.reveal()));
    return role == null ? Future.failedFuture(refused("unknown API key"))
        : Future.succeededFuture(new Principal(role, "apikey", Optional.empty(), null));
  }

  static String sha256(String value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static ProxyException refused(String message) {
    return new ProxyException(ErrorCode.UNAUTHENTICATED, message);
  }
}
