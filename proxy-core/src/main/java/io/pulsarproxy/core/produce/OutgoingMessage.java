package io.pulsarproxy.core.produce;

import java.util.List;
import java.util.Map;

/**
 * One message to produce, already validated at the edge.
 *
 * @param payload        the bytes stored in Pulsar (never null, may be empty)
 * @param key            partition key, or null
 * @param properties     message properties (never null)
 * @param eventTime      epoch ms, or null
 * @param deliverAt      epoch ms for delayed delivery, or null
 * @param deliverAfterMs delay in ms for delayed delivery, or null
 * @param sequenceId     producer sequence id, or null
 * @param replicationClusters the clusters to replicate this message to, or null for the namespace's
 * @param value          the message's JSON value as given (Vert.x JSON types), or null when it came as bytes; on a
 *                       topic with a schema it is encoded to the schema, else {@code payload} (its JSON text) is sent
 * @param keyBytes       the encoded key of a SEPARATED KeyValue schema, sent as the message key; else null
 */
public record OutgoingMessage(
    byte[] payload,
    String key,
    Map<String, String> properties,
    Long eventTime,
    Long deliverAt,
    Long deliverAfterMs,
    Long sequenceId,
    List<String> replicationClusters,
    Object value,
    byte[] keyBytes) {

  public OutgoingMessage {
    java.util.Objects.requireNonNull(payload, "payload");
    properties = properties == null ? Map.of() : Map.copyOf(properties);
    replicationClusters = replicationClusters == null ? null : List.copyOf(replicationClusters);
  }

  /** A message of bytes. */
  public OutgoingMessage(byte[] payload, String key, Map<String, String> properties, Long eventTime, Long deliverAt,
      Long deliverAfterMs, Long sequenceId, List<String> replicationClusters) {
    this(payload, key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId, replicationClusters, null, null);
  }

  /** This message with a JSON value: {@code payload} is the value's JSON text. */
  public OutgoingMessage withValue(Object json) {
    return new OutgoingMessage(payload, key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId,
        replicationClusters, json, null);
  }

  /** This message with its value encoded to a schema: the payload and, for a SEPARATED KeyValue, the key. */
  public OutgoingMessage encodedAs(byte[] newPayload, byte[] newKeyBytes) {
    return new OutgoingMessage(newPayload, key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId,
        replicationClusters, null, newKeyBytes);
  }

  /** A message replicated as its namespace says. */
  public OutgoingMessage(byte[] payload, String key, Map<String, String> properties, Long eventTime, Long deliverAt,
      Long deliverAfterMs, Long sequenceId) {
    this(payload, key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId, null);
  }

  public static OutgoingMessage of(byte[] payload) {
    return new OutgoingMessage(payload, null, Map.of(), null, null, null, null);
  }
}
