package io.pulsarproxy.core.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.metrics.SubscriptionLag.Sample;
import java.util.List;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.TopicMessageId;
import org.junit.jupiter.api.Test;

/** How a session's position and the partitions' last ids make its lag. */
class LagPositionTest {
  private static final String T = "persistent://public/default/t";
  private static final long NOW = 1_000_000;

  /** A message id as the client library has them: ledger, entry, partition. */
  private record Id(long ledger, long entry) implements MessageIdAdv {
    @Override
    public long getLedgerId() {
      return ledger;
    }

    @Override
    public long getEntryId() {
      return entry;
    }

    @Override
    public int getPartitionIndex() {
      return -1;
    }

    @Override
    public byte[] toByteArray() {
      return new byte[0];
    }

    @Override
    public int compareTo(MessageId o) {
      Id other = (Id) o;
      return ledger != other.ledger ? Long.compare(ledger, other.ledger) : Long.compare(entry, other.entry);
    }
  }

  private static List<TopicMessageId> last(long ledger, long entry) {
    return List.of(TopicMessageId.create(T, new Id(ledger, entry)));
  }

  @Test
  void countsTheEntriesAfterTheLastMessageTakenPlusThoseNotAcknowledged() {
    LagPosition lag = new LagPosition();
    lag.took(T, new Id(7, 10));

    assertThat(lag.sample(last(7, 10), 0, -1, NOW)).isEqualTo(new Sample(0, 0));
    assertThat(lag.sample(last(7, 13), 2, NOW - 4_000, NOW)).isEqualTo(new Sample(5, 4));
  }

  @Test
  void secondsCountFromTheFirstSampleThatFoundMessagesWaiting() {
    LagPosition lag = new LagPosition();
    lag.took(T, new Id(7, 10));

    assertThat(lag.sample(last(7, 12), 0, -1, NOW)).isEqualTo(new Sample(2, 0));
    assertThat(lag.sample(last(7, 15), 0, -1, NOW + 2_500)).isEqualTo(new Sample(5, 2.5));
    lag.took(T, new Id(7, 15));
    assertThat(lag.sample(last(7, 15), 0, -1, NOW + 3_000)).isEqualTo(new Sample(0, 0));
  }

  @Test
  void acrossALedgerRollOverCountsTheNewestLedgerOnly() {
    LagPosition lag = new LagPosition();
    lag.took(T, new Id(7, 49_990));

    assertThat(lag.sample(last(8, 4), 0, -1, NOW).messages()).isEqualTo(5);
  }

  @Test
  void aPartitionNothingWasTakenFromCountsFromItsEndAtTheFirstSample() {
    LagPosition lag = new LagPosition();

    assertThat(lag.sample(last(7, 100), 0, -1, NOW).messages()).isZero();
    assertThat(lag.sample(last(7, 103), 0, -1, NOW).messages()).isEqualTo(3);
  }

  @Test
  void anEmptyTopicIsNeverBehind() {
    LagPosition lag = new LagPosition();

    assertThat(lag.sample(List.of(TopicMessageId.create(T, MessageId.earliest)), 0, -1, NOW)).isEqualTo(new Sample(0, 0));
  }
}
