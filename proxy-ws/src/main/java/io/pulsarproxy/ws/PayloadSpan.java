package io.pulsarproxy.ws;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast way through a producer frame, whose text is mostly its base64 payload: the payload's characters are found
 * with {@link String#indexOf} and decoded straight from the frame, and only the rest of the frame (the payload's
 * value cut out) goes through the JSON parser, in one pass that also confirms where the payload was. Parsing the
 * whole frame spent most of its time scanning the payload character by character and copying it twice before
 * decoding it.
 *
 * <p>The result is the same as parsing the whole frame, or there is none: the cut must be the value of the frame's
 * own (last, top-level) {@code payload} key, which the parser confirms, and the value must be plain base64 (no JSON
 * escapes). Anything else, including every frame that is refused, takes the full parse, which words the error.
 */
final class PayloadSpan {
  private static final String KEY = "\"payload\"";

  private PayloadSpan() {}

  /** The frame read the fast way, or null when it must be parsed as a whole. */
  static Frames.ProducerFrame producerFrame(String text) {
    int start = valueStart(text);
    if (start < 0) {
      return null;
    }
    int end = text.indexOf('"', start);
    if (end < 0) {
      return null;
    }
    JsonObject json = parseWithPayloadAt(text.substring(0, start).concat(text.substring(end)), start - 1);
    if (json == null) {
      return null;
    }
    byte[] payload;
    try {
      payload = Base64.getDecoder().decode(text.substring(start, end));
    } catch (IllegalArgumentException e) {
      return null;
    }
    Frames.ProducerFrame frame = Frames.producerFrame(json, payload);
    return frame.refusal() == null ? frame : null;
  }

  /** Where the first {@code "payload": "} value in the text starts (after its quote), or -1. */
  private static int valueStart(String text) {
    for (int key = text.indexOf(KEY); key >= 0; key = text.indexOf(KEY, key + 1)) {
      int i = skipSpace(text, key + KEY.length());
      if (i < text.length() && text.charAt(i) == ':') {
        i = skipSpace(text, i + 1);
        if (i < text.length() && text.charAt(i) == '"') {
          return i + 1;
        }
      }
    }
    return -1;
  }

  private static int skipSpace(String text, int i) {
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
      i++;
    }
    return i;
  }

  /**
   * Whether {@code json} is one object whose last top-level {@code payload} key has a string value starting at
   * {@code quote} (the position of its opening quote).
   */
  static boolean isPayloadValueAt(String json, int quote) {
    return parseWithPayloadAt(json, quote) != null;
  }

  /**
   * {@code json} parsed as {@link JsonObject} parses it (the same values: strings, Jackson's numbers, booleans, null,
   * nested maps and lists, the last of duplicate keys), in the same pass that confirms its last top-level
   * {@code payload} key has a string value starting at {@code quote}; null when it does not or is not one object.
   */
  private static JsonObject parseWithPayloadAt(String json, int quote) {
    try (JsonParser parser = JacksonCodec.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      long found = -1;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("payload".equals(name)) {
          found = value == JsonToken.VALUE_STRING ? parser.currentTokenLocation().getCharOffset() : -1;
        }
        fields.put(name, value(parser));
      }
      if (token != JsonToken.END_OBJECT || found != quote || parser.nextToken() != null) {
        return null;
      }
      return new JsonObject(fields);
    } catch (IOException e) {
      return null;
    }
  }

  /** The value at the parser's current token, as Vert.x's JSON codec reads it. */
  private static Object value(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.put(name, value(parser));
        }
        return object;
      }
      case START_ARRAY -> {
        List<Object> array = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(value(parser));
        }
        return array;
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return parser.getNumberValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected " + parser.currentToken());
    }
  }
}
