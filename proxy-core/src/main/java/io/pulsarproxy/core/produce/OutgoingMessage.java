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
 * @param textSize       -1 when {@code payload} is what is sent; otherwise {@code payload} is still empty and this is
 *                       the length of the value's JSON text, written only if the topic turns out to have no schema
 *                       ({@link #withJsonText()})
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
    byte[] keyBytes,
    long textSize) {

  public OutgoingMessage {
    java.util.Objects.requireNonNull(payload, "payload");
    properties = properties == null ? Map.of() : Map.copyOf(properties);
    replicationClusters = replicationClusters == null ? null : List.copyOf(replicationClusters);
  }

  /** A message of bytes. */
  public OutgoingMessage(byte[] payload, String key, Map<String, String> properties, Long eventTime, Long deliverAt,
      Long deliverAfterMs, Long sequenceId, List<String> replicationClusters) {
    this(payload, key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId, replicationClusters, null, null,
        -1);
  }

  /** This message with a JSON value: {@code payload} is the value's JSON text. */
  public OutgoingMessage withValue(Object json) {
    return new OutgoingMessage(payload, key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId,
        replicationClusters, json, null, -1);
  }

  /**
   * This message with a JSON value whose text, {@code textSize} bytes, is not written yet: encoded to the schema on a
   * typed topic, written by {@link #withJsonText()} on a topic without one.
   */
  public OutgoingMessage withValue(Object json, long textSize) {
    return new OutgoingMessage(new byte[0], key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId,
        replicationClusters, json, null, textSize);
  }

  /** This message with its value's JSON text as the payload, if it was not written yet. */
  public OutgoingMessage withJsonText() {
    if (textSize < 0) {
      return this;
    }
    return new OutgoingMessage(io.vertx.core.json.Json.encode(value).getBytes(java.nio.charset.StandardCharsets.UTF_8),
        key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId, replicationClusters, value, null, -1);
  }

  /** The bytes this message stands for: its payload, or its value's JSON text not yet written. */
  public long size() {
    return textSize >= 0 ? textSize : payload.length;
  }

  /** This message with its value encoded to a schema: the payload and, for a SEPARATED KeyValue, the key. */
  public OutgoingMessage encodedAs(byte[] newPayload, byte[] newKeyBytes) {
    return new OutgoingMessage(newPayload, key, properties, eventTime, deliverAt, deliverAfterMs, sequenceId,
        replicationClusters, null, newKeyBytes, -1);
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
