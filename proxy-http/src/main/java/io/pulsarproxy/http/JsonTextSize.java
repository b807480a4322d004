package io.pulsarproxy.http;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The length in UTF-8 bytes of the compact JSON text {@link Json#encode} writes for a parsed value, counted without
 * writing it: the edge checks a value's size ({@code http.maxMessageSize}) and charges it to the produce quota, while
 * the text itself is only needed on a topic without a schema (a typed topic gets the value's encoding instead).
 * Types it does not know are measured by encoding them.
 */
final class JsonTextSize {
  private JsonTextSize() {}

  static long of(Object value) {
    if (value == null) {
      return 4;
    }
    if (value instanceof String s) {
      return string(s);
    }
    if (value instanceof Boolean b) {
      return b ? 4 : 5;
    }
    if (value instanceof Integer || value instanceof Long) {
      return digits(((Number) value).longValue());
    }
    if (value instanceof Double d && Double.isFinite(d)) {
      return Double.toString(d).length();
    }
    if (value instanceof Float f && Float.isFinite(f)) {
      return Float.toString(f).length();
    }
    if (value instanceof java.math.BigInteger b) {
      return b.toString().length();
    }
    if (value instanceof JsonObject o) {
      long size = 2 + Math.max(0, o.size() - 1);
      for (Map.Entry<String, Object> e : o.getMap().entrySet()) {
        size += string(e.getKey()) + 1 + of(e.getValue());
      }
      return size;
    }
    if (value instanceof JsonArray a) {
      long size = 2 + Math.max(0, a.size() - 1);
      for (Object item : a.getList()) {
        size += of(item);
      }
      return size;
    }
    return Json.encode(value).getBytes(StandardCharsets.UTF_8).length;
  }

  private static long digits(long v) {
    if (v == Long.MIN_VALUE) {
      return 20;
    }
    long size = v < 0 ? 2 : 1;
    for (long rest = Math.abs(v); rest >= 10; rest /= 10) {
      size++;
    }
    return size;
  }

  /** A string with its quotes: escapes as Jackson writes them, other characters as UTF-8. */
  private static long string(String s) {
    long size = 2;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20) {
        size += c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f' ? 2 : 6;
      } else if (c == '"' || c == '\\') {
        size += 2;
      } else if (c < 0x80) {
        size += 1;
      } else if (c < 0x800) {
        size += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        size += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        size += 1; // a lone surrogate becomes '?' in UTF-8
      } else {
        size += 3;
      }
    }
    return size;
  }
}
