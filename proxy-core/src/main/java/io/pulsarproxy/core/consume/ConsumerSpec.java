package io.pulsarproxy.core.consume;

import java.util.List;
import org.apache.pulsar.client.api.ConsumerCryptoFailureAction;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionMode;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * A validated subscription request. Exactly one of {@code topics} (one or more full topic names) and
 * {@code topicsPattern} is set. Nullable fields take Pulsar's defaults.
 *
 * @param maxRedeliverCount with {@code deadLetterTopic}: messages redelivered more often go to the dead-letter
 *                          topic ({@code null}: no dead-letter policy)
 * @param deadLetterTopic   null for Pulsar's default {@code {topic}-{subscription}-DLQ}
 */
public record ConsumerSpec(
    List<String> topics,
    String topicsPattern,
    String subscription,
    SubscriptionType subscriptionType,
    SubscriptionMode subscriptionMode,
    SubscriptionInitialPosition initialPosition,
    int receiverQueueSize,
    long ackTimeoutMs,
    String consumerName,
    Integer priorityLevel,
    Long negativeAckRedeliveryDelayMs,
    Integer maxRedeliverCount,
    String deadLetterTopic,
    ConsumerCryptoFailureAction cryptoFailureAction) implements SessionSpec {

  public ConsumerSpec {
    topics = topics == null ? List.of() : List.copyOf(topics);
    if (topics.isEmpty() == (topicsPattern == null)) {
      throw new IllegalArgumentException("exactly one of topics and topicsPattern");
    }
  }

  /** A subscription with Pulsar's defaults (Exclusive, durable, from Latest) on one topic. */
  public static ConsumerSpec of(String topic, String subscription) {
    return new ConsumerSpec(List.of(topic), null, subscription, SubscriptionType.Exclusive, SubscriptionMode.Durable,
        SubscriptionInitialPosition.Latest, 1000, 0, null, null, null, null, null, null);
  }

  public ConsumerSpec withType(SubscriptionType type) {
    return new ConsumerSpec(topics, topicsPattern, subscription, type, subscriptionMode, initialPosition,
        receiverQueueSize, ackTimeoutMs, consumerName, priorityLevel, negativeAckRedeliveryDelayMs, maxRedeliverCount,
        deadLetterTopic, cryptoFailureAction);
  }

  public ConsumerSpec withInitialPosition(SubscriptionInitialPosition position) {
    return new ConsumerSpec(topics, topicsPattern, subscription, subscriptionType, subscriptionMode, position,
        receiverQueueSize, ackTimeoutMs, consumerName, priorityLevel, negativeAckRedeliveryDelayMs, maxRedeliverCount,
        deadLetterTopic, cryptoFailureAction);
  }
}
