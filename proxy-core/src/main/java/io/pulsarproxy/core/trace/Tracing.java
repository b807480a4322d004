package io.pulsarproxy.core.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/**
 * The proxy's OpenTelemetry: W3C trace context ({@code traceparent}, {@code tracestate}) as the only propagation
 * format, and spans from the tracer {@link #use} installs. Vert.x takes its tracer when it is built, before the
 * configuration is loaded; this object hands every span builder on to the tracer installed since, so one instance is
 * given to Vert.x ({@code OpenTelemetryOptions}) and to the verticles that start spans of their own. Until
 * {@link #use} is called it behaves as OpenTelemetry's no-op (no ids, nothing recorded).
 *
 * <p>Vert.x keeps the current trace context in the local data of the request's (duplicated) Vert.x context, not in
 * a thread-local: {@link Context#current()} on an event loop is the context of the request or message being handled.
 */
public final class Tracing implements OpenTelemetry {
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  /** Tracing that never records and never starts a trace (verticles built without one). */
  public static final Tracing NOOP = new Tracing();

  private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final ContextPropagators PROPAGATORS = ContextPropagators.create(W3C);
  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private volatile Tracer installed = OpenTelemetry.noop().getTracer("io.pulsarproxy");
  private final Tracer tracer = name -> installed.spanBuilder(name);
  private final TracerProvider provider = new TracerProvider() {
    @Override
    public Tracer get(String instrumentationScopeName) {
      return tracer;
    }

    @Override
    public Tracer get(String instrumentationScopeName, String instrumentationScopeVersion) {
      return tracer;
    }
  };

  /** Starts spans with {@code delegate} from now on (the configured SDK's tracer). */
  public void use(Tracer delegate) {
    installed = delegate;
  }

  /** The tracer of the proxy's own spans. */
  public Tracer tracer() {
    return tracer;
  }

  @Override
  public TracerProvider getTracerProvider() {
    return provider;
  }

  @Override
  public ContextPropagators getPropagators() {
    return PROPAGATORS;
  }

  /**
   * The trace context of {@code context} as message properties: {@code traceparent}, and {@code tracestate} when not
   * empty. Empty when the context holds no valid span.
   */
  public static Map<String, String> properties(Context context) {
    Map<String, String> carrier = new HashMap<>(2);
    W3C.inject(context, carrier, Map::put);
    return carrier;
  }

  /**
   * The trace context that {@code carrier} (headers or message properties, keys in lower case) holds; the root
   * context when it holds none or a malformed one (a span started under it then starts a new trace).
   */
  public static Context extract(Map<String, String> carrier) {
    return W3C.extract(Context.root(), carrier, MAP_GETTER);
  }

  /** The {@code traceparent} of {@code span}, or null when it has no valid ids. */
  public static String traceparent(SpanContext span) {
    return properties(Context.root().with(Span.wrap(span))).get(TRACEPARENT);
  }

  /** The span current on this Vert.x context (the request's or message's), invalid outside of one. */
  public static SpanContext currentSpan() {
    return Span.current().getSpanContext();
  }

  /**
   * The span a log line written now belongs to: the one current on the Vert.x context the line is written on; invalid
   * on any other thread (a Pulsar callback before it hopped back), where OpenTelemetry would fall back to a
   * thread-local.
   */
  public static SpanContext logged() {
    return Vertx.currentContext() == null ? SpanContext.getInvalid() : currentSpan();
  }
}
