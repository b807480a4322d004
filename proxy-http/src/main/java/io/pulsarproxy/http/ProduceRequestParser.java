package io.pulsarproxy.http;

import io.pulsarproxy.config.HttpConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.JsonErrors;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.ProxyException.Detail;
import io.pulsarproxy.core.produce.OutgoingMessage;
import io.pulsarproxy.core.schema.ProducerSchema;
import io.pulsarproxy.core.schema.SchemaDefinitions;
import io.pulsarproxy.core.schema.SchemaSpec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a produce request body into validated {@link OutgoingMessage}s. Every problem is collected and reported at
 * once, each naming its field ({@code messages[2].payload}); nothing is sent when any message is bad.
 */
public final class ProduceRequestParser {
  /** Request headers that carry the message metadata of a raw (non-JSON) body. */
  public static final String KEY_HEADER = "Pulsar-Key";
  public static final String PROPERTIES_HEADER = "Pulsar-Properties";
  public static final String EVENT_TIME_HEADER = "Pulsar-Event-Time";
  public static final String DELIVER_AT_HEADER = "Pulsar-Deliver-At";
  public static final String DELIVER_AFTER_HEADER = "Pulsar-Deliver-After-Ms";
  public static final String SEQUENCE_ID_HEADER = "Pulsar-Sequence-Id";

  /** The fields of one message of a JSON body; any other is refused, named, rather than ignored. */
  static final Set<String> MESSAGE_FIELDS = Set.of("value", "text", "payload", "key", "properties", "eventTime",
      "deliverAt", "deliverAfterMs", "sequenceId");

  /** How a body is read, from its {@code Content-Type}. */
  public enum BodyKind {
    /** {@code {"messages":[…]}}. */
    JSON,
    /** The body is the payload of one message. */
    RAW
  }

  private static final String KNOWN_FIELDS = "value, text or payload, and key, properties, eventTime, deliverAt, "
      + "deliverAfterMs, sequenceId";

  private final HttpConfig limits;

  public ProduceRequestParser(HttpConfig limits) {
    this.limits = limits;
  }

  /**
   * {@code application/json} is a JSON body; an HTML form's types are refused with 415 (what {@code curl -d} sends
   * unless told otherwise: storing the form's text as a payload is never what was meant); any other type, or none,
   * is a raw payload.
   */
  public static BodyKind bodyKind(String contentType) {
    if (contentType == null) {
      return BodyKind.RAW;
    }
    String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (mime.equals("application/json")) {
      return BodyKind.JSON;
    }
    if (mime.equals("application/x-www-form-urlencoded") || mime.equals("multipart/form-data")) {
      String message = "'" + mime + "' is not accepted: send application/json ({\"messages\":[…]}), or the payload "
          + "of one message as is with its own type (e.g. application/octet-stream, text/plain)";
      throw new ProxyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type: " + message,
          List.of(new Detail("Content-Type", message)));
    }
    return BodyKind.RAW;
  }

  /** Fields of the body besides {@code messages}: the schema its values were written against (typed topics). */
  static final Set<String> SCHEMA_FIELDS = Set.of("schemaVersion", "valueSchema", "keySchema", "keyValueEncoding");

  /**
   * A JSON body: its messages, and the schema it names ({@code schemaVersion}, or {@code valueSchema} with an
   * optional {@code keySchema}), or null.
   */
  public record JsonBody(List<OutgoingMessage> messages, SchemaSpec schema) {}

  /** Parses {@code {"messages":[…]}}. */
  public List<OutgoingMessage> parseJson(Buffer body) {
    return parseJsonBody(body).messages();
  }

  /** Parses {@code {"messages":[…], "schemaVersion": N}} or {@code {"messages":[…], "valueSchema": {…}}}. */
  public JsonBody parseJsonBody(Buffer body) {
    JsonObject root;
    try {
      Object parsed = body == null || body.length() == 0 ? null : Json.decodeValue(body);
      if (!(parsed instanceof JsonObject o)) {
        throw ProxyException.badField("body", "must be a JSON object with a 'messages' array");
      }
      root = o;
    } catch (DecodeException e) {
      throw ProxyException.badField("body", JsonErrors.describe(e));
    }
    for (String name : root.fieldNames()) {
      if (!"messages".equals(name) && !SCHEMA_FIELDS.contains(name)) {
        throw ProxyException.badField(name, "is not a known field (the body is {\"messages\":[…]}, with "
            + "schemaVersion or valueSchema and keySchema for a typed topic)");
      }
    }
    SchemaSpec schema = schemaSpec(root);
    Object messages = root.getValue("messages");
    if (!(messages instanceof JsonArray array)) {
      throw ProxyException.badField("messages", messages == null ? "is missing" : "must be an array");
    }
    if (array.isEmpty()) {
      throw ProxyException.badField("messages", "must not be empty");
    }
    if (array.size() > limits.maxMessagesPerRequest()) {
      throw ProxyException.badField("messages", "has " + array.size() + " messages; at most "
          + limits.maxMessagesPerRequest() + " are allowed per request (http.maxMessagesPerRequest)");
    }
    List<Detail> problems = new ArrayList<>();
    List<Detail> tooLarge = new ArrayList<>();
    List<OutgoingMessage> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String at = "messages[" + i + "]";
      Object item = array.getValue(i);
      if (!(item instanceof JsonObject m)) {
        problems.add(new Detail(at, "must be an object"));
        continue;
      }
      OutgoingMessage message = parseMessage(m, at, problems, tooLarge);
      if (message != null) {
        out.add(message);
      }
    }
    throwIfAny(problems, tooLarge);
    return new JsonBody(out, schema);
  }

  private static SchemaSpec schemaSpec(JsonObject root) {
    List<Detail> problems = new ArrayList<>();
    Long version = nonNegativeLong(root.getValue("schemaVersion"), "schemaVersion", problems);
    Object valueSchema = root.getValue("valueSchema");
    Object keySchema = root.getValue("keySchema");
    Object encoding = root.getValue("keyValueEncoding");
    if (valueSchema == null && (keySchema != null || encoding != null)) {
      problems.add(new Detail("valueSchema", "is needed with keySchema"));
    }
    if (version != null && valueSchema != null) {
      problems.add(new Detail("schemaVersion", "give either schemaVersion or valueSchema, not both"));
    }
    ProducerSchema given = valueSchema == null ? null
        : SchemaDefinitions.of(valueSchema, keySchema, encoding, problems);
    throwIfAny(problems, List.of());
    return version == null && given == null ? null : new SchemaSpec(version, given);
  }

  /** A raw body is the payload of one message; its metadata comes from the {@code Pulsar-*} headers. */
  public OutgoingMessage parseRaw(Buffer body, MultiMap headers) {
    List<Detail> problems = new ArrayList<>();
    List<Detail> tooLarge = new ArrayList<>();
    byte[] payload = body == null ? new byte[0] : body.getBytes();
    checkSize(payload.length, "body", tooLarge);
    Map<String, String> properties = Map.of();
    String rawProperties = headers.get(PROPERTIES_HEADER);
    if (rawProperties != null) {
      try {
        Object parsed = Json.decodeValue(rawProperties);
        properties = parsed instanceof JsonObject o ? properties(o, PROPERTIES_HEADER, problems) : null;
        if (properties == null) {
          problems.add(new Detail(PROPERTIES_HEADER, "must be a JSON object of strings"));
        }
      } catch (DecodeException e) {
        problems.add(new Detail(PROPERTIES_HEADER, "must be a JSON object of strings, e.g. {\"k\":\"v\"}"));
      }
    }
    Long eventTime = eventTime(headerValue(headers, EVENT_TIME_HEADER), EVENT_TIME_HEADER, problems);
    Long deliverAt = nonNegativeLong(headerValue(headers, DELIVER_AT_HEADER), DELIVER_AT_HEADER, problems);
    Long deliverAfter = nonNegativeLong(headerValue(headers, DELIVER_AFTER_HEADER), DELIVER_AFTER_HEADER, problems);
    Long sequenceId = nonNegativeLong(headerValue(headers, SEQUENCE_ID_HEADER), SEQUENCE_ID_HEADER, problems);
    throwIfAny(problems, tooLarge);
    return new OutgoingMessage(payload, headers.get(KEY_HEADER), properties, eventTime, deliverAt, deliverAfter,
        sequenceId);
  }

  private OutgoingMessage parseMessage(JsonObject m, String at, List<Detail> problems, List<Detail> tooLarge) {
    int before = problems.size();
    for (String name : m.fieldNames()) {
      if (!MESSAGE_FIELDS.contains(name)) {
        problems.add(new Detail(at + "." + name, "is not a known field (a message has " + KNOWN_FIELDS + ")"));
      }
    }
    Object value = m.getValue("value");
    Object text = m.getValue("text");
    Object payload = m.getValue("payload");
    int bodies = (value != null ? 1 : 0) + (text != null ? 1 : 0) + (payload != null ? 1 : 0);
    byte[] bytes = null;
    long valueSize = -1;
    if (bodies != 1) {
      problems.add(new Detail(at, bodies == 0
          ? "needs one of 'value', 'text' or 'payload'"
          : "has more than one of 'value', 'text' and 'payload'; give exactly one"));
    } else if (value != null) {
      // The value's JSON text on a topic without a schema, written only there; encoded to the schema on a typed
      // topic. Its size is counted here, for the size limit and the quota.
      valueSize = JsonTextSize.of(value);
      bytes = new byte[0];
      checkSize(valueSize, at, tooLarge);
    } else if (text != null) {
      if (text instanceof String s) {
        bytes = s.getBytes(StandardCharsets.UTF_8);
      } else {
        problems.add(new Detail(at + ".text", "must be a string"));
      }
    } else if (payload instanceof String s) {
      try {
        bytes = Base64.getDecoder().decode(s);
      } catch (IllegalArgumentException e) {
        problems.add(new Detail(at + ".payload", "is not valid standard base64"));
      }
    } else {
      problems.add(new Detail(at + ".payload", "must be a base64 string"));
    }
    if (bytes != null && value == null) {
      checkSize(bytes.length, at, tooLarge);
    }
    Object key = m.getValue("key");
    if (key != null && !(key instanceof String)) {
      problems.add(new Detail(at + ".key", "must be a string"));
    }
    Map<String, String> properties = Map.of();
    Object props = m.getValue("properties");
    if (props instanceof JsonObject o) {
      properties = properties(o, at + ".properties", problems);
    } else if (props != null) {
      problems.add(new Detail(at + ".properties", "must be an object of string values"));
    }
    Long eventTime = eventTime(m.getValue("eventTime"), at + ".eventTime", problems);
    Long deliverAt = nonNegativeLong(m.getValue("deliverAt"), at + ".deliverAt", problems);
    Long deliverAfter = nonNegativeLong(m.getValue("deliverAfterMs"), at + ".deliverAfterMs", problems);
    Long sequenceId = nonNegativeLong(m.getValue("sequenceId"), at + ".sequenceId", problems);
    if (problems.size() > before || bytes == null) {
      return null;
    }
    OutgoingMessage message = new OutgoingMessage(bytes, (String) key, properties, eventTime, deliverAt,
        deliverAfter, sequenceId);
    return value != null ? message.withValue(value, valueSize) : message;
  }

  private void checkSize(long length, String at, List<Detail> tooLarge) {
    if (length > limits.maxMessageBytes()) {
      tooLarge.add(new Detail(at, "is " + length + " bytes; at most " + limits.maxMessageBytes()
          + " are allowed per message (http.maxMessageSize)"));
    }
  }

  private static Map<String, String> properties(JsonObject o, String at, List<Detail> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : o) {
      if (e.getValue() instanceof String s) {
        out.put(e.getKey(), s);
      } else {
        problems.add(new Detail(at + "." + e.getKey(), "must be a string"));
      }
    }
    return out;
  }

  /** Epoch milliseconds (number or digits) or an ISO-8601 instant / offset date-time. */
  static Long eventTime(Object raw, String field, List<Detail> problems) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof String s && !s.isEmpty() && !s.chars().allMatch(Character::isDigit)) {
      try {
        return OffsetDateTime.parse(s).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        try {
          return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e2) {
          problems.add(new Detail(field, "'" + s + "' is neither epoch milliseconds nor an ISO-8601 time"));
          return null;
        }
      }
    }
    Long ms = nonNegativeLong(raw, field, problems);
    if (ms != null && ms == 0) {
      problems.add(new Detail(field, "must be greater than 0"));
      return null;
    }
    return ms;
  }

  /**
   * A whole number ≥ 0 given as a JSON number or as digits; null (after adding a problem naming {@code field}) when
   * it is not one, and null when {@code raw} is.
   */
  public static Long nonNegativeLong(Object raw, String field, List<Detail> problems) {
    if (raw == null) {
      return null;
    }
    long value;
    if (raw instanceof Integer || raw instanceof Long) {
      value = ((Number) raw).longValue();
    } else if (raw instanceof String s) {
      try {
        value = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        problems.add(new Detail(field, "'" + s + "' is not a whole number"));
        return null;
      }
    } else {
      problems.add(new Detail(field, "'" + raw + "' is not a whole number"));
      return null;
    }
    if (value < 0) {
      problems.add(new Detail(field, "must not be negative"));
      return null;
    }
    return value;
  }

  private static String headerValue(MultiMap headers, String name) {
    return headers.get(name);
  }

  private static void throwIfAny(List<Detail> problems, List<Detail> tooLarge) {
    if (!problems.isEmpty()) {
      throw new ProxyException(ErrorCode.BAD_REQUEST, summary(problems), problems);
    }
    if (!tooLarge.isEmpty()) {
      throw new ProxyException(ErrorCode.PAYLOAD_TOO_LARGE, summary(tooLarge), tooLarge);
    }
  }

  private static String summary(List<Detail> problems) {
    Detail first = problems.get(0);
    String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : "";
    return first.field() + ": " + first.message() + more;
  }
}
