package io.pulsarproxy.core.produce;

import io.pulsarproxy.config.ProducerConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.core.topic.Topic;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.ProducerBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pulsar producers of one verticle, shared by every request for the same topic and options.
 *
 * <ul>
 *   <li>A producer is created once, even when many requests for it arrive while it is being created: they all wait
 *       on the same future.</li>
 *   <li>At most {@code cacheMaxProducers} are open. When a new one is needed at the limit, the least recently used
 *       producer with nothing in flight is closed; when every producer is busy the request fails with
 *       {@link ErrorCode#TOO_MANY_PRODUCERS}.</li>
 *   <li>Producers unused for {@code cacheIdleTimeout} are closed by {@link #evictIdle()}.</li>
 *   <li>When the producer defaults change, cached producers are retired: new requests get a new producer and the old
 *       one is closed once its in-flight sends have completed.</li>
 * </ul>
 *
 * <p>Not thread-safe: every method must be called on the owning verticle's context.
 */
final class ProducerCache {
  private static final Logger LOG = LoggerFactory.getLogger(ProducerCache.class);

  private final Context context;
  private final Function<Topic, ProducerBuilder<byte[]>> builders;
  private final LongSupplier clock;
  /** Access-ordered: iteration starts at the least recently used entry. */
  private final LinkedHashMap<Key, Lease> entries = new LinkedHashMap<>(16, 0.75f, true);
  private ProducerConfig config;

  record Key(Topic topic, ProducerOptions options) {}

  /** One cached producer and how many sends are using it. */
  final class Lease {
    private final Key key;
    private final ProducerConfig createdWith;
    private final Future<Producer<byte[]>> producer;
    private int inFlight;
    private long lastUsedNanos;
    private boolean retired;

    private Lease(Key key, ProducerConfig createdWith, Future<Producer<byte[]>> producer) {
      this.key = key;
      this.createdWith = createdWith;
      this.producer = producer;
      this.lastUsedNanos = clock.getAsLong();
    }

    Future<Producer<byte[]>> producer() {
      return producer;
    }

    /** Ends one use; closes the producer when it was retired and this was the last use. */
    void release() {
      inFlight--;
      lastUsedNanos = clock.getAsLong();
      if (retired && inFlight == 0) {
        close(this);
      }
    }
  }

  ProducerCache(Context context, PulsarClient client, ProducerConfig config, LongSupplier clock) {
    this(context, topic -> client.newProducer().topic(topic.fullName()), config, clock);
  }

  ProducerCache(Context context, Function<Topic, ProducerBuilder<byte[]>> builders, ProducerConfig config,
      LongSupplier clock) {
    this.context = context;
    this.builders = builders;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Takes a lease on the producer for this topic and options, creating it if needed. The caller must
   * {@link Lease#release()} it exactly once when its sends are done.
   *
   * @throws ProxyException TOO_MANY_PRODUCERS when the cache is full of busy producers
   */
  Lease acquire(Topic topic, ProducerOptions options) {
    Key key = new Key(topic, options);
    Lease lease = entries.get(key);
    if (lease != null && lease.createdWith != config) {
      retire(lease);
      lease = null;
    }
    if (lease == null) {
      makeRoom();
      lease = create(key);
    }
    lease.inFlight++;
    return lease;
  }

  /** New producers use these defaults; cached ones are replaced on their next use. */
  void reconfigure(ProducerConfig newConfig) {
    this.config = newConfig;
  }

  int size() {
    return entries.size();
  }

  /** Closes producers unused for longer than the idle timeout; returns how many. */
  int evictIdle() {
    long now = clock.getAsLong();
    long idleNanos = config.cacheIdleTimeout().toNanos();
    List<Lease> idle = new ArrayList<>();
    for (Lease lease : entries.values()) {
      if (lease.inFlight == 0 && now - lease.lastUsedNanos >= idleNanos) {
        idle.add(lease);
      }
    }
    idle.forEach(this::retire);
    return idle.size();
  }

  /** Closes every producer (pending sends are flushed first by Pulsar's close). */
  Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Lease lease : List.copyOf(entries.values())) {
      entries.remove(lease.key);
      lease.retired = true;
      closing.add(close(lease));
    }
    return Future.join(closing).mapEmpty();
  }

  private void makeRoom() {
    if (entries.size() < config.cacheMaxProducers()) {
      return;
    }
    Iterator<Lease> lru = entries.values().iterator();
    while (lru.hasNext()) {
      Lease candidate = lru.next();
      if (candidate.inFlight == 0) {
        lru.remove();
        candidate.retired = true;
        close(candidate);
        return;
      }
    }
    throw new ProxyException(ErrorCode.TOO_MANY_PRODUCERS,
        "all " + config.cacheMaxProducers() + " cached producers are busy (producer.cacheMaxProducers)");
  }

  private Lease create(Key key) {
    ProducerConfig c = config;
    ProducerBuilder<byte[]> builder = builders.apply(key.topic())
        .sendTimeout((int) c.sendTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .maxPendingMessages(c.maxPendingMessages())
        .blockIfQueueFull(false)
        .enableBatching(c.batchingEnabled())
        .batchingMaxPublishDelay(c.batchingMaxPublishDelay().toNanos(), TimeUnit.NANOSECONDS)
        .batchingMaxMessages(c.batchingMaxMessages())
        .compressionType(CompressionType.valueOf(c.compressionType().toUpperCase(Locale.ROOT)));
    if (key.options().producerName() != null) {
      builder.producerName(key.options().producerName());
    }
    Future<Producer<byte[]>> created;
    try {
      created = Future.fromCompletionStage(builder.createAsync(), context);
    } catch (RuntimeException e) {
      created = Future.failedFuture(e);
    }
    Lease lease = new Lease(key, c, created.recover(err -> Future.failedFuture(PulsarErrors.mapCreation(err))));
    entries.put(key, lease);
    lease.producer.onFailure(err -> {
      // Forget a failed creation so that the next request tries again.
      if (entries.get(key) == lease) {
        entries.remove(key);
      }
      LOG.warn("Could not create a producer for {}: {}", key.topic(), err.getMessage());
    }).onSuccess(p -> LOG.debug("Created producer {} for {}", p.getProducerName(), key.topic()));
    return lease;
  }

  private void retire(Lease lease) {
    if (entries.get(lease.key) == lease) {
      entries.remove(lease.key);
    }
    lease.retired = true;
    if (lease.inFlight == 0) {
      close(lease);
    }
  }

  private Future<Void> close(Lease lease) {
    return lease.producer
        .compose(p -> Future.fromCompletionStage(p.closeAsync(), context))
        .onSuccess(v -> LOG.debug("Closed producer for {}", lease.key.topic()))
        .otherwiseEmpty()
        .mapEmpty();
  }

  Map<Key, Lease> entriesForTest() {
    return entries;
  }
}
