package io.pulsarproxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.OutgoingMessage;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * Generated and mutated WebSocket input: producer frames, consumer commands, handshake paths and query strings.
 * A producer frame gives a message or a refusal, never both, never an exception, and its fast path gives exactly
 * what the full parse gives; a handshake is accepted or refused with a {@link ProxyException} of a 4xx code.
 */
class WsInputPropertyTest {
  private static final Set<String> FRAME_RESULTS = Set.of(Frames.BAD_JSON, Frames.BAD_PAYLOAD);

  @Property(tries = 4000, seed = "20261201")
  void aProducerFrameIsAMessageOrARefusalAndTheFastPathAgreesWithTheFullParse(@ForAll("frames") String text) {
    Frames.ProducerFrame frame = Frames.producerFrame(text);
    assertThat(frame.message() == null).as("exactly one of message and refusal").isNotEqualTo(frame.refusal() == null);
    if (frame.refusal() != null) {
      assertThat(FRAME_RESULTS).contains(frame.refusal().getString("result"));
      assertThat(frame.refusal().getString("errorMsg")).isNotBlank().doesNotContain("Source:", "com.fasterxml");
      Statistics.collect("refused");
    } else {
      Statistics.collect("message");
    }
    Frames.ProducerFrame fast = PayloadSpan.producerFrame(text);
    if (fast != null) {
      // Only a frame the full parse accepts may take the fast way, with the same message.
      Frames.ProducerFrame full = Frames.producerFrame(new JsonObject(text), null);
      assertThat(full.refusal()).isNull();
      assertThat(fast.context()).isEqualTo(full.context());
      assertSameMessage(fast.message(), full.message());
      Statistics.label("path").collect("fast");
    } else {
      Statistics.label("path").collect("full");
    }
  }

  @Property(tries = 3000, seed = "20261201")
  void aConsumerCommandIsReadOrRefusedAsABadCommand(@ForAll("commands") String text) {
    try {
      Frames.Command command = Frames.command(text);
      assertThat(command).isNotNull();
      if (command.messageId() != null) {
        try {
          assertThat(Frames.messageId(command)).isEqualTo(command.messageId());
        } catch (Frames.BadCommand e) {
          assertThat(e.getMessage()).isNotBlank();
        }
      }
      Statistics.collect("read");
    } catch (Frames.BadCommand e) {
      assertThat(e.getMessage()).isNotBlank();
      Statistics.collect("refused");
    }
  }

  @Property(tries = 4000, seed = "20261201")
  void aHandshakeIsAcceptedOrRefusedWithA4xx(@ForAll("paths") String path, @ForAll("queries") String query) {
    try {
      WsEndpoint endpoint = WsEndpoint.parse(WsPath.parse(path), QueryParams.ofUri(path + query));
      assertThat(endpoint.describe()).isNotBlank();
      Statistics.collect("accepted");
    } catch (ProxyException e) {
      assertThat(e.code().httpStatus()).isBetween(400, 499);
      assertThat(e.getMessage()).isNotBlank();
      Statistics.collect("refused " + e.code().httpStatus());
    }
  }

  @Property(tries = 3000, seed = "20261201")
  void aQueryValueIsTypedOrRefusedNamingTheParameter(@ForAll("values") String value) {
    QueryParams q = QueryParams.ofUri("/x?v=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    assertThat(q.string("v")).isEqualTo(value);
    checkTyped(() -> q.integer("v", 0, 1000), n -> assertThat((Integer) n).isBetween(0, 1000));
    checkTyped(() -> q.longValue("v", -1, Long.MAX_VALUE), n -> assertThat((Long) n).isGreaterThanOrEqualTo(-1));
    checkTyped(() -> q.bool("v"), b -> assertThat(b).isIn(true, false));
    checkTyped(() -> q.constant("v", SubscriptionType.class), t -> assertThat(t).isInstanceOf(SubscriptionType.class));
    checkTyped(() -> q.name("v"), n -> assertThat((String) n).isNotBlank());
  }

  private static void checkTyped(java.util.function.Supplier<Object> get, java.util.function.Consumer<Object> check) {
    try {
      check.accept(get.get());
    } catch (ProxyException e) {
      assertThat(e.code().httpStatus()).isEqualTo(400);
      assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("v");
    }
  }

  private static void assertSameMessage(OutgoingMessage a, OutgoingMessage e) {
    assertThat(a.payload()).isEqualTo(e.payload());
    assertThat(a.key()).isEqualTo(e.key());
    assertThat(a.properties()).isEqualTo(e.properties());
    assertThat(a.eventTime()).isEqualTo(e.eventTime());
    assertThat(a.deliverAt()).isEqualTo(e.deliverAt());
    assertThat(a.deliverAfterMs()).isEqualTo(e.deliverAfterMs());
    assertThat(a.replicationClusters()).isEqualTo(e.replicationClusters());
  }

  // ---- generators ----

  /** Frames as clients write them (fields in any order, spacing, escapes), mutated ones, and arbitrary text. */
  @Provide
  Arbitrary<String> frames() {
    Arbitrary<String> payload = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)
            .map(b -> "\"" + Base64.getEncoder().encodeToString(b) + "\"")),
        Tuple.of(1, Arbitraries.of("\"a\\/8=\"", "\"***\"", "12", "null", "\"aGk\"", "\"aGk=\\n\"", "\"\"", "{}")));
    Arbitrary<String> field = Arbitraries.of(
        "\"context\":\"c1\"", "\"context\":7", "\"key\":\"k\"", "\"key\":\"\\\"payload\\\":\\\"eA==\\\"\"",
        "\"properties\":{\"a\":\"b\"}", "\"properties\":{\"payload\":\"eA==\"}", "\"properties\":{\"k\":null}",
        "\"eventTime\":\"2024-01-02T04:04:05.678+01:00\"", "\"eventTime\":\"yesterday\"", "\"deliverAt\":1700000000000",
        "\"deliverAfterMs\":\"250\"", "\"deliverAfterMs\":-1", "\"replicationClusters\":[\"a\"]",
        "\"replicationClusters\":\"a\"", "\"payload\":\"eA==\"", "\"x\\\"payload\":\"eA==\"", "\"unknown\":[1,{}]");
    Arbitrary<String> spacing = Arbitraries.of("", " ", "\n", "\t ");
    Arbitrary<String> good = Combinators.combine(payload, field.list().ofMaxSize(4), spacing,
            Arbitraries.integers().between(0, 4))
        .as((p, fields, sp, at) -> {
          List<String> all = new java.util.ArrayList<>(fields);
          all.add(Math.min(at, all.size()), "\"payload\"" + sp + ":" + sp + p);
          return "{" + sp + String.join("," + sp, all) + sp + "}";
        });
    Arbitrary<String> mutated = Combinators.combine(good, Arbitraries.integers().between(0, 10_000),
            Arbitraries.of('{', '}', '"', ',', ':', '\\', '=', 'A', '/', ' ', '\u0000'), Arbitraries.of(0, 1, 2))
        .as(WsInputPropertyTest::mutate);
    return Arbitraries.frequencyOf(Tuple.of(4, good), Tuple.of(4, mutated),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(40)));
  }

  @Provide
  Arbitrary<String> commands() {
    Arbitrary<String> good = Combinators.combine(
            Arbitraries.of("", "\"type\":\"negativeAcknowledge\",", "\"type\":\"permit\",", "\"type\":\"isEndOfTopic\",",
                "\"type\":\"unsubscribe\",", "\"type\":7,", "\"type\":{},"),
            Arbitraries.of("\"messageId\":\"CAEQAjAA\"", "\"messageId\":\"x\"", "\"messageId\":null",
                "\"permitMessages\":10", "\"permitMessages\":\"10\"", "\"permitMessages\":99999999999",
                "\"permitMessages\":1.5", "\"permitMessages\":\"ten\"", "\"permitMessages\":[]"))
        .as((t, f) -> "{" + t + f + "}");
    Arbitrary<String> mutated = Combinators.combine(good, Arbitraries.integers().between(0, 1000),
            Arbitraries.of('{', '}', '"', ',', ':', '\\', '9', ' '), Arbitraries.of(0, 1, 2))
        .as(WsInputPropertyTest::mutate);
    return Arbitraries.oneOf(good, mutated, Arbitraries.strings().ofMaxLength(30));
  }

  /** Handshake paths: the three roles with segments of every kind, and mutated ones. */
  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment = Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.of("public", "default", "t", "orders", "sub", "a-b.c_d=e:f", "x-partition-0")),
        Tuple.of(2, Arbitraries.of("", "a b", "a..b", "..", "a%2Fb", "%zz", "%", "a%20b", "é", "%C3%A9", "a?b")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(6)));
    Arbitrary<String> prefix = Arbitraries.of("/ws/v2/producer/persistent/", "/ws/v2/consumer/persistent/",
        "/ws/v2/reader/non-persistent/", "/ws/v2/producer/durable/", "/ws/producer/persistent/", "/ws/v3/consumer/");
    Arbitrary<String> good = Combinators.combine(prefix, segment.list().ofMinSize(1).ofMaxSize(4))
        .as((p, segments) -> p + String.join("/", segments));
    Arbitrary<String> mutated = Combinators.combine(good, Arbitraries.integers().between(0, 1000),
            Arbitraries.of('/', '%', ' ', '.', '?'), Arbitraries.of(0, 1, 2))
        .as(WsInputPropertyTest::mutate);
    return Arbitraries.oneOf(good, good, mutated);
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> name = Arbitraries.of("receiverQueueSize", "subscriptionType", "messageId", "topics",
        "topicsPattern", "batchingEnabled", "producerName", "initialSequenceId", "ackTimeoutMillis",
        "maxRedeliverCount", "deadLetterTopic", "compressionType", "encryptionKeys", "priorityLevel", "pullMode",
        "token", "unknown", "");
    Arbitrary<String> value = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of("", "0", "1", "-1", "1001", "Shared", "shared", "true", "TRUE", "no", "earliest",
            "latest", "CAEQAjAA", "a,b", "persistent://public/default/x", ".*", "(", "LZ4", "99999999999999999999")),
        Tuple.of(1, Arbitraries.of("%zz", "%", "%C3", "a%2Cb", "+")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(10).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8))));
    Arbitrary<String> query = Combinators.combine(name, value).as((n, v) -> n + "=" + v).list().ofMaxSize(3)
        .map(pairs -> pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
    return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just("")), Tuple.of(2, query));
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.oneOf(
        Arbitraries.of("0", "1000", "1001", "-1", "-2", " 7 ", "+5", "1e3", "0x10", "true", "False", "Shared",
            "SHARED", "Key_Shared", "", " ", "9223372036854775807", "9223372036854775808"),
        Arbitraries.strings().withChars("0123456789-+ ").ofMaxLength(21),
        Arbitraries.strings().ofMaxLength(12));
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
