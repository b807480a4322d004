package io.pulsarproxy.core.consume;

import io.pulsarproxy.config.Secret;
import io.vertx.core.Future;
import io.pulsarproxy.metrics.SubscriptionLag;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.ConsumerStats;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MultiTopicConsumerStats;
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
  /**
   * Receives asked of Pulsar and not handed to the session yet, oldest first (at most {@code pipeline}; see
   * {@link #canReceive}).
   */
  final ArrayDeque<CompletableFuture<Message<byte[]>>> pending = new ArrayDeque<>();
  private final int pipeline;
  private final Supplier<Integer> queuedInPulsar;

  /** A message handed to the client: the client library's id, and its publish time for the lag. */
  record Handed(MessageId id, long publishTime) {}

  PulsarSession(String id, String address, Secret token, Consumer<byte[]> consumer, Reader<byte[]> reader,
      SubscriptionLag.Key lagKey, int maxTracked, int pipeline, Supplier<Integer> queuedInPulsar,
      boolean decodeValues) {
    this.id = id;
    this.lagKey = lagKey;
    this.decodeValues = decodeValues;
    this.pipeline = pipeline;
    this.queuedInPulsar = queuedInPulsar;
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

  /**
   * Whether another receive may be asked: one per permit not yet spoken for, at most {@code pipeline}, and while the
   * receives not answered yet are at most as many as the messages Pulsar's consumer holds in its queue. Each of them
   * takes one of those or waits for the next message to come, so at most one waits. A session whose topic is quiet
   * thus holds one pending receive with Pulsar, not {@code pipeline} of them (each a few hundred bytes, which add up
   * over thousands of held sessions), and a busy one still has up to {@code pipeline} in flight. Where the queue
   * cannot be seen (a reader, a consumer of several topics, consumer statistics off), up to {@code pipeline}.
   */
  boolean canReceive() {
    if (stopped || paused || permits <= pending.size() || pending.size() >= pipeline) {
      return false;
    }
    Integer queued = queuedInPulsar.get();
    if (queued == null) {
      return true;
    }
    int unanswered = 0;
    for (CompletableFuture<Message<byte[]>> receive : pending) {
      if (!receive.isDone()) {
        unanswered++;
      }
    }
    return unanswered <= queued;
  }

  /**
   * How many messages the Pulsar consumer holds in its receiver queue, or null when that cannot be seen. A consumer of
   * one topic hands out the same statistics object every time, which reads its queue as it is (statistics off: null).
   * That of several topics (or partitions) builds its statistics anew at each call, too costly for every receive.
   */
  static Supplier<Integer> queueOf(Consumer<byte[]> consumer) {
    ConsumerStats stats = consumer == null ? null : consumer.getStats();
    if (stats == null || stats instanceof MultiTopicConsumerStats) {
      return () -> null;
    }
    return stats::getMsgNumInReceiverQueue;
  }

  /** Publish time of the oldest message handed out and not acknowledged, or -1. Insertion order: the first one. */
  long oldestHandedOut() {
    return handedOut.isEmpty() ? -1 : handedOut.values().iterator().next().publishTime();
  }

  CompletableFuture<Message<byte[]>> next() {
    return consumer != null ? consumer.receiveAsync() : reader.readNextAsync();
  }
}
