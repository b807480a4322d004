package io.pulsarproxy.http.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.consume.InboundMessage;
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
}
