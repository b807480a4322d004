package io.pulsarproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.produce.MessageIds;
import io.vertx.core.json.JsonObject;
import org.apache.pulsar.client.api.MessageId;
import org.junit.jupiter.api.Test;

class ProduceResultJsonTest {

  @Test
  void aStoredMessageGetsItsIdAndPosition() {
    MessageId id = MessageIds.decode("CAcQAzAA", "messageId"); // ledger 7, entry 3

    JsonObject result = ProduceHandler.okResult(id);

    assertThat(result.getBoolean("ok")).isTrue();
    assertThat(result.getString("messageId")).isEqualTo("CAcQAzAA");
    assertThat(result.getLong("ledgerId")).isEqualTo(7);
    assertThat(result.getLong("entryId")).isEqualTo(3);
    assertThat(result.containsKey("duplicate")).isFalse();
  }

  @Test
  void aCopyTheBrokersDeduplicationDroppedIsOkWithoutAnId() {
    // what the broker acknowledged in a crash test for a batched message it had already stored: ledger and entry -1
    MessageId dropped = MessageIds.decode("CP///////////wEQ////////////ASAAMAA=", "messageId");

    JsonObject result = ProduceHandler.okResult(dropped);

    assertThat(result.getBoolean("ok")).isTrue();
    assertThat(result.getBoolean("duplicate")).isTrue();
    assertThat(result.containsKey("messageId")).isTrue();
    assertThat(result.getString("messageId")).isNull();
    assertThat(result.containsKey("ledgerId")).isFalse();
  }
}
