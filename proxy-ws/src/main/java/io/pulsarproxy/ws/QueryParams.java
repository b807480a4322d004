package io.pulsarproxy.ws;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.pulsarproxy.core.error.ProxyException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query parameters of a handshake as Pulsar reads them: names are case-sensitive, the first value wins, unknown
 * names are ignored. The typed getters fail with a 400 naming the parameter and the bad value.
 */
final class QueryParams {
  private final Map<String, List<String>> values;

  private QueryParams(Map<String, List<String>> values) {
    this.values = values;
  }

  /** Parses the query part of a request URI (anything before {@code ?} is ignored). */
  static QueryParams ofUri(String uri) {
    try {
      return new QueryParams(new QueryStringDecoder(uri, StandardCharsets.UTF_8).parameters());
    } catch (IllegalArgumentException e) {
      throw ProxyException.badField("query", "is not a valid percent-encoded query string: " + e.getMessage());
    }
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String string(String name) {
    List<String> all = values.get(name);
    return all == null || all.isEmpty() ? null : all.get(0);
  }

  /** A non-blank string, or null when absent; blank is refused. */
  String name(String name) {
    String value = string(name);
    if (value != null && value.isBlank()) {
      throw ProxyException.badField(name, "must not be blank");
    }
    return value;
  }

  Integer integer(String name, int min, int max) {
    Long value = longValue(name, min, max);
    return value == null ? null : value.intValue();
  }

  Long longValue(String name, long min, long max) {
    String raw = string(name);
    if (raw == null) {
      return null;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw ProxyException.badField(name, "'" + raw + "' is not a whole number");
    }
    if (value < min || value > max) {
      throw ProxyException.badField(name, "'" + raw + "' is out of range (" + min + " to " + max + ")");
    }
    return value;
  }

  /** {@code true} or {@code false}, any case; anything else is refused rather than read as false. */
  Boolean bool(String name) {
    String raw = string(name);
    if (raw == null) {
      return null;
    }
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw ProxyException.badField(name, "'" + raw + "' is not true or false");
    };
  }

  /** One of the constants of {@code type}, spelled exactly as Pulsar names them. */
  <E extends Enum<E>> E constant(String name, Class<E> type) {
    String raw = string(name);
    if (raw == null) {
      return null;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(raw)) {
        return constant;
      }
    }
    throw ProxyException.badField(name, "'" + raw + "' is not one of " + List.of(type.getEnumConstants()));
  }
}
