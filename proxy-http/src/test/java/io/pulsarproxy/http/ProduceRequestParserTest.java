package io.pulsarproxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.config.HttpConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.OutgoingMessage;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ProduceRequestParserTest {
  private final ProduceRequestParser parser =
      new ProduceRequestParser(new HttpConfig("0.0.0.0", 0, 10_000, 100, 3, 10, 10_000));

  private List<OutgoingMessage> json(String body) {
    return parser.parseJson(Buffer.buffer(body));
  }

  private static ProxyException failure(ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(ProxyException.class);
    return (ProxyException) t;
  }

  @Test
  void storesValueAsJsonTextTextAsUtf8AndPayloadAsBytes() {
    List<OutgoingMessage> out = json("""
        {"messages":[{"value":{"a":[1,true]}},{"text":"héllo"},{"payload":"AAEC/w=="}]}""");
    assertThat(new String(out.get(0).withJsonText().payload(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":[1,true]}");
    assertThat(out.get(0).size()).isEqualTo("{\"a\":[1,true]}".length());
    assertThat(out.get(1).payload()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
    assertThat(out.get(2).payload()).containsExactly(0, 1, 2, 0xff);
  }

  @Test
  void readsMetadataFields() {
    OutgoingMessage m = json("""
        {"messages":[{"text":"x","key":"k1","properties":{"p":"v"},"eventTime":"2024-01-02T03:04:05.678Z",
          "deliverAt":1700000000000,"deliverAfterMs":"250","sequenceId":7}]}""").get(0);
    assertThat(m.key()).isEqualTo("k1");
    assertThat(m.properties()).isEqualTo(Map.of("p", "v"));
    assertThat(m.eventTime()).isEqualTo(1704164645678L);
    assertThat(m.deliverAt()).isEqualTo(1700000000000L);
    assertThat(m.deliverAfterMs()).isEqualTo(250L);
    assertThat(m.sequenceId()).isEqualTo(7L);
  }

  @Test
  void acceptsEventTimeAsEpochMillisOrOffsetTime() {
    assertThat(json("{\"messages\":[{\"text\":\"x\",\"eventTime\":1704164645678}]}").get(0).eventTime())
        .isEqualTo(1704164645678L);
    assertThat(json("{\"messages\":[{\"text\":\"x\",\"eventTime\":\"2024-01-02T04:04:05.678+01:00\"}]}").get(0)
        .eventTime()).isEqualTo(1704164645678L);
  }

  @Test
  void rejectsMalformedJson() {
    ProxyException e = failure(() -> json("{\"messages\":[{\"text\":"));
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("body");
    assertThat(e.getMessage()).isEqualTo("body: malformed JSON at line 1, column 22: unexpected end of input "
        + "within/between Object entries");
  }

  @Test
  void namesAFieldItDoesNotKnow() {
    ProxyException e = failure(() -> json("{\"messages\":[{\"text\":\"a\"},{\"txt\":\"b\"}]}"));
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(e.details()).extracting(ProxyException.Detail::field)
        .containsExactly("messages[1].txt", "messages[1]");
    assertThat(e.getMessage()).startsWith("messages[1].txt: is not a known field (a message has value, text or "
        + "payload, and key,");
    assertThat(failure(() -> json("{\"messages\":[{\"text\":\"a\"}],\"key\":\"k\"}")).details())
        .extracting(ProxyException.Detail::field).containsExactly("key");
  }

  @Test
  void refusesFormContentTypesWith415SayingWhatIsAccepted() {
    for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "Application/X-WWW-Form-Urlencoded;charset=UTF-8"}) {
      ProxyException e = failure(() -> ProduceRequestParser.bodyKind(type));
      assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("Content-Type");
      assertThat(e.getMessage()).contains("application/json", "application/octet-stream", "text/plain");
    }
    assertThat(ProduceRequestParser.bodyKind("application/json; charset=utf-8"))
        .isEqualTo(ProduceRequestParser.BodyKind.JSON);
    assertThat(ProduceRequestParser.bodyKind("text/plain")).isEqualTo(ProduceRequestParser.BodyKind.RAW);
    assertThat(ProduceRequestParser.bodyKind("image/png")).isEqualTo(ProduceRequestParser.BodyKind.RAW);
    assertThat(ProduceRequestParser.bodyKind(null)).isEqualTo(ProduceRequestParser.BodyKind.RAW);
  }

  @Test
  void rejectsMissingOrEmptyMessages() {
    assertThat(failure(() -> json("{}")).getMessage()).isEqualTo("messages: is missing");
    assertThat(failure(() -> json("{\"messages\":[]}")).getMessage()).isEqualTo("messages: must not be empty");
    assertThat(failure(() -> json("{\"messages\":{}}")).getMessage()).isEqualTo("messages: must be an array");
    assertThat(failure(() -> json("[]")).details().get(0).field()).isEqualTo("body");
  }

  @Test
  void rejectsTooManyMessagesPerRequest() {
    ProxyException e = failure(() -> json("{\"messages\":[{\"text\":\"1\"},{\"text\":\"2\"},{\"text\":\"3\"},{\"text\":\"4\"}]}"));
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(e.getMessage()).contains("at most 3").contains("http.maxMessagesPerRequest");
  }

  @Test
  void namesTheIndexOfAMessageWithNoneOrTwoBodies() {
    ProxyException e = failure(() -> json("{\"messages\":[{\"text\":\"ok\"},{\"key\":\"k\"},{\"text\":\"a\",\"payload\":\"AA==\"}]}"));
    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("messages[1]", "messages[2]");
    assertThat(e.details().get(0).message()).contains("one of 'value', 'text' or 'payload'");
  }

  @Test
  void rejectsInvalidBase64() {
    ProxyException e = failure(() -> json("{\"messages\":[{\"payload\":\"not base64!\"}]}"));
    assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("messages[0].payload");
  }

  @Test
  void rejectsBadEventTimeAndNumbers() {
    ProxyException e = failure(() -> json("""
        {"messages":[{"text":"x","eventTime":"yesterday"},{"text":"y","deliverAfterMs":-5},
          {"text":"z","sequenceId":1.5}]}"""));
    assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly(
        "messages[0].eventTime", "messages[1].deliverAfterMs", "messages[2].sequenceId");
    e = failure(() -> json("{\"messages\":[{\"text\":\"w\",\"properties\":{\"a\":1}},{\"text\":\"v\",\"key\":3}]}"));
    assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly(
        "messages[0].properties.a", "messages[1].key");
  }

  @Test
  void answers413ForAMessageOverTheLimit() {
    String big = "x".repeat(101);
    ProxyException e = failure(() -> json("{\"messages\":[{\"text\":\"ok\"},{\"text\":\"" + big + "\"}]}"));
    assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("messages[1]");
  }

  @Test
  void rawBodyTakesMetadataFromHeaders() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Pulsar-Key", "k")
        .add("Pulsar-Properties", "{\"Trace-Id\":\"abc\"}")
        .add("Pulsar-Event-Time", "1704164645678")
        .add("Pulsar-Deliver-After-Ms", "1000");
    OutgoingMessage m = parser.parseRaw(Buffer.buffer(new byte[] {1, 2, 3}), headers);
    assertThat(m.payload()).containsExactly(1, 2, 3);
    assertThat(m.key()).isEqualTo("k");
    assertThat(m.properties()).isEqualTo(Map.of("Trace-Id", "abc"));
    assertThat(m.eventTime()).isEqualTo(1704164645678L);
    assertThat(m.deliverAfterMs()).isEqualTo(1000L);
  }

  @Test
  void rawBodyRejectsBadHeaders() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Pulsar-Properties", "k=v")
        .add("Pulsar-Deliver-At", "soon");
    assertThatThrownBy(() -> parser.parseRaw(Buffer.buffer("x"), headers))
        .isInstanceOfSatisfying(ProxyException.class, e -> assertThat(e.details())
            .extracting(ProxyException.Detail::field).containsExactly("Pulsar-Properties", "Pulsar-Deliver-At"));
  }
}
