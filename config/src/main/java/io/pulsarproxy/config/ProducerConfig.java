package io.pulsarproxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Defaults for the Pulsar producers the proxy creates and its producer cache. Reloadable: producers created after a
 * change use the new values; cached producers are replaced when they are next used.
 *
 * @param sendTimeout             {@code producer.sendTimeout}: a send not acknowledged by then fails (HTTP 504)
 * @param maxPendingMessages      {@code producer.maxPendingMessages}: per producer; when full, sends fail (503)
 * @param batchingEnabled         {@code producer.batchingEnabled}
 * @param batchingMaxPublishDelay {@code producer.batchingMaxPublishDelay}
 * @param batchingMaxMessages     {@code producer.batchingMaxMessages}
 * @param keyBasedBatching        {@code producer.keyBasedBatching}: a batch holds messages of one key only, so that
 *                                Key_Shared subscriptions keep each key on one consumer (Pulsar dispatches a batch
 *                                as a whole); off, batches mix keys and are fuller when keys are many
 * @param compressionType         {@code producer.compressionType}: NONE, LZ4, ZLIB, ZSTD or SNAPPY
 * @param cacheMaxProducers       {@code producer.cacheMaxProducers}: producers kept open at once
 * @param cacheIdleTimeout        {@code producer.cacheIdleTimeout}: a producer unused this long is closed
 * @param outageWait              {@code producer.outageWait}: while the supervisor reports the broker down, how long
 *                                a produce, a producer or a subscription is held for the broker to come back before
 *                                it is refused with 503 {@code BROKER_UNAVAILABLE} (sends already handed to Pulsar
 *                                are failed then too); a restart shorter than this costs no errors
 */
public record ProducerConfig(
    Duration sendTimeout,
    int maxPendingMessages,
    boolean batchingEnabled,
    Duration batchingMaxPublishDelay,
    int batchingMaxMessages,
    boolean keyBasedBatching,
    String compressionType,
    int cacheMaxProducers,
    Duration cacheIdleTimeout,
    Duration outageWait) {

  public ProducerConfig {
    Objects.requireNonNull(sendTimeout, "sendTimeout");
    Objects.requireNonNull(batchingMaxPublishDelay, "batchingMaxPublishDelay");
    Objects.requireNonNull(compressionType, "compressionType");
    Objects.requireNonNull(cacheIdleTimeout, "cacheIdleTimeout");
    Objects.requireNonNull(outageWait, "outageWait");
  }

  /** These settings with another {@code outageWait}: it is not a producer setting, changing it replaces no producer. */
  public ProducerConfig withOutageWait(Duration wait) {
    return new ProducerConfig(sendTimeout, maxPendingMessages, batchingEnabled, batchingMaxPublishDelay,
        batchingMaxMessages, keyBasedBatching, compressionType, cacheMaxProducers, cacheIdleTimeout, wait);
  }
}
