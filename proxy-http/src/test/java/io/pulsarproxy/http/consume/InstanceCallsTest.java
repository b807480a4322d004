package io.pulsarproxy.http.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A poll's answer crosses the event bus as bytes and comes back as the body and ids the owner wrote. */
class InstanceCallsTest {

  @Test
  void aPollAnswerComesBackWithItsBodyAndIds() {
    JsonArray messages = new JsonArray().add(new JsonObject().put("messageId", "CAEQAg==").put("payload", "aGk="))
        .add(new JsonObject().put("messageId", "CAEQAw==").put("payload", "w6k="));
    List<String> ids = List.of("CAEQAg==", "CAEQAw==", "é-id");

    JsonObject back = InstanceCalls.readPollAnswer(InstanceCalls.pollAnswer(messages.toBuffer(), ids).copy());

    assertThat(back.getInteger(InstanceCalls.STATUS)).isEqualTo(200);
    assertThat(back.getBuffer(InstanceCalls.BODY).getBytes()).isEqualTo(messages.toBuffer().getBytes());
    assertThat(InstanceCalls.strings(back.getJsonArray(InstanceCalls.IDS))).isEqualTo(ids);
  }

  @Test
  void anEmptyPollAnswerHasAnEmptyArrayAndNoIds() {
    JsonObject back = InstanceCalls.readPollAnswer(InstanceCalls.pollAnswer(new JsonArray().toBuffer(), List.of()));

    assertThat(back.getBuffer(InstanceCalls.BODY).toString()).isEqualTo("[]");
    assertThat(back.getJsonArray(InstanceCalls.IDS)).isEmpty();
  }

  @Test
  void aLargeBodyIsNotCutShort() {
    Buffer body = Buffer.buffer("[\"" + "x".repeat(200_000) + "\"]");

    JsonObject back = InstanceCalls.readPollAnswer(InstanceCalls.pollAnswer(body, List.of("a")));

    assertThat(back.getBuffer(InstanceCalls.BODY).length()).isEqualTo(body.length());
    assertThat(back.getBuffer(InstanceCalls.BODY)).isEqualTo(body);
  }
}
