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
 */
public record OutgoingMessage(
    byte[] payload,
    String key,
    Map<String, String> properties,
    Long eventTime,
    Long deliverAt,
    Long deliverAfterMs,
    Long sequenceId,
    List<String> replicationClusters) {

  public OutgoingMessage {
    java.util.Objects.requireNonNull(payload, "payload");
    properties = properties == null ? Map.of() : Map.copyOf(properties);
    replicationClusters = replicationClusters == null ? null : List.copyOf(replicationClusters);
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
