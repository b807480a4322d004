package io.pulsarproxy.core.consume;

import org.apache.pulsar.client.api.MessageId;

/**
 * A validated reader request: read {@code topic} from a position without a durable subscription.
 *
 * @param startMessageId  where to start ({@link MessageId#earliest}, {@link MessageId#latest} or an id); ignored
 *                        when {@code startTimestamp} is set
 * @param startInclusive  whether the message at {@code startMessageId} itself is delivered
 * @param startTimestamp  epoch ms: start at the first message published at or after it, or null
 */
public record ReaderSpec(
    String topic,
    String readerName,
    int receiverQueueSize,
    MessageId startMessageId,
    boolean startInclusive,
    Long startTimestamp) implements SessionSpec {}
