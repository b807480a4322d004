package io.pulsarproxy.core.consume;

import io.pulsarproxy.config.Secret;
import io.vertx.core.Future;
import io.pulsarproxy.metrics.SubscriptionLag;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Reader;

/**
 * The Pulsar side of one client session: its consumer or reader, the permits the client gave, and the ids of the
 * messages handed out and not yet acknowledged (kept as the client library's own objects, so that acknowledging one
 * message of a batch clears it from the batch). Confined to the consumer verticle's context.
 */
final class PulsarSession {
  final String id;
  final String address;
  /** The forwarded token whose client opened the consumer or reader, or null for the proxy's own client. */
  final Secret token;
  final Consumer<byte[]> consumer;
  final Reader<byte[]> reader;
  final Map<String, Handed> handedOut;
  /** The subscription this session's lag is reported under; null for a reader, which has none. */
  final SubscriptionLag.Key lagKey;
  final LagPosition lag = new LagPosition();
  /** The last lag sampled; kept when a sample fails. */
  SubscriptionLag.Sample lastLag;
  /** The consumer's statistics totals already added to the metrics. */
  long receivedCounted;
  long acksCounted;
  /** Whether typed messages are decoded before they go to the session. */
  final boolean decodeValues;
  /**
   * The last delivery still decoding: the next waits for it, so decoding (whose schema lookups complete in any
   * order) never reorders messages. Only sessions that decode use it.
   */
  Future<Void> deliveries = Future.succeededFuture();
  int permits;
  boolean paused;
  boolean stopped;
  /** Receives asked of Pulsar and not handed to the session yet, oldest first (at most {@code pipeline}). */
  final ArrayDeque<CompletableFuture<Message<byte[]>>> pending = new ArrayDeque<>();
  private final int pipeline;

  /** A message handed to the client: the client library's id, and its publish time for the lag. */
  record Handed(MessageId id, long publishTime) {}

  PulsarSession(String id, String address, Secret token, Consumer<byte[]> consumer, Reader<byte[]> reader,
      SubscriptionLag.Key lagKey, int maxTracked, int pipeline, boolean decodeValues) {
    this.id = id;
    this.lagKey = lagKey;
    this.decodeValues = decodeValues;
    this.pipeline = pipeline;
    this.address = address;
    this.token = token;
    this.consumer = consumer;
    this.reader = reader;
    // Bounded: beyond it the oldest entries are dropped and their acks fall back to decoding the id.
    this.handedOut = new LinkedHashMap<>(64, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Handed> eldest) {
        return size() > maxTracked;
      }
    };
  }

  /** Whether another receive may be asked: one per permit not yet spoken for, and at most {@code pipeline}. */
  boolean canReceive() {
    return !stopped && !paused && permits > pending.size() && pending.size() < pipeline;
  }

  /** Publish time of the oldest message handed out and not acknowledged, or -1. Insertion order: the first one. */
  long oldestHandedOut() {
    return handedOut.isEmpty() ? -1 : handedOut.values().iterator().next().publishTime();
  }

  CompletableFuture<Message<byte[]>> next() {
    return consumer != null ? consumer.receiveAsync() : reader.readNextAsync();
  }
}
