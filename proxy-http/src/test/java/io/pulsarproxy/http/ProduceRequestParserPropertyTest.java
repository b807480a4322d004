package io.pulsarproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.HttpConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.OutgoingMessage;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated and mutated produce requests. Whatever the body, the parser gives every message or none: a request with
 * one bad message is refused as a whole with a 4xx naming the message, and nothing but a {@link ProxyException}
 * with a 4xx code ever leaves it.
 */
class ProduceRequestParserPropertyTest {
  private static final int MAX_MESSAGES = 20;
  private static final int MAX_BYTES = 200;
  private final ProduceRequestParser parser =
      new ProduceRequestParser(new HttpConfig("0.0.0.0", 0, 10_000, MAX_BYTES, MAX_MESSAGES, 10, 1_000_000));

  @Property(tries = 1500, seed = "20261201")
  void aRequestOfGoodMessagesIsParsedWhole(@ForAll("goodMessages") List<JsonObject> messages) {
    JsonObject body = new JsonObject().put("messages", new JsonArray(List.copyOf(messages)));
    List<OutgoingMessage> out = parser.parseJson(body.toBuffer());
    assertThat(out).hasSize(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.get(i);
      byte[] expected = m.containsKey("text") ? m.getString("text").getBytes(StandardCharsets.UTF_8)
          : m.containsKey("payload") ? Base64.getDecoder().decode(m.getString("payload"))
          : io.vertx.core.json.Json.encode(m.getValue("value")).getBytes(StandardCharsets.UTF_8);
      assertThat(out.get(i).withJsonText().payload()).isEqualTo(expected);
      assertThat(out.get(i).size()).isEqualTo(expected.length);
      assertThat(out.get(i).key()).isEqualTo(m.getString("key"));
    }
  }

  @Property(tries = 1500, seed = "20261201")
  void oneBadMessageRefusesTheWholeRequestNamingIt(@ForAll("goodMessages") List<JsonObject> messages,
      @ForAll @IntRange(min = 0, max = 5) int at, @ForAll("poisons") Tuple.Tuple2<String, Object> poison) {
    int index = at % messages.size();
    JsonObject bad = messages.get(index).copy();
    bad.put(poison.get1(), poison.get2());
    List<Object> all = new java.util.ArrayList<>(messages);
    all.set(index, bad);
    ProxyException e = refusal(new JsonObject().put("messages", new JsonArray(all)).toBuffer());
    assertThat(e).as("a request with a bad message at %d: %s", index, bad).isNotNull();
    assertThat(e.details()).anySatisfy(d -> assertThat(d.field()).startsWith("messages[" + index + "]"));
  }

  @Property(tries = 3000, seed = "20261201")
  void anyBodyIsParsedOrRefusedWithA4xx(@ForAll("bodies") String body) {
    ProxyException e = refusal(Buffer.buffer(body));
    Statistics.collect(e == null ? "parsed" : e.code().name());
  }

  @Property(tries = 2000, seed = "20261201")
  void anyRawBodyAndHeadersAreParsedOrRefusedWithA4xx(@ForAll("headerValues") String properties,
      @ForAll("headerValues") String eventTime, @ForAll("headerValues") String deliverAt,
      @ForAll("headerValues") String sequenceId, @ForAll @net.jqwik.api.constraints.Size(max = 300) byte[] body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    put(headers, ProduceRequestParser.PROPERTIES_HEADER, properties);
    put(headers, ProduceRequestParser.EVENT_TIME_HEADER, eventTime);
    put(headers, ProduceRequestParser.DELIVER_AT_HEADER, deliverAt);
    put(headers, ProduceRequestParser.SEQUENCE_ID_HEADER, sequenceId);
    try {
      OutgoingMessage m = parser.parseRaw(Buffer.buffer(body), headers);
      assertThat(m.payload()).isEqualTo(body);
      Statistics.collect("parsed");
    } catch (ProxyException e) {
      assertIsANamed4xx(e);
      Statistics.collect(e.code().name());
    }
  }

  @Property(tries = 3000, seed = "20261201")
  void anyContentTypeIsJsonRawOrRefusedWith415(@ForAll("contentTypes") String contentType) {
    try {
      ProduceRequestParser.BodyKind kind = ProduceRequestParser.bodyKind(contentType);
      assertThat(contentType.toLowerCase(java.util.Locale.ROOT)).doesNotContain("form");
      Statistics.collect(kind.name());
    } catch (ProxyException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("Content-Type");
      Statistics.collect("415");
    }
  }

  private static void put(MultiMap headers, String name, String value) {
    if (value != null) {
      headers.add(name, value);
    }
  }

  /** The refusal of {@code body}, or null when it parses; fails the property for anything but a named 4xx. */
  private ProxyException refusal(Buffer body) {
    List<OutgoingMessage> out;
    try {
      out = parser.parseJson(body);
    } catch (ProxyException e) {
      assertIsANamed4xx(e);
      return e;
    }
    assertThat(out).isNotEmpty().hasSizeLessThanOrEqualTo(MAX_MESSAGES).doesNotContainNull();
    return null;
  }

  private static void assertIsANamed4xx(ProxyException e) {
    assertThat(e.code().httpStatus()).isBetween(400, 499);
    assertThat(e.details()).isNotEmpty().allSatisfy(d -> {
      assertThat(d.field()).isNotBlank();
      assertThat(d.message()).isNotBlank().doesNotContain("com.fasterxml", "Source:", "Exception");
    });
    assertThat(e.getMessage()).startsWith(e.details().get(0).field() + ": ");
  }

  // ---- generators ----

  @Provide
  Arbitrary<List<JsonObject>> goodMessages() {
    return goodMessage().list().ofMinSize(1).ofMaxSize(6);
  }

  private Arbitrary<JsonObject> goodMessage() {
    Arbitrary<JsonObject> body = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(t -> new JsonObject().put("text", t)),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40)
            .map(b -> new JsonObject().put("payload", Base64.getEncoder().encodeToString(b))),
        jsonValue(2).filter(v -> v != null).map(v -> new JsonObject().put("value", v)));
    Arbitrary<String> key = Arbitraries.strings().ofMaxLength(10).injectNull(0.5);
    Arbitrary<Object> eventTime = Arbitraries.oneOf(Arbitraries.longs().between(1, Long.MAX_VALUE).map(l -> (Object) l),
        Arbitraries.<Object>of("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.678+01:00", "1700000000000"))
        .injectNull(0.5);
    Arbitrary<Object> whole = Arbitraries.oneOf(Arbitraries.longs().between(0, Long.MAX_VALUE).map(l -> (Object) l),
        Arbitraries.longs().between(0, Long.MAX_VALUE).map(l -> (Object) Long.toString(l))).injectNull(0.6);
    Arbitrary<JsonObject> properties = Arbitraries.maps(Arbitraries.strings().ofMaxLength(8),
        Arbitraries.strings().ofMaxLength(8)).ofMaxSize(3).map(m -> new JsonObject(new java.util.HashMap<>(m)))
        .injectNull(0.6);
    return Combinators.combine(body, key, eventTime, whole, properties).as((b, k, t, w, p) -> {
      JsonObject m = b.copy();
      if (k != null) {
        m.put("key", k);
      }
      if (t != null) {
        m.put("eventTime", t);
      }
      if (w != null) {
        m.put("sequenceId", w).put("deliverAfterMs", w);
      }
      if (p != null) {
        m.put("properties", p);
      }
      return m;
    });
  }

  /** A field and a value that make any message bad. */
  @Provide
  Arbitrary<Tuple.Tuple2<String, Object>> poisons() {
    return Arbitraries.of(
        Tuple.of("txt", "a misspelt field"),
        Tuple.of("payload", "not base64!"),
        Tuple.of("text", 42),
        Tuple.of("sequenceId", -1),
        Tuple.of("deliverAt", "soon"),
        Tuple.of("eventTime", "yesterday"),
        Tuple.of("eventTime", 0),
        Tuple.of("key", new JsonArray()),
        Tuple.of("properties", new JsonObject().put("n", 1)),
        Tuple.of("properties", "k=v"),
        Tuple.of("deliverAfterMs", 1.5),
        Tuple.of("payload", Base64.getEncoder().encodeToString(new byte[MAX_BYTES + 1])));
  }

  /** Any JSON value, nested up to {@code depth}. */
  private Arbitrary<Object> jsonValue(int depth) {
    Arbitrary<Object> scalar = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(10).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.just(null));
    if (depth == 0) {
      return scalar;
    }
    return Arbitraries.oneOf(scalar,
        jsonValue(depth - 1).list().ofMaxSize(3).map(l -> (Object) new JsonArray(new java.util.ArrayList<>(l))),
        Arbitraries.maps(Arbitraries.of("value", "text", "payload", "key", "messages", "a", "txt"),
            jsonValue(depth - 1)).ofMaxSize(3).map(m -> (Object) new JsonObject(new java.util.HashMap<>(m))));
  }

  /** Good requests, the same mutated by a character, structured JSON of any shape, and arbitrary text. */
  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> good = goodMessages().map(l -> new JsonObject().put("messages", new JsonArray(List.copyOf(l)))
        .encode());
    Arbitrary<String> mutated = Combinators.combine(good, Arbitraries.integers().between(0, 100_000),
            Arbitraries.of('{', '}', '[', ']', '"', ',', ':', '\\', '0', '-', 'e', 'n', ' ', '\u0000', '\uD800'),
            Arbitraries.of(0, 1, 2))
        .as(ProduceRequestParserPropertyTest::mutate);
    Arbitrary<String> shapes = jsonValue(3).map(v -> new JsonObject().put("messages", v).encode());
    return Arbitraries.frequencyOf(
        Tuple.of(3, good),
        Tuple.of(4, mutated),
        Tuple.of(2, shapes),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(60)));
  }

  @Provide
  Arbitrary<String> headerValues() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20),
        Arbitraries.strings().withChars("0123456789-+:.TZ{}\"k,v ").ofMaxLength(25),
        Arbitraries.of("{\"k\":\"v\"}", "{\"k\":1}", "[]", "null", "1700000000000", "2026-01-02T03:04:05Z", "-1",
            "99999999999999999999"))
        .injectNull(0.7);
  }

  @Provide
  Arbitrary<String> contentTypes() {
    Arbitrary<String> known = Arbitraries.of("application/json", "application/x-www-form-urlencoded",
        "multipart/form-data", "text/plain", "application/octet-stream", "image/png", "", ";", "application/json;");
    Arbitrary<String> cased = Combinators.combine(known, Arbitraries.of("", "; charset=utf-8", ";boundary=--x", " "),
            Arbitraries.of(true, false))
        .as((t, params, upper) -> (upper ? t.toUpperCase(java.util.Locale.ROOT) : t) + params);
    return Arbitraries.oneOf(cased, Arbitraries.strings().ofMaxLength(30));
  }

  static String mutate(String s, int at, char c, int how) {
    int i = s.isEmpty() ? 0 : at % s.length();
    return switch (how) {
      case 0 -> s.substring(0, i) + c + s.substring(i);
      case 1 -> s.isEmpty() ? s : s.substring(0, i) + s.substring(i + 1);
      default -> s.isEmpty() ? String.valueOf(c) : s.substring(0, i) + c + s.substring(i + 1);
    };
  }
}
