package io.pulsarproxy.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.schema.decode.DecodedValue;
import io.pulsarproxy.core.produce.MessageIds;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FramesTest {
  @Test
  void readsAProducerFrameWithPulsarsLeniency() {
    Frames.ProducerFrame frame = Frames.producerFrame("""
        {"payload":"aGk=","context":42,"key":7,"properties":{"a":"b","n":1,"t":true},
         "eventTime":"2024-01-02T03:04:05.678+01:00","deliverAt":0,"deliverAfterMs":"250",
         "replicationClusters":["c1"],"sequenceId":5,"disableReplication":false,"schemaVersion":0,"extra":{}}""");
    assertThat(frame.refusal()).isNull();
    assertThat(frame.context()).isEqualTo("42");
    var m = frame.message();
    assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("hi");
    assertThat(m.key()).isEqualTo("7");
    assertThat(m.properties()).isEqualTo(Map.of("a", "b", "n", "1", "t", "true"));
    assertThat(m.eventTime()).isEqualTo(OffsetDateTime.parse("2024-01-02T03:04:05.678+01:00").toInstant()
        .toEpochMilli());
    assertThat(m.deliverAt()).isNull();
    assertThat(m.deliverAfterMs()).isEqualTo(250);
    assertThat(m.replicationClusters()).containsExactly("c1");
    assertThat(m.sequenceId()).isNull();
  }

  @Test
  void refusesBadFramesWithPulsarsResults() {
    assertRefused("{oops", "send-error:3", null);
    assertRefused("[1,2]", "send-error:3", null);
    assertRefused("{\"context\":\"c\",\"properties\":[1]}", "send-error:3", "c");
    assertRefused("{\"context\":\"c\"}", "send-error:7", "c");
    assertRefused("{\"context\":\"c\",\"payload\":\"@@@\"}", "send-error:7", "c");
    assertRefused("{\"context\":\"c\",\"payload\":\"aGk=\",\"eventTime\":\"now\"}", "send-error:7", "c");
    assertRefused("{\"context\":\"c\",\"payload\":\"aGk=\",\"properties\":{\"k\":null}}", "send-error:7", "c");
  }

  private static void assertRefused(String text, String result, String context) {
    JsonObject ack = Frames.producerFrame(text).refusal();
    assertThat(ack).as(text).isNotNull();
    assertThat(ack.getString("result")).isEqualTo(result);
    assertThat(ack.getString("context")).isEqualTo(context);
    assertThat(ack.getString("errorMsg")).isNotBlank();
    assertThat(ack.getInteger("errorCode")).isZero();
    assertThat(ack.getLong("schemaVersion")).isZero();
  }

  @Test
  void writesAcksAsPulsarDoes() {
    JsonObject ack = Frames.ack(MessageIds.decode("CAEQAjAA", "id"), "c1");
    assertThat(ack.encode()).isEqualTo("{\"result\":\"ok\",\"messageId\":\"CAEQAjAA\",\"context\":\"c1\","
        + "\"errorCode\":0,\"schemaVersion\":0}");
  }

  @Test
  void writesAckContextsThatNeedEscapingAsTheSameString() {
    String context = "q\"b\\n\nt\tc\u0001é€😀";
    String ack = Frames.okAck(MessageIds.decode("CAEQAjAA", "id"), context);
    JsonObject parsed = new JsonObject(ack);
    assertThat(parsed.getString("context")).isEqualTo(context);
    assertThat(parsed.getString("messageId")).isEqualTo("CAEQAjAA");
    assertThat(parsed.fieldNames()).containsExactly("result", "messageId", "context", "errorCode", "schemaVersion");
    assertThat(new JsonObject(Frames.okAck(MessageIds.decode("CAEQAjAA", "id"), null)).fieldNames())
        .containsExactly("result", "messageId", "errorCode", "schemaVersion");
  }

  @Test
  void writesMessagesWithPropertiesAlwaysAndKeyAndEventTimeOnlyWhenSet() {
    JsonObject plain = new JsonObject(Frames.message(new InboundMessage("CAEQAjAA", "t", new byte[] {1, 2},
        null, Map.of(), 1704164645678L, 0, 0)));
    assertThat(plain.fieldNames()).containsExactly("messageId", "payload", "properties", "publishTime",
        "redeliveryCount");
    assertThat(plain.getJsonObject("properties").isEmpty()).isTrue();
    assertThat(OffsetDateTime.parse(plain.getString("publishTime")).toInstant().toEpochMilli())
        .isEqualTo(1704164645678L);

    JsonObject full = new JsonObject(Frames.message(new InboundMessage("CAEQAjAA", "t", new byte[0], "k",
        Map.of("a", "b"), 1704164645678L, 1704164645000L, 2)));
    assertThat(full.getString("key")).isEqualTo("k");
    assertThat(full.getInteger("redeliveryCount")).isEqualTo(2);
    assertThat(OffsetDateTime.parse(full.getString("eventTime")).toInstant().toEpochMilli())
        .isEqualTo(1704164645000L);
  }

  @Test
  void addsSchemaVersionAndValueOrDecodeErrorOnlyToDecodedMessages() {
    InboundMessage typed = new InboundMessage("CAEQAjAA", "t", new byte[] {2, 6}, null, Map.of(), 1704164645678L, 0,
        0, 4L, null);
    assertThat(new JsonObject(Frames.message(typed)).fieldNames()).containsExactly("messageId", "payload",
        "properties", "publishTime", "redeliveryCount");

    JsonObject decoded = new JsonObject(Frames.message(typed.withDecoded(
        DecodedValue.of(new JsonObject().put("city", "Lyon \"2\"")))));
    assertThat(decoded.getString("payload")).isEqualTo("AgY=");
    assertThat(decoded.getLong("schemaVersion")).isEqualTo(4L);
    assertThat(decoded.getJsonObject("value")).isEqualTo(new JsonObject().put("city", "Lyon \"2\""));

    JsonObject failed = new JsonObject(Frames.message(typed.withDecoded(DecodedValue.failed("schema version 4 not found"))));
    assertThat(failed.getString("decodeError")).isEqualTo("schema version 4 not found");
    assertThat(failed.containsKey("value")).isFalse();
  }

  @Test
  void writesMessagesAsJsonObjectWouldEncodeThem() {
    String odd = "q\"b\\n\nt\tc\u0001é€😀</";
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("a", "b");
    properties.put(odd, odd);
    properties.put("empty", "");
    byte[] payload = new byte[1000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31);
    }
    for (InboundMessage m : List.of(
        new InboundMessage("CAEQAjAA", "t", payload, null, Map.of(), 1704164645678L, 0, 0),
        new InboundMessage("CAEQAjAA", "t", new byte[0], odd, properties, 1704164645678L, 1704164645000L, 3),
        new InboundMessage("CAEQAjAA", "t", new byte[] {-1}, "k", Map.of("x", "y"), 0L, -1L, Integer.MAX_VALUE))) {
      JsonObject expected = new JsonObject()
          .put("messageId", m.messageId())
          .put("payload", Base64.getEncoder().encodeToString(m.payload()))
          .put("properties", new JsonObject(new LinkedHashMap<>(m.properties())))
          .put("publishTime", OffsetDateTime.ofInstant(Instant.ofEpochMilli(m.publishTime()), ZoneId.systemDefault())
              .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
          .put("redeliveryCount", m.redeliveryCount());
      if (m.eventTime() != 0) {
        expected.put("eventTime", OffsetDateTime.ofInstant(Instant.ofEpochMilli(m.eventTime()),
            ZoneId.systemDefault()).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      }
      if (m.key() != null) {
        expected.put("key", m.key());
      }
      assertThat(Frames.message(m)).isEqualTo(expected.encode());
    }
  }

  @Test
  void readsCommandsAndRefusesWhatCannotBeOne() throws Exception {
    Frames.Command permit = Frames.command("{\"type\":\"permit\",\"permitMessages\":\"3\"}");
    assertThat(permit.permitMessages()).isEqualTo(3);
    Frames.Command ack = Frames.command("{\"messageId\":\"CAEQAjAA\",\"unknown\":1}");
    assertThat(ack.type()).isNull();
    assertThat(Frames.messageId(ack)).isEqualTo("CAEQAjAA");
    for (String bad : List.of("nope", "{\"permitMessages\":1.5}", "{\"type\":{}}")) {
      assertThatThrownBy(() -> Frames.command(bad)).as(bad).isInstanceOf(Frames.BadCommand.class);
    }
    assertThatThrownBy(() -> Frames.messageId(Frames.command("{}"))).isInstanceOf(Frames.BadCommand.class);
    assertThatThrownBy(() -> Frames.messageId(Frames.command("{\"messageId\":\"???\"}")))
        .isInstanceOf(Frames.BadCommand.class);
  }
}
