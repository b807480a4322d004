package io.pulsarproxy.core.produce;

import io.pulsarproxy.config.Secret;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.client.api.HashingScheme;
import org.apache.pulsar.client.api.MessageRoutingMode;

/**
 * The options of a produce request that change which Pulsar producer serves it. Requests with equal options share
 * one cached producer per topic. Null fields take the configured producer defaults ({@code producer.*}) or, where
 * the configuration has none, Pulsar's.
 *
 * @param producerName              a fixed producer name; the broker refuses a second producer with the same name,
 *                                  and the proxy gives a named producer to one holder at a time
 *                                  ({@link ProducerCommand.Open})
 * @param initialSequenceId         sequence id of the first message minus one
 * @param hashingScheme             how keys map to partitions
 * @param sendTimeoutMs             a send not acknowledged by then fails
 * @param routingMode               how messages without a key spread over partitions
 * @param batchingEnabled           whether the producer batches
 * @param batchingMaxMessages       with batching: messages per batch
 * @param batchingMaxPublishDelayMs with batching: how long a batch may wait
 * @param maxPendingMessages        the producer's queue of sends awaiting the broker
 * @param compressionType           payload compression
 * @param token                     a client's token the producer acts with ({@code ws.forwardClientTokens}), or null
 *                                  for the proxy's own credentials; producers of different tokens are never shared
 */
public record ProducerOptions(
    String producerName,
    Long initialSequenceId,
    HashingScheme hashingScheme,
    Integer sendTimeoutMs,
    MessageRoutingMode routingMode,
    Boolean batchingEnabled,
    Integer batchingMaxMessages,
    Long batchingMaxPublishDelayMs,
    Integer maxPendingMessages,
    CompressionType compressionType,
    Secret token) {

  /** Configured defaults, what the HTTP produce API uses. */
  public static final ProducerOptions DEFAULTS = new ProducerOptions(null);

  /** Only a fixed producer name; everything else as configured. */
  public ProducerOptions(String producerName) {
    this(producerName, null, null, null, null, null, null, null, null, null, null);
  }

  /** These options, acting with {@code newToken} (null: the proxy's own credentials). */
  public ProducerOptions withToken(Secret newToken) {
    return new ProducerOptions(producerName, initialSequenceId, hashingScheme, sendTimeoutMs, routingMode,
        batchingEnabled, batchingMaxMessages, batchingMaxPublishDelayMs, maxPendingMessages, compressionType, newToken);
  }

  /** Whether one holder at a time may use the producer: the broker allows one producer per name. */
  public boolean exclusive() {
    return producerName != null;
  }

  /**
   * Whether the producer is closed when its last holder lets go: a named one frees its name on the broker, a token's
   * one lets the token's client be closed.
   */
  public boolean closeWhenUnheld() {
    return producerName != null || token != null;
  }
}
