package io.pulsarproxy.ws;

import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.ProduceClient;
import io.pulsarproxy.edge.ErrorResponses;
import io.pulsarproxy.edge.auth.Access;
import io.pulsarproxy.edge.auth.Action;
import io.pulsarproxy.edge.auth.Credentials;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.edge.quota.ProduceThrottle;
import io.pulsarproxy.edge.quota.Quota;
import io.pulsarproxy.edge.quota.Quotas;
import io.pulsarproxy.edge.quota.Reservation;
import java.time.Instant;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket handshake of {@code /ws/…}: validates the path and query ({@link WsEndpoint}), reserves a socket
 * ({@link WsSessions}), opens the Pulsar producer, consumer or reader through the core services, and only then
 * accepts the upgrade: a 101 means the Pulsar side exists. Any failure before that is an HTTP status with the proxy's
 * JSON error envelope, as Pulsar's table says (400 bad parameter, 404 no topic, 409 name or subscription taken, 503…),
 * and 429 when the principal holds {@code quotas.maxWebSockets} sockets already.
 *
 * <p>Runs on the edge verticle's event loop.
 */
final class HandshakeHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);

  private final Vertx vertx;
  private final WsSessions sessions;
  private final ProxyMetrics metrics;
  private final ProduceClient producers;
  private final ConsumerClient consumers;
  private ProxyConfig config;

  HandshakeHandler(Vertx vertx, WsSessions sessions, ProxyConfig config, ProxyMetrics metrics) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.config = config;
    this.metrics = metrics;
    this.producers = new ProduceClient(vertx, config);
    this.consumers = new ConsumerClient(vertx, config);
  }

  void reconfigure(ProxyConfig newConfig) {
    config = newConfig;
    producers.reconfigure(newConfig);
    consumers.reconfigure(newConfig);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    // The Pulsar side is opened before the upgrade: keep the request unread meanwhile, or it would end and could no
    // longer be upgraded.
    request.pause();
    WsEndpoint endpoint;
    Secret token;
    Reservation quota;
    try {
      QueryParams query = QueryParams.ofUri(request.uri());
      endpoint = WsEndpoint.parse(WsPath.parse(request.path()), query);
      if (!request.canUpgradeToWebSocket()) {
        throw new ProxyException(ErrorCode.BAD_REQUEST,
            request.path() + " is a WebSocket endpoint: connect with a WebSocket client (GET with Upgrade: websocket)");
      }
      authorize(ctx, endpoint);
      token = Access.brokerToken(ctx);
      if (token == null) {
        token = tokenToForward(Credentials.of(request.getHeader(HttpHeaders.AUTHORIZATION), query.string("token")));
      }
      if (token != null && endpoint instanceof WsEndpoint.Producer p) {
        // The token is part of which producer serves the socket: every send below goes through the token's producer.
        endpoint = new WsEndpoint.Producer(p.topic(), p.options().withToken(token), p.jsonValues());
      }
      // Counted from the handshake on, so that handshakes in progress cannot get past quotas.maxWebSockets.
      quota = Quotas.of(ctx).reserve(Access.principal(ctx), Quota.WEBSOCKETS);
      try {
        sessions.admit();
      } catch (ProxyException e) {
        quota.release();
        throw e;
      }
    } catch (ProxyException e) {
      refuse(ctx, e);
      return;
    }
    String id = "ws-" + UUID.randomUUID();
    io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
    ProxyConfig c = config;
    WsEndpoint opened = endpoint;
    Principal principal = Access.principal(ctx);
    ProduceThrottle throttle = Quotas.of(ctx).throttle(principal);
    Reservation localQuota = quota;
    Secret forwarded = token;
    // Counted across the cluster too when clustered (quotas.maxWebSockets is the principal's across every node).
    Future<Reservation> counted = Quotas.of(ctx).acrossCluster(principal, Quota.WEBSOCKETS, quota);
    counted.compose(socketQuota -> open(opened, id, forwarded))
        .compose(v -> request.toWebSocket().recover(err -> {
          // The client went away before it was accepted: give back what was opened for it.
          undo(opened, id);
          return Future.failedFuture(err);
        }))
        .onComplete(done -> {
          sessions.handshakeDone();
          if (done.succeeded()) {
            accept(done.result(), opened, id, c, principal, counted.result(), throttle, trace);
            return;
          }
          localQuota.release();
          if (counted.succeeded()) {
            counted.result().release();
          }
          if (done.cause() instanceof ProxyException e) {
            refuse(ctx, e);
          } else {
            LOG.debug("WebSocket handshake on {} failed: {}", request.path(), done.cause().getMessage());
          }
        });
  }

  /** Whether the principal may use the endpoint's topics (the edge authenticated it); FORBIDDEN otherwise. */
  private static void authorize(RoutingContext ctx, WsEndpoint endpoint) {
    if (endpoint instanceof WsEndpoint.Producer p) {
      Access.check(ctx, Action.PRODUCE, p.topic().fullName());
    } else if (endpoint instanceof WsEndpoint.Consumer consumer) {
      consumer.spec().topics().forEach(topic -> Access.check(ctx, Action.CONSUME, topic));
      if (consumer.spec().topicsPattern() != null) {
        Access.checkPattern(ctx, Action.CONSUME, consumer.spec().topicsPattern());
      }
    } else if (endpoint instanceof WsEndpoint.Reader reader) {
      Access.check(ctx, Action.READ, reader.spec().topic());
    }
  }

  /**
   * The authentication hook of the handshake: the token the socket's Pulsar side acts with, or null for the proxy's
   * own credentials. The proxy does not authenticate clients itself yet; tokens are accepted so that clients written
   * for Pulsar's service work unchanged, and with {@code ws.forwardClientTokens} the broker authenticates and
   * authorises them: the producer, consumer or reader is opened by a Pulsar client that presents the client's token,
   * so a bad token is the broker's 401 and a missing permission its 403, both before the upgrade.
   */
  private Secret tokenToForward(Credentials credentials) {
    return config.ws().forwardClientTokens() ? credentials.token().orElse(null) : null;
  }

  private Future<Void> open(WsEndpoint endpoint, String id, Secret token) {
    if (endpoint instanceof WsEndpoint.Producer producer) {
      // JSON values go to the topic's typed producer, found (and checked by the broker) with the first frame.
      return producer.jsonValues() ? Future.succeededFuture()
          : producers.open(producer.topic(), producer.options()).mapEmpty();
    }
    if (endpoint instanceof WsEndpoint.Consumer consumer) {
      return consumers.open(id, consumer.spec(), token, consumer.decodeValues());
    }
    WsEndpoint.Reader reader = (WsEndpoint.Reader) endpoint;
    return consumers.open(id, reader.spec(), token, reader.decodeValues());
  }

  private void undo(WsEndpoint endpoint, String id) {
    if (endpoint instanceof WsEndpoint.Producer producer) {
      producers.release(producer.topic(), producer.options());
    } else {
      consumers.close(id, false);
    }
  }

  private void accept(ServerWebSocket socket, WsEndpoint endpoint, String id, ProxyConfig c, Principal principal,
      Reservation quota, ProduceThrottle throttle, io.opentelemetry.context.Context trace) {
    SocketSession session;
    if (endpoint instanceof WsEndpoint.Producer p) {
      ProducerSession producer = new ProducerSession(vertx, socket, sessions, id, p, principal, producers);
      producer.throttle(throttle);
      session = producer;
    } else if (endpoint instanceof WsEndpoint.Consumer consumer) {
      session = new ConsumerSession(vertx, socket, sessions, id, consumer, principal, consumers);
    } else {
      session = new ReaderSession(vertx, socket, sessions, id, (WsEndpoint.Reader) endpoint, principal,
          consumers);
    }
    session.trace(trace);
    // Every way a session ends (client close, error, idle, expiry, shutdown, a failed start) completes closed().
    session.closed().onComplete(v -> quota.release());
    try {
      session.start();
    } catch (IllegalStateException closedAlready) {
      // The client closed in the instant between the upgrade and the session's start: give back what it opened.
      session.finish();
      return;
    }
    if (!sessions.add(session)) {
      session.close(SocketSession.GOING_AWAY, "the proxy is shutting down");
      return;
    }
    closeOnExpiry(session, c);
    LOG.debug("Accepted {} socket {} on {} for {}", endpoint.role().label(), id, endpoint.describe(), principal.name());
  }

  /** A socket whose principal's token expires is closed with 1008 then ({@code auth.closeOnExpiry}). */
  private void closeOnExpiry(SocketSession session, ProxyConfig c) {
    if (!c.auth().closeOnExpiry() || session.principal.expiresAt() == null) {
      return;
    }
    long delay = Math.max(1, session.principal.expiresAt().toEpochMilli() - Instant.now().toEpochMilli());
    long timer = vertx.setTimer(delay, t -> session.close(SocketSession.POLICY_VIOLATION,
        "the token expired; reconnect with a new one"));
    session.closed().onComplete(v -> vertx.cancelTimer(timer));
  }

  private void refuse(RoutingContext ctx, ProxyException e) {
    if (e.code().httpStatus() >= 500) {
      LOG.info("WebSocket handshake on {} refused: {}", ctx.request().path(), e.getMessage());
    } else {
      LOG.debug("WebSocket handshake on {} refused: {}", ctx.request().path(), e.getMessage());
    }
    metrics.requestRejected(e.code().name().toLowerCase(Locale.ROOT));
    ctx.request().resume();
    ErrorResponses.send(ctx, e);
  }
}
