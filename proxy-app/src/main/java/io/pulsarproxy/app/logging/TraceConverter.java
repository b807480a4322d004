package io.pulsarproxy.app.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.opentelemetry.api.trace.SpanContext;
import io.pulsarproxy.core.trace.Tracing;

/**
 * {@code %trace} in a Logback pattern: {@code trace_id=… span_id=… } of the request or session the line is written
 * for, nothing outside of one. Read from the Vert.x context the line is written on ({@link Tracing#logged()}), so
 * it needs a synchronous appender (the console appender is one).
 */
public final class TraceConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    SpanContext span = Tracing.logged();
    return span.isValid() ? "trace_id=" + span.getTraceId() + " span_id=" + span.getSpanId() + " " : "";
  }
}
