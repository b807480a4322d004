package io.pulsarproxy.edge.auth;

import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What routes ask the edge about the request they serve: who it is ({@link #principal}), whether it may use a topic
 * ({@link #check}), and with which token to act at the broker ({@link #brokerToken}). Every refusal is one audit line
 * on the logger {@code io.pulsarproxy.audit}; no token ever appears in it.
 */
public final class Access {
  static final String AUTHORIZER = "pulsar-proxy.authorizer";
  private static final Logger AUDIT = LoggerFactory.getLogger("io.pulsarproxy.audit");

  private Access() {}

  public static Principal principal(RoutingContext ctx) {
    return Principal.of(ctx);
  }

  /** Passes, or throws {@code FORBIDDEN} (and writes the audit line) when the principal may not. */
  public static void check(RoutingContext ctx, Action action, String topic) {
    decide(ctx, action, topic, Authorizer::check);
  }

  /**
   * Passes when the principal may do any of {@code actions} with the topic (e.g. reading its schema), else throws
   * the refusal of the first and writes one audit line.
   */
  public static void checkAny(RoutingContext ctx, String topic, Action... actions) {
    Authorizer authorizer = ctx.get(AUTHORIZER);
    if (authorizer == null) {
      return;
    }
    ProxyException first = null;
    for (Action action : actions) {
      try {
        authorizer.check(Principal.of(ctx), action, topic);
        return;
      } catch (ProxyException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      refused(ctx, "schema", topic, first.getMessage());
      throw first;
    }
  }

  /** {@link #check} for a pattern subscription. */
  public static void checkPattern(RoutingContext ctx, Action action, String topicsPattern) {
    decide(ctx, action, topicsPattern, Authorizer::checkPattern);
  }

  private interface Decision {
    void check(Authorizer authorizer, Principal principal, Action action, String topic);
  }

  private static void decide(RoutingContext ctx, Action action, String topic, Decision decision) {
    Authorizer authorizer = ctx.get(AUTHORIZER);
    if (authorizer == null) {
      return;
    }
    try {
      decision.check(authorizer, Principal.of(ctx), action, topic);
    } catch (ProxyException e) {
      refused(ctx, action.label(), topic, e.getMessage());
      throw e;
    }
  }

  /**
   * The token to open the request's producer, consumer or reader with: the client's own with
   * {@code authorization.mode: broker}, else null (the proxy's own credentials).
   */
  public static Secret brokerToken(RoutingContext ctx) {
    Authorizer authorizer = ctx.get(AUTHORIZER);
    if (authorizer == null || !authorizer.brokerDecides()) {
      return null;
    }
    return Principal.of(ctx).token().orElse(null);
  }

  /** The one audit line of a refused authentication or authorisation. */
  static void refused(RoutingContext ctx, String action, String topic, String reason) {
    Principal principal = ctx.get(Principal.KEY);
    AUDIT.info("refused principal={} remote={} method={} path={} action={} topic={} reason=\"{}\"",
        principal == null ? "-" : principal.name(), ctx.request().remoteAddress(), ctx.request().method(),
        ctx.request().path(), action, topic == null ? "-" : topic, reason);
  }
}
