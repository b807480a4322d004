package io.pulsarproxy.http.consume;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.ProxyException.Detail;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.http.ProduceRequestParser;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.pulsar.client.api.MessageId;

/**
 * Reads typed fields of one request, from a JSON body (typed values) or from query parameters (text), collecting
 * every problem as {@code field: problem} and reporting them together ({@link #throwIfAny()}), the style of the
 * produce parser. A getter that finds a bad value records the problem and returns the default. One per request.
 *
 * <p>The parameters of a query are those its endpoint's parser reads: a name it never asked for is refused, named,
 * when the problems are reported (a misspelt {@code intialPosition} would otherwise silently mean the default).
 * JSON bodies have their unknown fields refused by the contract.
 */
final class RequestFields {
  private final Function<String, Object> source;
  private final String prefix;
  private final List<Detail> problems;
  /** The query whose names are checked, and the names read from it; null for a JSON body. */
  private final MultiMap query;
  private final Set<String> read;

  private RequestFields(Function<String, Object> source, String prefix, List<Detail> problems, MultiMap query) {
    this.source = source;
    this.prefix = prefix;
    this.problems = problems;
    this.query = query;
    // As the query's own names: Vert.x matches query parameters ignoring case.
    this.read = query == null ? null : new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  }

  static RequestFields of(JsonObject body) {
    return new RequestFields(body::getValue, "", new ArrayList<>(), null);
  }

  static RequestFields of(MultiMap query) {
    return new RequestFields(query::get, "", new ArrayList<>(), query);
  }

  /** The fields of a nested object, reported as {@code name.field}, problems shared with this one. */
  RequestFields nested(String name, JsonObject object) {
    return new RequestFields(object::getValue, prefix + name + ".", problems, null);
  }

  Object raw(String name) {
    if (read != null) {
      read.add(name);
    }
    return source.apply(name);
  }

  boolean has(String name) {
    return raw(name) != null;
  }

  void problem(String name, String message) {
    problems.add(new Detail(prefix + name, message));
  }

  String string(String name, String defaultValue) {
    Object raw = raw(name);
    if (raw == null) {
      return defaultValue;
    }
    if (!(raw instanceof String s) || s.isBlank()) {
      problem(name, "must be a non-blank string");
      return defaultValue;
    }
    return s;
  }

  /** A whole number in {@code min..max} ({@code min} ≥ 0), as a JSON number or as digits. */
  long number(String name, long min, long max, long defaultValue, String limitName) {
    Object raw = raw(name);
    if (raw == null) {
      return defaultValue;
    }
    List<Detail> found = new ArrayList<>();
    Long value = ProduceRequestParser.nonNegativeLong(raw, prefix + name, found);
    if (value == null) {
      problems.addAll(found);
    } else if (value < min) {
      problem(name, "must be at least " + min);
    } else if (value > max) {
      problem(name, "must be at most " + max + (limitName == null ? "" : " (" + limitName + ")"));
    } else {
      return value;
    }
    return defaultValue;
  }

  int integer(String name, int min, int max, int defaultValue, String limitName) {
    return (int) number(name, min, max, defaultValue, limitName);
  }

  boolean bool(String name, boolean defaultValue) {
    Object raw = raw(name);
    if (raw == null) {
      return defaultValue;
    }
    if (raw instanceof Boolean b) {
      return b;
    }
    if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    problem(name, "'" + raw + "' is not true or false");
    return defaultValue;
  }

  /** One of {@code values}, matched by {@code nameOf} exactly or ignoring case. */
  <E extends Enum<E>> E oneOf(String name, E[] values, Function<E, String> nameOf, E defaultValue) {
    Object raw = raw(name);
    if (raw == null) {
      return defaultValue;
    }
    for (E value : values) {
      if (raw instanceof String s && nameOf.apply(value).equalsIgnoreCase(s)) {
        return value;
      }
    }
    List<String> names = new ArrayList<>();
    for (E value : values) {
      names.add(nameOf.apply(value));
    }
    problem(name, "'" + raw + "' is not one of " + String.join(", ", names));
    return defaultValue;
  }

  BodyFormat format() {
    return oneOf("format", BodyFormat.values(), BodyFormat::wireName, BodyFormat.BASE64);
  }

  /** A message id in the proxy's base64 form; null (after recording a problem) when it is not one. */
  MessageId messageId(String name, Object raw) {
    if (!(raw instanceof String s) || s.isEmpty()) {
      problem(name, "must be a message id (base64 string)");
      return null;
    }
    try {
      return MessageIds.decode(s, prefix + name);
    } catch (ProxyException e) {
      problem(name, e.details().get(0).message());
      return null;
    }
  }

  /** Reports every problem found, the first in the message; unknown query parameters come first. */
  void throwIfAny() {
    if (query != null) {
      List<Detail> unknown = new ArrayList<>();
      for (String name : new TreeSet<>(query.names())) {
        if (name.isBlank()) {
          unknown.add(new Detail("query", "has a parameter without a name ('" + name + "=')"));
        } else if (!read.contains(name)) {
          String like = closest(name, read);
          unknown.add(new Detail(name, "is not a parameter of this request" + (like == null ? "" : " (did you mean "
              + like + "?)") + "; it takes " + (read.isEmpty() ? "none" : String.join(", ", read))));
        }
      }
      problems.addAll(0, unknown);
    }
    if (problems.isEmpty()) {
      return;
    }
    Detail first = problems.get(0);
    String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : "";
    throw new ProxyException(ErrorCode.BAD_REQUEST, first.field() + ": " + first.message() + more, problems);
  }

  /** The known name {@code name} is most likely a misspelling of (at most two edits away, ignoring case), or null. */
  static String closest(String name, Set<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : known) {
      int d = distance(lower(name), lower(candidate), bestDistance);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance of {@code a} and {@code b}, or {@code limit} when it is {@code limit} or more. */
  private static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) >= limit) {
      return limit;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return Math.min(previous[b.length()], limit);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
