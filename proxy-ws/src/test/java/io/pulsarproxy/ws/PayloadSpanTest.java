package io.pulsarproxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.produce.OutgoingMessage;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadSpanTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"payload\":\"aGk=\"}",
      "{\"payload\":\"aGk=\",\"context\":\"c1\",\"key\":\"k\",\"properties\":{\"a\":\"b\"}}",
      "{\"context\":\"c1\",\"properties\":{\"a\":\"b\"},\"payload\":\"aGk=\"}",
      "{ \"payload\" :\n \"aGk=\" , \"context\" : 7 }",
      "{\"payload\":\"\",\"context\":\"empty\"}",
      "{\"context\":\"\\\"payload\\\":\\\"eA==\\\"\",\"payload\":\"aGk=\"}",
      "{\"properties\":{\"x\":\"\\\"payload\\\": \\\"\"},\"payload\":\"aGk=\"}"})
  void takesPlainFramesTheFastWayWithTheResultOfAFullParse(String text) {
    Frames.ProducerFrame fast = PayloadSpan.producerFrame(text);
    assertThat(fast).as(text).isNotNull();
    assertSame(fast, Frames.producerFrame(new JsonObject(text), null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // "payload" first seen inside another key, in a nested object, or as an earlier duplicate (the last one wins)
      "{\"a\\\"payload\":\"eA==\",\"payload\":\"aGk=\"}",
      "{\"properties\":{\"payload\":\"eA==\"},\"payload\":\"aGk=\"}",
      "{\"payload\":\"eA==\",\"payload\":\"aGk=\"}",
      // a JSON escape inside the base64 (\/ is a legal way to write /)
      "{\"payload\":\"a\\/8=\"}",
      // not a string, so the full parse's leniency applies
      "{\"payload\":12}"})
  void leavesOtherFramesToTheFullParse(String text) {
    assertThat(PayloadSpan.producerFrame(text)).as(text).isNull();
    Frames.ProducerFrame frame = Frames.producerFrame(text);
    assertSame(frame, Frames.producerFrame(new JsonObject(text), null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"payload\":\"***\",\"context\":\"c\"}",
      "{\"payload\":\"aGk=\" \"context\":\"c\"}",
      "{\"payload\":\"aGk=\",\"context\":\"c\"} trailing",
      "{\"payload\":\"aGk=\",\"properties\":{\"k\":null},\"context\":\"c\"}",
      "{\"payload\":\"aGk=",
      "{\"payload\":\"aGk=\",\"context\":\"c\",\"eventTime\":\"yesterday\"}"})
  void leavesRefusalsToTheFullParse(String text) {
    assertThat(PayloadSpan.producerFrame(text)).as(text).isNull();
    assertThat(Frames.producerFrame(text).refusal()).as(text).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 100, 1024, 65536})
  void decodesPayloadsOfAnySize(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i * 31 + 7);
    }
    String text = "{\"context\":\"c" + size + "\",\"payload\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}";
    Frames.ProducerFrame frame = PayloadSpan.producerFrame(text);
    assertThat(frame).isNotNull();
    assertThat(frame.message().payload()).isEqualTo(bytes);
    assertThat(frame.context()).isEqualTo("c" + size);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"payload\":\"aGk=\"}", "{\"a\":1, \"payload\":\"aGk=\"}"})
  void confirmsTheValuePosition(String text) {
    int quote = text.lastIndexOf("\"aGk=\"");
    assertThat(PayloadSpan.isPayloadValueAt(text, quote)).isTrue();
    assertThat(PayloadSpan.isPayloadValueAt(text, quote + 1)).isFalse();
    assertThat(PayloadSpan.isPayloadValueAt(text, text.indexOf("\"payload\""))).isFalse();
  }

  private static void assertSame(Frames.ProducerFrame actual, Frames.ProducerFrame expected) {
    assertThat(actual.context()).isEqualTo(expected.context());
    if (expected.refusal() != null) {
      assertThat(actual.refusal()).isEqualTo(expected.refusal());
      return;
    }
    OutgoingMessage a = actual.message();
    OutgoingMessage e = expected.message();
    assertThat(a.payload()).isEqualTo(e.payload());
    assertThat(a.key()).isEqualTo(e.key());
    assertThat(a.properties()).isEqualTo(e.properties());
    assertThat(a.eventTime()).isEqualTo(e.eventTime());
    assertThat(a.deliverAt()).isEqualTo(e.deliverAt());
    assertThat(a.deliverAfterMs()).isEqualTo(e.deliverAfterMs());
    assertThat(a.replicationClusters()).isEqualTo(e.replicationClusters());
  }

  @Test
  void readsWhatAPulsarClientSends() {
    Frames.ProducerFrame frame = PayloadSpan.producerFrame(
        "{\"payload\":\"" + Base64.getEncoder().encodeToString("héllo".getBytes(StandardCharsets.UTF_8))
            + "\",\"properties\":{\"k\":\"v\"},\"context\":\"1\",\"key\":\"key-1\"}");
    assertThat(frame).isNotNull();
    assertThat(new String(frame.message().payload(), StandardCharsets.UTF_8)).isEqualTo("héllo");
    assertThat(frame.message().properties()).isEqualTo(Map.of("k", "v"));
    assertThat(frame.message().key()).isEqualTo("key-1");
  }
}
