package io.pulsarproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.MessageIds;
import java.util.Base64;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
  @Test
  void keepsPulsarsBytesForNonBatchedIds() throws Exception {
    MessageId id = MessageId.fromByteArray(Base64.getDecoder().decode("CAMQADAA"));
    assertThat(MessageIds.encode(id)).isEqualTo("CAMQADAA");
  }

  @Test
  void writesBatchedIdsWithoutTheBatchSizeLikeAProducerAck() throws Exception {
    // ledger 6, entry 0, batch index 0, batch size 9: the form a consumer receives
    MessageId received = MessageId.fromByteArray(new byte[] {0x08, 0x06, 0x10, 0x00, 0x20, 0x00, 0x30, 0x09});
    assertThat(((MessageIdAdv) received).getBatchSize()).isEqualTo(9);
    // ledger 6, entry 0, batch index 0, batch size 0: the form a producer gets back
    assertThat(MessageIds.encode(received)).isEqualTo("CAYQACAAMAA=");
  }

  @Test
  void encodesLargeLedgersAndPartitions() throws Exception {
    MessageId received = MessageId.fromByteArray(new byte[] {
        0x08, (byte) 0xac, 0x02, 0x10, 0x07, 0x18, 0x02, 0x20, 0x05, 0x30, 0x0a});
    MessageIdAdv decoded = (MessageIdAdv) MessageIds.decode(MessageIds.encode(received), "id");
    assertThat(decoded.getLedgerId()).isEqualTo(300);
    assertThat(decoded.getEntryId()).isEqualTo(7);
    assertThat(decoded.getPartitionIndex()).isEqualTo(2);
    assertThat(decoded.getBatchIndex()).isEqualTo(5);
  }

  @Test
  void rejectsWhatIsNotAnId() {
    assertThatThrownBy(() -> MessageIds.decode("%%%", "messageId"))
        .isInstanceOfSatisfying(ProxyException.class, e -> assertThat(e.getMessage()).startsWith("messageId:"));
  }
}
