package io.pulsarproxy.edge.auth;

import io.pulsarproxy.config.Secret;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Optional;

/**
 * Who a request, stream or socket acts for, as the edge authenticated it. Travels with the request in its
 * {@link RoutingContext}; the token (kept for acting at the broker) is never shown.
 *
 * @param name      the role: a token's role claim, an API key's role, a certificate's CN or SAN
 * @param method    how it was authenticated: {@code none}, {@code jwt}, {@code apikey}, {@code mtls}
 * @param token     the client's token, for {@code authorization.mode: broker}
 * @param expiresAt when the credentials stop being valid (a token's {@code exp}); null for never
 */
public record Principal(String name, String method, Optional<Secret> token, Instant expiresAt) {
  /** Who a request is when authentication is off, or when it presented nothing and {@code none} is allowed. */
  public static final Principal ANONYMOUS = new Principal("anonymous", "none", Optional.empty(), null);
  static final String KEY = "pulsar-proxy.principal";

  /** The principal of a request that passed the edge; {@link #ANONYMOUS} before that. */
  public static Principal of(RoutingContext ctx) {
    Principal p = ctx.get(KEY);
    return p == null ? ANONYMOUS : p;
  }

  public boolean anonymous() {
    return this == ANONYMOUS || method.equals("none");
  }

  public Optional<Instant> expiry() {
    return Optional.ofNullable(expiresAt);
  }
}
