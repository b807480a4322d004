package io.pulsarproxy.http.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.schema.decode.DecodedValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageJsonTest {
  private static InboundMessage message(byte[] body, long eventTime) {
    return new InboundMessage("CAEQAjAA", "persistent://public/default/t", body, null, Map.of("a", "b"), 1700000000000L,
        eventTime, 2);
  }

  @Test
  void carriesTheMetadata() {
    JsonObject json = MessageJson.of(message(new byte[] {1}, 0), BodyFormat.BASE64);
    assertThat(json.getString("messageId")).isEqualTo("CAEQAjAA");
    assertThat(json.getString("topic")).isEqualTo("persistent://public/default/t");
    assertThat(json.containsKey("key")).isTrue();
    assertThat(json.getString("key")).isNull();
    assertThat(json.getJsonObject("properties")).isEqualTo(new JsonObject().put("a", "b"));
    assertThat(json.getLong("publishTime")).isEqualTo(1700000000000L);
    assertThat(json.getValue("eventTime")).isNull();
    assertThat(json.getInteger("redeliveryCount")).isEqualTo(2);
    assertThat(json.getString("payload")).isEqualTo("AQ==");
    assertThat(MessageJson.of(message(new byte[0], 5), BodyFormat.BASE64).getLong("eventTime")).isEqualTo(5);
  }

  @Test
  void givesTheBodyInTheRequestedFormatOrSaysWhyNot() {
    byte[] json = "[1,{\"x\":\"é\"}]".getBytes(StandardCharsets.UTF_8);
    assertThat(MessageJson.of(message(json, 0), BodyFormat.JSON).getJsonArray("value"))
        .isEqualTo(new JsonArray().add(1).add(new JsonObject().put("x", "é")));
    assertThat(MessageJson.of(message(json, 0), BodyFormat.TEXT).getString("text")).isEqualTo("[1,{\"x\":\"é\"}]");

    JsonObject notJson = MessageJson.of(message("plain".getBytes(StandardCharsets.UTF_8), 0), BodyFormat.JSON);
    assertThat(notJson.getString("text")).isEqualTo("plain");
    assertThat(notJson.getString("formatFallback")).startsWith("text");
    assertThat(notJson.containsKey("value")).isFalse();

    byte[] binary = {(byte) 0xc3, 0x28};
    JsonObject notText = MessageJson.of(message(binary, 0), BodyFormat.TEXT);
    assertThat(notText.getString("payload")).isEqualTo("wyg=");
    assertThat(notText.getString("formatFallback")).startsWith("base64");
    assertThat(MessageJson.of(message(binary, 0), BodyFormat.JSON).getString("formatFallback")).startsWith("base64");
    assertThat(MessageJson.of(message(new byte[0], 0), BodyFormat.JSON).getString("text")).isEmpty();
  }

  @Test
  void givesTypedMessagesDecodedWithTheirSchemaVersionOrTheirBytesAndWhyNot() {
    InboundMessage typed = new InboundMessage("CAEQAjAA", "persistent://public/default/t", new byte[] {2, 6}, null,
        Map.of(), 1700000000000L, 0, 0, 3L, DecodedValue.of(new JsonObject().put("n", 3)));
    JsonObject decoded = MessageJson.of(typed, BodyFormat.JSON);
    assertThat(decoded.getLong("schemaVersion")).isEqualTo(3L);
    assertThat(decoded.getJsonObject("value")).isEqualTo(new JsonObject().put("n", 3));
    assertThat(decoded.containsKey("payload")).isFalse();

    JsonObject asBytes = MessageJson.of(typed, BodyFormat.BASE64);
    assertThat(asBytes.getString("payload")).isEqualTo("AgY=");
    assertThat(asBytes.getLong("schemaVersion")).isEqualTo(3L);
    assertThat(asBytes.containsKey("value")).isFalse();

    InboundMessage corrupt = typed.withDecoded(DecodedValue.failed("not Avro binary of its schema"));
    JsonObject failed = MessageJson.of(corrupt, BodyFormat.JSON);
    assertThat(failed.getString("payload")).isEqualTo("AgY=");
    assertThat(failed.getString("decodeError")).isEqualTo("not Avro binary of its schema");
    assertThat(failed.containsKey("value")).isFalse();

    JsonObject nullValue = MessageJson.of(typed.withDecoded(DecodedValue.of(null)), BodyFormat.JSON);
    assertThat(nullValue.containsKey("value")).isTrue();
    assertThat(nullValue.getValue("value")).isNull();
  }
}
