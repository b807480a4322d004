package io.pulsarproxy.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.trace.SpanContext;
import io.pulsarproxy.core.trace.Tracing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code log.format: json}: one JSON object a line, {@code timestamp} (ISO-8601), {@code level}, {@code thread},
 * {@code logger}, {@code message}, {@code trace_id} and {@code span_id} (of the request or session the line is
 * written for, as {@link TraceConverter}), {@code mdc} when set, {@code exception} (the stack trace) when there is one.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("timestamp", event.getInstant().toString());
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("message", event.getFormattedMessage());
      SpanContext span = Tracing.logged();
      if (span.isValid()) {
        json.writeStringField("trace_id", span.getTraceId());
        json.writeStringField("span_id", span.getSpanId());
      }
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null && !mdc.isEmpty()) {
        json.writeObjectFieldStart("mdc");
        for (Map.Entry<String, String> entry : mdc.entrySet()) {
          json.writeStringField(entry.getKey(), entry.getValue());
        }
        json.writeEndObject();
      }
      if (event.getThrowableProxy() != null) {
        json.writeStringField("exception", ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }
}
