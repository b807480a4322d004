package io.pulsarproxy.http.consume;

import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.trace.Tracing;
import io.pulsarproxy.core.schema.decode.DecodedValue;
import io.pulsarproxy.core.schema.decode.PrimitiveJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.LinkedHashMap;

/**
 * A received message as JSON, the same for polls, SSE events and reads: {@code messageId}, {@code topic},
 * {@code key}, {@code properties}, {@code publishTime}, {@code eventTime} (null when not set),
 * {@code redeliveryCount}, {@code traceparent} (the property of that name, when the message has it) and the body in the requested {@link BodyFormat}. A body that is not valid in that format
 * is given in the next format that fits (JSON → text → base64) and {@code formatFallback} says which and why, so a
 * client never loses a message to a decoding problem.
 *
 * <p>A message written with a schema says which version ({@code schemaVersion}); in {@code json} it comes decoded
 * with that version into its natural JSON {@code value}, or, when it cannot be, as base64 {@code payload} with the
 * short reason in {@code decodeError}.
 */
public final class MessageJson {
  private MessageJson() {}

  public static JsonObject of(InboundMessage m, BodyFormat format) {
    JsonObject json = new JsonObject()
        .put("messageId", m.messageId())
        .put("topic", m.topic())
        .put("key", m.key())
        .put("properties", new JsonObject(new LinkedHashMap<>(m.properties())))
        .put("publishTime", m.publishTime())
        .put("eventTime", m.eventTime() > 0 ? m.eventTime() : null)
        .put("redeliveryCount", m.redeliveryCount());
    String traceparent = m.properties().get(Tracing.TRACEPARENT);
    if (traceparent != null) {
      // The producer's trace context, at the top for SSE clients that continue the trace.
      json.put(Tracing.TRACEPARENT, traceparent);
    }
    byte[] body = m.payload();
    if (m.schemaVersion() != null) {
      json.put("schemaVersion", m.schemaVersion());
    }
    DecodedValue decoded = m.decoded();
    if (format == BodyFormat.JSON && decoded != null) {
      return decoded.failed()
          ? json.put("payload", base64(body)).put("decodeError", decoded.error())
          : json.put("value", decoded.value());
    }
    if (format == BodyFormat.JSON) {
      if (body.length > 0) {
        try {
          return json.put("value", Json.decodeValue(Buffer.buffer(body)));
        } catch (DecodeException notJson) {
          // given as text or base64 below
        }
      }
      String text = utf8(body);
      return text != null
          ? json.put("text", text).put("formatFallback", "text (the body is not JSON)")
          : json.put("payload", base64(body)).put("formatFallback", "base64 (the body is neither JSON nor UTF-8)");
    }
    if (format == BodyFormat.TEXT) {
      String text = utf8(body);
      return text != null
          ? json.put("text", text)
          : json.put("payload", base64(body)).put("formatFallback", "base64 (the body is not UTF-8)");
    }
    return json.put("payload", base64(body));
  }

  private static String base64(byte[] body) {
    return Base64.getEncoder().encodeToString(body);
  }

  /** The body as text, or null when it is not valid UTF-8. */
  private static String utf8(byte[] body) {
    return PrimitiveJson.strictUtf8(body);
  }
}
