package io.pulsarproxy.edge;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

/**
 * The one JSON error envelope of every route: {@code {"error":"CODE","message":"…","details":[{"field","message"}]}},
 * with {@code Retry-After} when retrying later can help.
 */
public final class ErrorResponses {
  /** Context data: the error code of the envelope sent, for the error counter. */
  public static final String SENT_CODE = "pulsar-proxy.error.code";
  /** Context data: the path template of the route that sent it, or {@code none}. */
  public static final String SENT_ROUTE = "pulsar-proxy.error.route";
  /** Context data: the path template of the API route the request reached. */
  private static final String ROUTE_TEMPLATE = "pulsar-proxy.route";

  private ErrorResponses() {}

  public static JsonObject envelope(ProxyException e) {
    JsonArray details = new JsonArray();
    e.details().forEach(d -> details.add(new JsonObject().put("field", d.field()).put("message", d.message())));
    return new JsonObject().put("error", e.code().name()).put("message", e.getMessage()).put("details", details);
  }

  /** Ends the response with the envelope of {@code e}, adding fields of {@code extra} (e.g. per-message results). */
  public static void send(RoutingContext ctx, ProxyException e, JsonObject extra) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    JsonObject body = envelope(e);
    if (extra != null) {
      body.mergeIn(extra);
    }
    ErrorCode code = e.code();
    ctx.put(SENT_CODE, code.name());
    ctx.put(SENT_ROUTE, route(ctx));
    response.setStatusCode(code.httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (code == ErrorCode.UNAUTHENTICATED) {
      response.putHeader("WWW-Authenticate", e.getMessage().startsWith("invalid token")
          ? "Bearer realm=\"pulsar-proxy\", error=\"invalid_token\"" : "Bearer realm=\"pulsar-proxy\"");
    }
    if (e.retryAfterSeconds() > 0) {
      response.putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
    }
    response.end(body.toBuffer());
  }

  public static void send(RoutingContext ctx, ProxyException e) {
    send(ctx, e, null);
  }

  /**
   * The first handler of an API route: notes its path template, which the error counter labels errors with (a
   * failure handler runs outside the route, so the route that failed is not known there otherwise).
   */
  public static Handler<RoutingContext> routeTemplate(String template) {
    return ctx -> {
      ctx.put(ROUTE_TEMPLATE, template);
      ctx.next();
    };
  }

  /**
   * The path template of the route handling {@code ctx} ({@code /api/v1/topics/:domain/...}), never the raw path, or
   * {@code none} before an API route is reached (admission, authentication, quotas, unknown paths).
   */
  static String route(RoutingContext ctx) {
    String template = ctx.get(ROUTE_TEMPLATE);
    if (template != null) {
      return template;
    }
    Route route = ctx.currentRoute();
    String path = route == null ? null : route.getPath();
    return path == null ? "none" : path;
  }
}
