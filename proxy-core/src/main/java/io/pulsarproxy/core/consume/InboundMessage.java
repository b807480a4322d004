package io.pulsarproxy.core.consume;

import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.schema.decode.DecodedValue;
import io.pulsarproxy.core.schema.RegisteredSchema;
import java.util.Map;
import org.apache.pulsar.client.api.Message;

/**
 * A message received from Pulsar, as every edge presents it.
 *
 * @param messageId       the id in the proxy's base64 form ({@link MessageIds}); acks name it
 * @param eventTime       epoch ms, 0 when not set
 * @param schemaVersion   the version of the topic's schema the message was written with; null when it carries none
 * @param decoded         for sessions opened to decode values, the body decoded with that schema version; null when
 *                        the session does not decode or the message is untyped (no version, or a bytes schema)
 */
public record InboundMessage(
    String messageId,
    String topic,
    byte[] payload,
    String key,
    Map<String, String> properties,
    long publishTime,
    long eventTime,
    int redeliveryCount,
    Long schemaVersion,
    DecodedValue decoded) {

  /** A message as it was before schemas: untyped, not decoded. */
  public InboundMessage(String messageId, String topic, byte[] payload, String key, Map<String, String> properties,
      long publishTime, long eventTime, int redeliveryCount) {
    this(messageId, topic, payload, key, properties, publishTime, eventTime, redeliveryCount, null, null);
  }

  public static InboundMessage from(Message<byte[]> m) {
    return new InboundMessage(MessageIds.encode(m.getMessageId()), m.getTopicName(), m.getData(),
        m.hasKey() ? m.getKey() : null, Map.copyOf(m.getProperties()), m.getPublishTime(), m.getEventTime(),
        m.getRedeliveryCount(), RegisteredSchema.version(m.getSchemaVersion()), null);
  }

  public InboundMessage withDecoded(DecodedValue value) {
    return new InboundMessage(messageId, topic, payload, key, properties, publishTime, eventTime, redeliveryCount,
        schemaVersion, value);
  }
}
