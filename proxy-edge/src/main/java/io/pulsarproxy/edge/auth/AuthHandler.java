package io.pulsarproxy.edge.auth;

import io.pulsarproxy.config.AuthConfig;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.pulsarproxy.edge.ClientCertificates;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's authentication: every route behind it gets the request's {@link Principal} (or the request is answered
 * 401 {@code UNAUTHENTICATED}), and the current {@link Authorizer} for {@link Access#check}. A token is read from
 * {@code Authorization: Bearer} on every route, and from {@code ?token=} on WebSocket handshakes and SSE streams only
 * (browsers cannot set headers there). A new configuration takes effect once its keys are loaded; until then, and if
 * they cannot be loaded, the previous one stays. Confined to the edge verticle's event loop.
 */
public final class AuthHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);

  private final Vertx vertx;
  private Authenticator authenticator;
  private Authorizer authorizer;

  private AuthHandler(Vertx vertx, Authenticator authenticator, Authorizer authorizer) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.authorizer = authorizer;
  }

  /** A handler of {@code config}, its keys loaded; fails with a message naming a key that cannot be used. */
  public static Future<AuthHandler> create(Vertx vertx, ProxyConfig config) {
    warnIfOpen(config);
    return Authenticator.create(vertx, config.auth())
        .map(a -> new AuthHandler(vertx, a, new Authorizer(config.auth(), config.authorization())));
  }

  private static void warnIfOpen(ProxyConfig config) {
    String host = config.http().host();
    boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
    if (!config.auth().enabled() && !loopback) {
      LOG.warn("Listening on {} without authentication: anyone who reaches port {} may produce and consume on every "
          + "topic the proxy's Pulsar role can (set auth.providers)", host, config.http().port());
    }
  }

  public void reconfigure(ProxyConfig config) {
    authorizer = new Authorizer(config.auth(), config.authorization());
    if (Objects.equals(config.auth(), authenticator.config())) {
      return;
    }
    warnIfOpen(config);
    Authenticator.create(vertx, config.auth())
        .onSuccess(fresh -> {
          authenticator.close();
          authenticator = fresh;
          LOG.info("Authentication reconfigured: providers {}", config.auth().providers());
        })
        .onFailure(err -> LOG.error("Keeping the previous authentication settings: {}", err.getMessage()));
  }

  /** Whether WebSocket sockets and SSE streams end when their token expires. */
  public boolean closeOnExpiry() {
    return authenticator.config().closeOnExpiry();
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(Access.AUTHORIZER, authorizer);
    AuthConfig config = authenticator.config();
    if (!config.enabled()) {
      ctx.put(Principal.KEY, Principal.ANONYMOUS);
      ctx.next();
      return;
    }
    HttpServerRequest request = ctx.request();
    String queryToken = tokenInQueryAllowed(request) ? request.getParam("token") : null;
    Credentials credentials = Credentials.of(request.getHeader(HttpHeaders.AUTHORIZATION), queryToken,
        request.getHeader(Credentials.API_KEY_HEADER));
    Optional<String> certificate = config.providers().contains(AuthConfig.MTLS)
        ? certificateName(request, config.mtlsPrincipal()) : Optional.empty();
    // The body (if any) must wait for the route's body handler: keep it unread while the credentials are checked.
    request.pause();
    authenticator.authenticate(credentials, certificate).onComplete(done -> {
      request.resume();
      if (done.succeeded()) {
        ctx.put(Principal.KEY, done.result());
        ctx.next();
      } else {
        ProxyException e = done.cause() instanceof ProxyException p ? p
            : new ProxyException(io.pulsarproxy.core.error.ErrorCode.UNAUTHENTICATED, "invalid credentials");
        Access.refused(ctx, "authenticate", null, e.getMessage());
        ctx.fail(e);
      }
    });
  }

  /** The principal a verified client certificate stands for: its CN, or its first DNS, e-mail or URI name. */
  private static Optional<String> certificateName(HttpServerRequest request, String from) {
    return ClientCertificates.certificate(request).flatMap(cert -> {
      if (!from.equals("san")) {
        return ClientCertificates.commonName(cert);
      }
      for (ClientCertificates.SanType type : List.of(ClientCertificates.SanType.DNS, ClientCertificates.SanType.EMAIL,
          ClientCertificates.SanType.URI)) {
        List<String> names = ClientCertificates.subjectAlternativeNames(cert, type);
        if (!names.isEmpty()) {
          return Optional.of(names.get(0));
        }
      }
      return Optional.empty();
    });
  }

  private static boolean tokenInQueryAllowed(HttpServerRequest request) {
    return request.canUpgradeToWebSocket()
        || request.method() == HttpMethod.GET && request.path().endsWith("/events");
  }
}
