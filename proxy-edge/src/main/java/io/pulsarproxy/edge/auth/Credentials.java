package io.pulsarproxy.edge.auth;

import io.pulsarproxy.config.Secret;
import java.util.Locale;
import java.util.Optional;

/**
 * What a client presented: a token from {@code Authorization: Bearer <token>} or, where browsers cannot set headers
 * (WebSocket, EventSource), from {@code ?token=<token>}; an API key from {@code X-API-Key}. A real header wins over the
 * query; a {@code Bearer } prefix in the query is accepted and not doubled. Nothing here is ever logged
 * ({@link Secret}).
 */
public record Credentials(Optional<Secret> token, Optional<Secret> apiKey) {
  /** The header that carries an API key. */
  public static final String API_KEY_HEADER = "X-API-Key";
  public static final Credentials NONE = new Credentials(Optional.empty(), Optional.empty());

  public static Credentials of(String authorizationHeader, String tokenParameter) {
    return of(authorizationHeader, tokenParameter, null);
  }

  public static Credentials of(String authorizationHeader, String tokenParameter, String apiKeyHeader) {
    String token = bearer(authorizationHeader);
    if (token == null && tokenParameter != null) {
      token = stripBearer(tokenParameter.trim());
    }
    Optional<Secret> t = token == null || token.isEmpty() ? Optional.empty() : Optional.of(new Secret(token));
    Optional<Secret> k = apiKeyHeader == null || apiKeyHeader.isBlank()
        ? Optional.empty() : Optional.of(new Secret(apiKeyHeader.trim()));
    return t.isEmpty() && k.isEmpty() ? NONE : new Credentials(t, k);
  }

  private static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String value = header.trim();
    return value.toLowerCase(Locale.ROOT).startsWith("bearer ") ? value.substring(7).trim() : null;
  }

  private static String stripBearer(String value) {
    return value.toLowerCase(Locale.ROOT).startsWith("bearer ") ? value.substring(7).trim() : value;
  }
}
