package io.pulsarproxy.ws;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.util.Base64;

/**
 * The fast way through a producer frame, whose text is mostly its base64 payload: the payload's characters are found
 * with {@link String#indexOf} and decoded straight from the frame, and only the rest of the frame (the payload's
 * value cut out) goes through the JSON parser. Parsing the whole frame spent most of its time scanning the payload
 * character by character and copying it twice before decoding it.
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
    String rest = text.substring(0, start).concat(text.substring(end));
    if (!isPayloadValueAt(rest, start - 1)) {
      return null;
    }
    JsonObject json;
    byte[] payload;
    try {
      json = new JsonObject(rest);
      payload = Base64.getDecoder().decode(text.substring(start, end));
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
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
    try (JsonParser parser = JacksonCodec.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      long found = -1;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        boolean payload = "payload".equals(parser.currentName());
        JsonToken value = parser.nextToken();
        if (payload) {
          found = value == JsonToken.VALUE_STRING ? parser.currentTokenLocation().getCharOffset() : -1;
        }
        parser.skipChildren();
      }
      return token == JsonToken.END_OBJECT && found == quote && parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }
}
