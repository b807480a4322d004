package io.pulsarproxy.ws;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.error.JsonErrors;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.produce.OutgoingMessage;
import io.pulsarproxy.core.schema.decode.DecodedValue;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.client.api.MessageId;

/**
 * The JSON text frames of Pulsar's WebSocket API, both ways. Input follows Pulsar's (Jackson's) leniency: unknown
 * fields are ignored and a number or boolean where a string is expected is taken as its text. Output omits nulls and
 * always carries {@code properties} as an object, {@code errorCode} and {@code schemaVersion} in producer acks.
 */
final class Frames {
  /** {@code send-error:3}: the frame is not JSON or not of the expected shape. */
  static final String BAD_JSON = "send-error:3";
  /** {@code send-error:7}: the payload or another message field is invalid. */
  static final String BAD_PAYLOAD = "send-error:7";
  /** {@code send-error:8}: the send itself failed. */
  static final String SEND_FAILED = "send-error:8";

  /** Pulsar writes times in the JVM's zone with its offset, e.g. {@code 2024-01-02T04:04:05.678+01:00}. */
  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneId.systemDefault());

  private Frames() {}

  /** A producer frame: the message to send, or the ack that refuses it. Context is kept either way. */
  record ProducerFrame(OutgoingMessage message, String context, JsonObject refusal) {}

  /** A consumer or reader command; {@code type} is null for a plain acknowledgement. */
  record Command(String type, String messageId, Integer permitMessages) {}

  /** Thrown for a consumer command that cannot be understood; the socket is closed with the message. */
  static final class BadCommand extends Exception {
    BadCommand(String message) {
      super(message, null, false, false);
    }
  }

  static ProducerFrame producerFrame(String text) {
    return producerFrame(text, false);
  }

  /**
   * A producer frame; with {@code jsonValues} ({@code ?valueFormat=json}) it may carry a JSON {@code value} instead
   * of {@code payload}, which the produce service encodes to the topic's schema.
   */
  static ProducerFrame producerFrame(String text, boolean jsonValues) {
    ProducerFrame fast = jsonValues ? null : PayloadSpan.producerFrame(text);
    if (fast != null) {
      return fast;
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return refused(null, BAD_JSON, "the frame is not a JSON object: " + (e instanceof DecodeException
          ? JsonErrors.describe(e) : "it is another JSON value"));
    }
    if (jsonValues && json.getValue("value") != null && json.getValue("payload") == null) {
      Object value = json.getValue("value");
      ProducerFrame frame = producerFrame(json.copy().put("payload", ""), new byte[0]);
      if (frame.refusal() != null) {
        return frame;
      }
      OutgoingMessage m = frame.message();
      return new ProducerFrame(new OutgoingMessage(io.vertx.core.json.Json.encode(value).getBytes(
          java.nio.charset.StandardCharsets.UTF_8), m.key(), m.properties(), m.eventTime(), m.deliverAt(),
          m.deliverAfterMs(), m.sequenceId(), m.replicationClusters()).withValue(value), frame.context(), null);
    }
    return producerFrame(json, null);
  }

  /**
   * The frame's message from its parsed JSON; {@code decoded} is the payload when it was already decoded from the
   * frame's text (the JSON then holds an empty string in its place), else null.
   */
  static ProducerFrame producerFrame(JsonObject json, byte[] decoded) {
    // As in Pulsar, a field of the wrong shape fails the frame as a whole (3) before its values are checked (7).
    String context;
    String payload;
    String key;
    String eventTime;
    Map<String, String> properties;
    Long deliverAt;
    Long deliverAfterMs;
    List<String> replicationClusters;
    try {
      context = string(json, "context");
    } catch (IllegalArgumentException e) {
      return refused(null, BAD_JSON, e.getMessage());
    }
    try {
      payload = string(json, "payload");
      key = string(json, "key");
      eventTime = string(json, "eventTime");
      properties = properties(json);
      deliverAt = positive(json, "deliverAt");
      deliverAfterMs = positive(json, "deliverAfterMs");
      replicationClusters = strings(json, "replicationClusters");
    } catch (IllegalArgumentException e) {
      return refused(context, BAD_JSON, e.getMessage());
    }
    if (payload == null) {
      return refused(context, BAD_PAYLOAD, "payload is missing");
    }
    byte[] bytes = decoded;
    if (bytes == null) {
      try {
        bytes = Base64.getDecoder().decode(payload);
      } catch (IllegalArgumentException e) {
        return refused(context, BAD_PAYLOAD, "payload is not valid base64: " + e.getMessage());
      }
    }
    if (properties == null) {
      return refused(context, BAD_PAYLOAD, "a property value is null");
    }
    Long eventMillis;
    try {
      eventMillis = time(eventTime);
    } catch (DateTimeParseException e) {
      return refused(context, BAD_PAYLOAD, "eventTime is not an ISO-8601 time with offset: " + eventTime);
    }
    return new ProducerFrame(new OutgoingMessage(bytes, key, properties, eventMillis, deliverAt, deliverAfterMs, null,
        replicationClusters), context, null);
  }

  static JsonObject ack(MessageId id, String context) {
    return new JsonObject(okAck(id, context));
  }

  /**
   * The text of an ok ack, written without building a {@link JsonObject} (one per message on the produce path):
   * the same fields, in the same order, as {@link #ack(String, String, String, String)} encodes.
   */
  static String okAck(MessageId id, String context) {
    return okAck(id, context, null);
  }

  /** {@link #okAck(MessageId, String)} with the schema version the message carries (0 when it has none). */
  static String okAck(MessageId id, String context, Long schemaVersion) {
    String messageId = MessageIds.encode(id);
    StringBuilder text = new StringBuilder(64 + messageId.length() + (context == null ? 0 : context.length()))
        .append("{\"result\":\"ok\",\"messageId\":\"").append(messageId).append('"');
    if (context != null) {
      quoted(text.append(",\"context\":"), context);
    }
    return text.append(",\"errorCode\":0,\"schemaVersion\":").append(schemaVersion == null ? 0 : schemaVersion)
        .append('}').toString();
  }

  /** Appends {@code s} as a JSON string (Jackson's escaping, as {@link JsonObject#encode()} would write it). */
  private static void quoted(StringBuilder out, String s) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, out);
    out.append('"');
  }

  static JsonObject refusal(String result, String errorMsg, String context) {
    return ack(result, errorMsg, null, context);
  }

  static JsonObject refusal(ProxyException error, String context) {
    return ack(error.code().wsResult(), error.getMessage(), null, context);
  }

  private static JsonObject ack(String result, String errorMsg, String messageId, String context) {
    JsonObject ack = new JsonObject().put("result", result);
    if (errorMsg != null) {
      ack.put("errorMsg", errorMsg);
    }
    if (messageId != null) {
      ack.put("messageId", messageId);
    }
    if (context != null) {
      ack.put("context", context);
    }
    return ack.put("errorCode", 0).put("schemaVersion", 0);
  }

  /**
   * A message as consumers and readers receive it, written without building a {@link JsonObject} (one per message
   * delivered): the fields and escaping {@link JsonObject#encode()} would give, in this order: messageId, payload
   * (base64), properties, publishTime, redeliveryCount, then eventTime and key when set.
   */
  static String message(InboundMessage m) {
    String payload = Base64.getEncoder().encodeToString(m.payload());
    StringBuilder text = new StringBuilder(160 + payload.length() + m.messageId().length())
        .append("{\"messageId\":");
    quoted(text, m.messageId());
    // base64 needs no escaping
    text.append(",\"payload\":\"").append(payload).append("\",\"properties\":{");
    boolean first = true;
    for (Map.Entry<String, String> property : m.properties().entrySet()) {
      if (!first) {
        text.append(',');
      }
      first = false;
      quoted(text, property.getKey());
      quoted(text.append(':'), property.getValue());
    }
    text.append("},\"publishTime\":\"").append(TIME.format(Instant.ofEpochMilli(m.publishTime())))
        .append("\",\"redeliveryCount\":").append(m.redeliveryCount());
    if (m.eventTime() != 0) {
      text.append(",\"eventTime\":\"").append(TIME.format(Instant.ofEpochMilli(m.eventTime()))).append('"');
    }
    if (m.key() != null) {
      quoted(text.append(",\"key\":"), m.key());
    }
    DecodedValue decoded = m.decoded();
    if (decoded != null) {
      // Only sessions opened with valueFormat=json decode: every other frame stays exactly Pulsar's.
      if (m.schemaVersion() != null) {
        text.append(",\"schemaVersion\":").append(m.schemaVersion());
      }
      if (decoded.failed()) {
        quoted(text.append(",\"decodeError\":"), decoded.error());
      } else {
        text.append(",\"value\":").append(Json.encode(decoded.value()));
      }
    }
    return text.append('}').toString();
  }

  static String endOfTopic(boolean reached) {
    return new JsonObject().put("endOfTopic", reached).encode();
  }

  /** Parses a consumer or reader command frame. */
  static Command command(String text) throws BadCommand {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new BadCommand("not a JSON object");
    }
    try {
      Object permits = json.getValue("permitMessages");
      Integer permitMessages = null;
      if (permits instanceof Integer || permits instanceof Long) {
        permitMessages = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, ((Number) permits).longValue()));
      } else if (permits instanceof String s) {
        try {
          permitMessages = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
          throw new BadCommand("permitMessages is not a whole number");
        }
      } else if (permits != null) {
        throw new BadCommand("permitMessages is not a whole number");
      }
      return new Command(string(json, "type"), string(json, "messageId"), permitMessages);
    } catch (IllegalArgumentException e) {
      throw new BadCommand(e.getMessage());
    }
  }

  /** The id of an ack or nack command, checked to be a Pulsar message id. */
  static String messageId(Command command) throws BadCommand {
    if (command.messageId() == null) {
      throw new BadCommand("messageId is missing");
    }
    try {
      MessageIds.decode(command.messageId(), "messageId");
    } catch (ProxyException e) {
      throw new BadCommand("messageId is not a Pulsar message id");
    }
    return command.messageId();
  }

  private static ProducerFrame refused(String context, String result, String message) {
    return new ProducerFrame(null, context, refusal(result, message, context));
  }

  /** A string field; numbers and booleans are taken as their text; objects and arrays are refused. */
  private static String string(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    throw new IllegalArgumentException(field + " must be a string");
  }

  /** Null when a value is null (Pulsar refuses that with send-error:7). */
  private static Map<String, String> properties(JsonObject json) {
    Object raw = json.getValue("properties");
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject object)) {
      throw new IllegalArgumentException("properties must be an object of strings");
    }
    Map<String, String> properties = new LinkedHashMap<>();
    for (String key : object.fieldNames()) {
      if (object.getValue(key) == null) {
        return null;
      }
      properties.put(key, string(object, key));
    }
    return properties;
  }

  /** Epoch ms; 0, negative or absent mean "not set", as in Pulsar. */
  private static Long positive(JsonObject json, String field) {
    Object raw = json.getValue(field);
    long value;
    if (raw == null) {
      return null;
    } else if (raw instanceof Integer || raw instanceof Long) {
      value = ((Number) raw).longValue();
    } else if (raw instanceof String s) {
      try {
        value = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(field + " must be a whole number");
      }
    } else {
      throw new IllegalArgumentException(field + " must be a whole number");
    }
    return value > 0 ? value : null;
  }

  private static List<String> strings(JsonObject json, String field) {
    Object raw = json.getValue(field);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonArray array)) {
      throw new IllegalArgumentException(field + " must be an array of strings");
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String s)) {
        throw new IllegalArgumentException(field + " must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  private static Long time(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return Instant.parse(iso).toEpochMilli();
    }
  }
}
