package io.pulsarproxy.edge;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one JSON error envelope of every route: {@code {"error":"CODE","message":"…","details":[{"field","message"}]}},
 * with {@code Retry-After} when retrying later can help.
 */
public final class ErrorResponses {
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
}
