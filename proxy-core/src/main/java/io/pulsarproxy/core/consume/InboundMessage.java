package io.pulsarproxy.core.consume;

import io.pulsarproxy.core.produce.MessageIds;
import java.util.Map;
import org.apache.pulsar.client.api.Message;

/**
 * A message received from Pulsar, as every edge presents it.
 *
 * @param messageId       the id in the proxy's base64 form ({@link MessageIds}); acks name it
 * @param eventTime       epoch ms, 0 when not set
 */
public record InboundMessage(
    String messageId,
    String topic,
    byte[] payload,
    String key,
    Map<String, String> properties,
    long publishTime,
    long eventTime,
    int redeliveryCount) {

  public static InboundMessage from(Message<byte[]> m) {
    return new InboundMessage(MessageIds.encode(m.getMessageId()), m.getTopicName(), m.getData(),
        m.hasKey() ? m.getKey() : null, Map.copyOf(m.getProperties()), m.getPublishTime(), m.getEventTime(),
        m.getRedeliveryCount());
  }
}
