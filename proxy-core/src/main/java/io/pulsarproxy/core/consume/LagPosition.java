package io.pulsarproxy.core.consume;

import io.pulsarproxy.metrics.SubscriptionLag;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.TopicMessageId;

/**
 * Where one consumer session stands on each topic (partition) it reads, for its lag: the newest message the proxy
 * took from the consumer, per partition. Compared with the partitions' last message ids (one
 * {@code getLastMessageIdsAsync} per sample), it gives the messages behind. Confined to the consumer verticle's
 * context.
 *
 * <p>Messages behind = for each partition, the entries after the newest message the proxy took, up to the last one
 * (a batch counts as one entry; exact while both are in the same ledger, a lower bound across a ledger roll-over:
 * the entries of the newest ledger) + the messages handed to the client and not acknowledged. A partition the
 * proxy has taken nothing from yet counts from its end at the session's first sample. Seconds behind = now minus
 * the publish time of the oldest message handed out and not acknowledged, or minus the first sample that found the
 * messages waiting at the broker; 0 when nothing is behind.
 */
final class LagPosition {
  /** Bounded by the partitions the consumer reads. */
  private final Map<String, MessageIdAdv> taken = new HashMap<>();
  private long behindSinceMillis = -1;

  /** Notes a message the proxy took from the consumer: its topic (partition) and id. */
  void took(String topic, MessageId messageId) {
    if (messageId instanceof MessageIdAdv id) {
      taken.put(topic, id);
    }
  }

  /** Forgets the positions: after a seek the next message taken says where the session stands. */
  void reset() {
    taken.clear();
    behindSinceMillis = -1;
  }

  /**
   * The lag against {@code last}, the partitions' last message ids.
   *
   * @param unacked              messages handed to the client and not acknowledged
   * @param oldestUnackedMillis  publish time of the oldest of them, or -1 when there is none
   */
  SubscriptionLag.Sample sample(List<TopicMessageId> last, int unacked, long oldestUnackedMillis, long nowMillis) {
    long atBroker = 0;
    for (TopicMessageId end : last) {
      if (!(end instanceof MessageIdAdv endId) || endId.getEntryId() < 0 || MessageId.earliest.equals(end)) {
        continue; // an empty partition
      }
      MessageIdAdv from = taken.get(end.getOwnerTopic());
      if (from == null) {
        taken.put(end.getOwnerTopic(), endId); // nothing taken yet: count from here on
        continue;
      }
      if (from.getLedgerId() == endId.getLedgerId()) {
        atBroker += Math.max(0, endId.getEntryId() - from.getEntryId());
      } else if (from.getLedgerId() < endId.getLedgerId()) {
        atBroker += endId.getEntryId() + 1;
      }
    }
    if (atBroker == 0) {
      behindSinceMillis = -1;
    } else if (behindSinceMillis < 0) {
      behindSinceMillis = nowMillis;
    }
    long since = oldestUnackedMillis < 0 ? behindSinceMillis
        : behindSinceMillis < 0 ? oldestUnackedMillis : Math.min(oldestUnackedMillis, behindSinceMillis);
    long messages = atBroker + unacked;
    double seconds = messages == 0 || since < 0 ? 0 : Math.max(0, nowMillis - since) / 1000.0;
    return new SubscriptionLag.Sample(messages, seconds);
  }
}
