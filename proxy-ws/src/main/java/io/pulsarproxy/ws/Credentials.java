package io.pulsarproxy.ws;

import io.pulsarproxy.config.Secret;
import java.util.Locale;
import java.util.Optional;

/**
 * What a client presented at the handshake: a token from {@code Authorization: Bearer <token>} or, because browsers
 * cannot set headers on a WebSocket, from {@code ?token=<token>}. A real header wins; a {@code Bearer } prefix in the
 * query is accepted and not doubled. The token is never logged ({@link Secret}).
 */
record Credentials(Optional<Secret> token) {
  static final Credentials NONE = new Credentials(Optional.empty());

  static Credentials of(String authorizationHeader, String tokenParameter) {
    String token = bearer(authorizationHeader);
    if (token == null && tokenParameter != null) {
      token = stripBearer(tokenParameter.trim());
    }
    return token == null || token.isEmpty() ? NONE : new Credentials(Optional.of(new Secret(token)));
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
