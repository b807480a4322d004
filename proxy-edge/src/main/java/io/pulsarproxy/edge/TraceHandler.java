package io.pulsarproxy.edge;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.pulsarproxy.core.trace.Tracing;
import io.pulsarproxy.edge.auth.Principal;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every request, WebSocket handshake and SSE request: answers with the request's
 * {@code traceparent} (Vert.x's tracing took the client's {@code traceparent} and {@code tracestate} as the parent of
 * the request's span, or started a new trace when they were absent or malformed), and writes the access log line
 * ({@code log.access}) when the request ends.
 */
final class TraceHandler implements Handler<RoutingContext> {
  /** The logger of the access log. */
  static final String ACCESS_LOGGER = "io.pulsarproxy.access";
  private static final Logger ACCESS = LoggerFactory.getLogger(ACCESS_LOGGER);
  /** Query parameters that carry credentials: their values never reach a log. */
  private static final Pattern SECRET_PARAMETER =
      Pattern.compile("(?i)([?&](?:token|access_token|api_key|apikey)=)[^&#]*");

  private volatile boolean accessLog;

  TraceHandler(boolean accessLog) {
    this.accessLog = accessLog;
  }

  void accessLog(boolean enabled) {
    accessLog = enabled;
  }

  @Override
  public void handle(RoutingContext ctx) {
    SpanContext span = Tracing.currentSpan();
    String traceparent = Tracing.traceparent(span);
    if (traceparent != null) {
      ctx.response().putHeader(Tracing.TRACEPARENT, traceparent);
    }
    if (accessLog) {
      long start = System.nanoTime();
      ctx.addEndHandler(v -> {
        // The request's span current again while the line is written, so that its trace and span ids are the line's
        // own fields too (log.format json), not only part of its text.
        try (Scope scope = Context.current().with(Span.wrap(span)).makeCurrent()) {
          ACCESS.info("{} {} {} {} bytes {} ms principal={} trace_id={}",
              ctx.request().method(), redact(ctx.request().uri()), ctx.response().getStatusCode(),
              ctx.response().bytesWritten(), (System.nanoTime() - start) / 1_000_000, Principal.of(ctx).name(),
              span.isValid() ? span.getTraceId() : "-");
        }
      });
    }
    ctx.next();
  }

  /** The request's path and query with the values of credential parameters ({@code token}, ...) replaced. */
  static String redact(String uri) {
    return uri.indexOf('?') < 0 ? uri : SECRET_PARAMETER.matcher(uri).replaceAll("$1***");
  }
}
