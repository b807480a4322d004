package io.pulsarproxy.edge;

import io.pulsarproxy.config.CorsConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Pages of other origins ({@code cors.*}): CORS answers for the REST API and SSE (Vert.x's {@link CorsHandler}:
 * preflight, allowed origins, headers, credentials, preflight cache), and the {@code Origin} allowlist of WebSocket
 * handshakes (403 otherwise; browsers send no preflight before a WebSocket). Requests without {@code Origin} (not from
 * a browser) and from the proxy's own origin (its browser page) pass. With no origins configured it does nothing.
 * Confined to the edge verticle's event loop.
 */
final class OriginHandler implements Handler<RoutingContext> {
  private CorsConfig config;
  private CorsHandler cors;

  OriginHandler(CorsConfig config) {
    reconfigure(config);
  }

  void reconfigure(CorsConfig newConfig) {
    config = newConfig;
    CorsHandler handler = CorsHandler.create();
    if (!newConfig.allowedOrigins().contains("*")) {
      handler.addOrigins(newConfig.allowedOrigins());
    }
    cors = handler
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS))
        .allowedHeaders(new LinkedHashSet<>(newConfig.allowedHeaders()))
        .exposedHeaders(Set.of("Location", "Retry-After", "WWW-Authenticate", "traceparent"))
        .allowCredentials(newConfig.allowCredentials())
        .maxAgeSeconds((int) Math.min(Integer.MAX_VALUE, newConfig.maxAge().toSeconds()));
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || !config.enabled() || sameOrigin(request, origin)) {
      ctx.next();
    } else if (request.canUpgradeToWebSocket()) {
      if (config.allows(origin)) {
        ctx.next();
      } else {
        ctx.fail(new ProxyException(ErrorCode.FORBIDDEN,
            "WebSocket connections from " + origin + " are not allowed (cors.allowedOrigins)"));
      }
    } else {
      cors.handle(ctx);
    }
  }

  private static boolean sameOrigin(HttpServerRequest request, String origin) {
    String host = request.authority() == null ? null : request.authority().toString();
    return host != null && origin.equals((request.isSSL() ? "https://" : "http://") + host);
  }
}
