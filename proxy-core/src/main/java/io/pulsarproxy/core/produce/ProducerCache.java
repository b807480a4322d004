package io.pulsarproxy.core.produce;

import io.pulsarproxy.config.ProducerConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.core.supervisor.PulsarClients;
import io.pulsarproxy.core.topic.Topic;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import io.pulsarproxy.core.schema.ProducerSchema;
import org.apache.pulsar.client.api.BatcherBuilder;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.interceptor.ProducerInterceptor;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.ProducerBuilder;
import org.apache.pulsar.client.api.ProducerStats;
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
 *   <li>A long-lived client may hold a producer ({@link #hold}) while it is connected: a held producer is neither
 *       evicted nor closed as idle. A producer with a fixed name is held by one client at a time; its release closes
 *       it, so that the name is free again on the broker. A producer acting with a client's token is also closed
 *       when its last holder lets go, which lets the token's client go too.</li>
 *   <li>When the producer defaults change, cached producers are retired: new requests get a new producer and the old
 *       one is closed once its in-flight sends have completed.</li>
 * </ul>
 *
 * <p>Not thread-safe: every method must be called on the owning verticle's context.
 */
final class ProducerCache {
  private static final Logger LOG = LoggerFactory.getLogger(ProducerCache.class);

  private final Context context;
  private final PulsarClients clients;
  private final LongSupplier clock;
  /** Access-ordered: iteration starts at the least recently used entry. */
  private final LinkedHashMap<Key, Lease> entries = new LinkedHashMap<>(16, 0.75f, true);
  /** Holders per topic and options; at most one for an exclusive key. Bounded by the cache: a hold needs an entry. */
  private final Map<Key, Integer> holds = new HashMap<>();
  /** Named producers being closed: a new producer with the same name waits for the old one to be gone. */
  private final Map<Key, Future<Void>> closingNamed = new HashMap<>();
  private ProducerConfig config;

  /** How creation attempts run: once by default; the verticle retries retriable failures through its guard. */
  private Function<Supplier<Future<Producer<byte[]>>>, Future<Producer<byte[]>>> attempts = Supplier::get;

  /** {@code schema} is null for producers of plain bytes (Pulsar's BYTES schema). */
  record Key(Topic topic, ProducerOptions options, ProducerSchema schema) {
    Key(Topic topic, ProducerOptions options) {
      this(topic, options, null);
    }
  }

  /**
   * What the Pulsar client's statistics say of the cache's producers: messages sent and sends failed since the last
   * {@link #takeStats}, sends pending now, and the largest 99th percentile of send latency over the last interval.
   */
  record Stats(long sent, long failed, long pending, double p99Millis) {}

  /** Counted by the client since the last {@link #takeStats}, of open and closed producers. */
  private long uncountedSent;
  private long uncountedFailed;

  /** Runs every producer creation through {@code attempts} (e.g. retries with backoff, a circuit breaker). */
  void createWith(Function<Supplier<Future<Producer<byte[]>>>, Future<Producer<byte[]>>> attempts) {
    this.attempts = attempts;
  }

  /** One cached producer and how many sends are using it. */
  final class Lease {
    private final Key key;
    private final ProducerConfig createdWith;
    private final Future<Producer<byte[]>> producer;
    private int inFlight;
    private long lastUsedNanos;
    private boolean retired;
    private Future<Void> closed;
    /** The schema version the broker gave the producer, learnt from its first acknowledged send. */
    private volatile Long schemaVersion;
    /** The producer's statistics totals already counted. */
    private long sentCounted;
    private long failedCounted;

    private Lease(Key key, ProducerConfig createdWith, Future<Producer<byte[]>> producer) {
      this.key = key;
      this.createdWith = createdWith;
      this.producer = producer;
      this.lastUsedNanos = clock.getAsLong();
    }

    Future<Producer<byte[]>> producer() {
      return producer;
    }

    Key key() {
      return key;
    }

    /** The version of the producer's schema on the topic, once a send was acknowledged; null without a schema. */
    Long schemaVersion() {
      return schemaVersion;
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

  ProducerCache(Context context, PulsarClients clients, ProducerConfig config, LongSupplier clock) {
    this.context = context;
    this.clients = clients;
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
    return acquire(new Key(topic, options));
  }

  /** As {@link #acquire(Topic, ProducerOptions)}, for a producer of bytes encoded to {@code schema}. */
  Lease acquire(Topic topic, ProducerOptions options, ProducerSchema schema) {
    return acquire(new Key(topic, options, schema));
  }

  private Lease acquire(Key key) {
    Lease lease = entries.get(key);
    // A held named producer is kept through a reconfiguration: a second producer with its name would be refused.
    boolean keep = key.options().exclusive() && holds.containsKey(key);
    if (lease != null && lease.createdWith != config && !keep) {
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

  /**
   * Takes a lease (as {@link #acquire}) and holds the producer for a long-lived client until {@link #unhold}.
   *
   * @throws ProxyException CONFLICT when the options name the producer and another client holds it; or as
   *                        {@link #acquire}
   */
  Lease hold(Topic topic, ProducerOptions options) {
    Key key = new Key(topic, options);
    if (options.exclusive() && holds.containsKey(key)) {
      throw new ProxyException(ErrorCode.CONFLICT, "producer name '" + options.producerName()
          + "' is already in use on " + topic + " by another client of this proxy");
    }
    Lease lease = acquire(topic, options);
    holds.merge(key, 1, Integer::sum);
    return lease;
  }

  /** Ends one {@link #hold}; the last holder of a named producer closes it. */
  void unhold(Topic topic, ProducerOptions options) {
    Key key = new Key(topic, options);
    Integer left = holds.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
    if (left == null && options.closeWhenUnheld()) {
      Lease lease = entries.get(key);
      if (lease != null) {
        retire(lease);
      }
    }
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
      if (lease.inFlight == 0 && !holds.containsKey(lease.key) && now - lease.lastUsedNanos >= idleNanos) {
        idle.add(lease);
      }
    }
    idle.forEach(this::retire);
    return idle.size();
  }

  /**
   * Closes the producers that have sends in flight and no connection to a broker, so that those sends fail now
   * (Pulsar fails the pending sends of a producer closed while disconnected) instead of waiting for the broker until
   * {@code sendTimeout}; the next request creates a new producer. Holds stay: a held producer's next send creates
   * one. Returns how many were closed.
   */
  int abandonDisconnected() {
    List<Lease> abandoned = new ArrayList<>();
    for (Lease lease : entries.values()) {
      Producer<byte[]> p = lease.producer.result();
      if (lease.inFlight > 0 && p != null && !p.isConnected()) {
        abandoned.add(lease);
      }
    }
    for (Lease lease : abandoned) {
      entries.remove(lease.key);
      lease.retired = true;
      close(lease);
    }
    return abandoned.size();
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
      if (candidate.inFlight == 0 && !holds.containsKey(candidate.key)) {
        lru.remove();
        candidate.retired = true;
        close(candidate);
        return;
      }
    }
    throw new ProxyException(ErrorCode.TOO_MANY_PRODUCERS,
        "all " + config.cacheMaxProducers() + " cached producers are busy or held (producer.cacheMaxProducers)");
  }

  private Lease create(Key key) {
    ProducerConfig c = config;
    Future<Void> previous = closingNamed.getOrDefault(key, Future.succeededFuture());
    Secret token = key.options().token();
    // The client is taken once per producer; creation attempts (retries) reuse it, and a failed creation returns it.
    Lease[] self = new Lease[1];
    Future<Producer<byte[]>> created = previous
        .compose(v -> Future.fromCompletionStage(clients.acquire(token), context))
        .compose(client -> attempts.apply(() -> Future.fromCompletionStage(
                builder(client, key, c, self).createAsync(), context))
            .onFailure(err -> clients.release(token)));
    Lease lease = new Lease(key, c, created.recover(err -> Future.failedFuture(PulsarErrors.mapCreation(err))));
    self[0] = lease;
    entries.put(key, lease);
    lease.producer.onFailure(err -> {
      // Forget a failed creation so that the next request tries again.
      if (entries.get(key) == lease) {
        entries.remove(key);
      }
      // An unreachable broker is the supervisor's to report, once per change; not once per producer.
      if (err instanceof ProxyException p && p.code() == ErrorCode.BROKER_UNAVAILABLE) {
        LOG.debug("Could not create a producer for {}: {}", key.topic(), err.getMessage());
      } else {
        LOG.warn("Could not create a producer for {}: {}", key.topic(), err.getMessage());
      }
    }).onSuccess(p -> LOG.debug("Created producer {} for {}", p.getProducerName(), key.topic()));
    return lease;
  }

  private static ProducerBuilder<byte[]> builder(PulsarClient client, Key key, ProducerConfig c, Lease[] lease) {
    if (key.schema() == null) {
      return configure(client.newProducer().topic(key.topic().fullName()), c, key.options());
    }
    return configure(client.newProducer(key.schema().pulsarSchema()).topic(key.topic().fullName()), c,
        key.options())
        .intercept(new SchemaVersionListener(version -> lease[0].schemaVersion = version));
  }

  /** Learns the schema version a producer's messages carry (the broker's answer to its schema) from its sends. */
  private record SchemaVersionListener(java.util.function.Consumer<Long> learnt) implements ProducerInterceptor {
    @Override
    public void close() {}

    @Override
    public boolean eligible(Message message) {
      return true;
    }

    @Override
    public Message beforeSend(Producer producer, Message message) {
      return message;
    }

    @Override
    public void onSendAcknowledgement(Producer producer, Message message, MessageId msgId, Throwable exception) {
      if (exception == null) {
        Long version = io.pulsarproxy.core.schema.RegisteredSchema.version(message.getSchemaVersion());
        if (version != null) {
          learnt.accept(version);
        }
      }
    }
  }

  /** The configured defaults, overridden by the options that are set. */
  static ProducerBuilder<byte[]> configure(ProducerBuilder<byte[]> builder, ProducerConfig c, ProducerOptions o) {
    if (c.keyBasedBatching()) {
      builder.batcherBuilder(BatcherBuilder.KEY_BASED);
    }
    builder
        .sendTimeout(o.sendTimeoutMs() != null ? o.sendTimeoutMs() : (int) c.sendTimeout().toMillis(),
            TimeUnit.MILLISECONDS)
        .maxPendingMessages(o.maxPendingMessages() != null ? o.maxPendingMessages() : c.maxPendingMessages())
        .blockIfQueueFull(false)
        .enableBatching(o.batchingEnabled() != null ? o.batchingEnabled() : c.batchingEnabled())
        .batchingMaxPublishDelay(o.batchingMaxPublishDelayMs() != null
            ? TimeUnit.MILLISECONDS.toNanos(o.batchingMaxPublishDelayMs())
            : c.batchingMaxPublishDelay().toNanos(), TimeUnit.NANOSECONDS)
        .batchingMaxMessages(o.batchingMaxMessages() != null ? o.batchingMaxMessages() : c.batchingMaxMessages())
        .compressionType(o.compressionType() != null
            ? o.compressionType()
            : CompressionType.valueOf(c.compressionType().toUpperCase(Locale.ROOT)));
    if (o.producerName() != null) {
      builder.producerName(o.producerName());
    }
    if (o.initialSequenceId() != null) {
      builder.initialSequenceId(o.initialSequenceId());
    }
    if (o.hashingScheme() != null) {
      builder.hashingScheme(o.hashingScheme());
    }
    if (o.routingMode() != null) {
      builder.messageRoutingMode(o.routingMode());
    }
    return builder;
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

  /** Closes the lease's producer once (a lease closed with sends in flight is not closed again by their release). */
  private Future<Void> close(Lease lease) {
    if (lease.closed != null) {
      return lease.closed;
    }
    Future<Void> closed = lease.producer
        .compose(p -> {
          count(lease, p);
          return Future.fromCompletionStage(p.closeAsync(), context)
              .onComplete(done -> clients.release(lease.key.options().token()));
        })
        .onSuccess(v -> LOG.debug("Closed producer for {}", lease.key.topic()))
        .otherwiseEmpty()
        .mapEmpty();
    if (lease.key.options().exclusive()) {
      closingNamed.put(lease.key, closed);
      closed.onComplete(done -> closingNamed.remove(lease.key, closed));
    }
    lease.closed = closed;
    return closed;
  }

  /** Adds up the statistics of the open producers (and of those closed since the last call). */
  Stats takeStats() {
    long pending = 0;
    double p99 = 0;
    for (Lease lease : entries.values()) {
      Producer<byte[]> p = lease.producer.result();
      if (p != null) {
        count(lease, p);
        ProducerStats stats = p.getStats();
        pending += stats.getPendingQueueSize();
        p99 = Math.max(p99, stats.getSendLatencyMillis99pct());
      }
    }
    Stats taken = new Stats(uncountedSent, uncountedFailed, pending, p99);
    uncountedSent = 0;
    uncountedFailed = 0;
    return taken;
  }

  /** Adds what the client counted for this producer since the last time to the totals not yet taken. */
  private void count(Lease lease, Producer<byte[]> p) {
    ProducerStats stats = p.getStats();
    long sent = stats.getTotalMsgsSent();
    long failed = stats.getTotalSendFailed();
    uncountedSent += Math.max(0, sent - lease.sentCounted);
    uncountedFailed += Math.max(0, failed - lease.failedCounted);
    lease.sentCounted = sent;
    lease.failedCounted = failed;
  }

  Map<Key, Lease> entriesForTest() {
    return entries;
  }
}
