package io.pulsarproxy.config;

import java.time.Duration;
import java.util.List;

/**
 * Browsers on other origins. Reloadable.
 *
 * @param allowedOrigins   {@code cors.allowedOrigins}: origins (e.g. {@code https://app.example.com}) whose pages may
 *                         call the REST API and SSE streams and open WebSockets; {@code *} for any. Empty: no CORS
 *                         headers, and WebSocket handshakes from any origin are accepted (as before)
 * @param allowedHeaders   {@code cors.allowedHeaders}: request headers a page may send
 * @param allowCredentials {@code cors.allowCredentials}: answer {@code Access-Control-Allow-Credentials: true}
 * @param maxAge           {@code cors.maxAge}: how long a browser may cache a preflight answer
 */
public record CorsConfig(List<String> allowedOrigins, List<String> allowedHeaders, boolean allowCredentials,
    Duration maxAge) {
  public CorsConfig {
    allowedOrigins = List.copyOf(allowedOrigins);
    allowedHeaders = List.copyOf(allowedHeaders);
  }

  public boolean enabled() {
    return !allowedOrigins.isEmpty();
  }

  /** Whether a page of {@code origin} may use the proxy; any origin while nothing is configured. */
  public boolean allows(String origin) {
    return !enabled() || allowedOrigins.contains("*") || origin != null && allowedOrigins.contains(origin);
  }
}
