package io.pulsarproxy.core.schema;

import io.pulsarproxy.config.PulsarConfig;
import io.pulsarproxy.core.schema.decode.DecodedValue;
import io.pulsarproxy.core.schema.decode.SchemaDecoders;
import io.pulsarproxy.core.schema.decode.UndecodableException;
import io.pulsarproxy.core.schema.decode.ValueDecoder;
import io.pulsarproxy.core.supervisor.PulsarClients;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.pulsar.common.naming.TopicName;

/**
 * The proxy's one store of topic schemas, for both directions: producing JSON values (the topic's latest schema, or
 * the version a request names), decoding consumed messages (the version each was written with) and the schema
 * endpoint. Keyed by topic (a partitioned topic's own name: its partitions share it) and version, at most
 * {@code pulsar.schemaCacheMaxEntries} entries: when full, the least recently used goes and is read from the broker
 * again when needed. A topic's latest version is kept for {@link #LATEST_TTL} only, so that a schema uploaded or
 * evolved on the broker is seen; a numbered version, or its absence, does not change and is kept until evicted. A
 * failed lookup is not kept; concurrent asks share one lookup.
 *
 * <p>Thread-safe: shared by every verticle of a Vert.x instance ({@link #shared}); results come back on the caller's
 * context.
 */
public final class SchemaCache implements Shareable {
  /** How long a topic's latest schema (or that it has none) is believed before it is asked again. */
  public static final Duration LATEST_TTL = Duration.ofSeconds(10);

  private record Key(String topic, Long version) {}

  private record Entry(CompletableFuture<Optional<KnownSchema>> value, long expiresAt) {}

  private final Vertx vertx;
  private final SchemaSource source;
  private final LongSupplier clock;
  private final Map<Key, Entry> entries;

  public SchemaCache(Vertx vertx, SchemaSource source, int maxEntries, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.source = source;
    this.clock = nanoClock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** The cache of {@code vertx}, created on first use with the broker's schema registry as its source. */
  public static SchemaCache shared(Vertx vertx, PulsarConfig config, PulsarClients clients) {
    return vertx.sharedData().<String, SchemaCache>getLocalMap("pulsar-proxy.schemas").computeIfAbsent("cache",
        k -> new SchemaCache(vertx, new BrokerSchemaSource(vertx, config, clients::activeServiceUrl),
            config.schemaCacheMaxEntries(), System::nanoTime));
  }

  /**
   * The schema of {@code topic} at {@code version} (null: the latest); empty when the topic has none or not that
   * version. Fails as the {@link SchemaSource} does ({@code BROKER_UNAVAILABLE}).
   */
  public Future<Optional<KnownSchema>> get(String topic, Long version) {
    String schemaTopic;
    try {
      schemaTopic = TopicName.get(topic).getPartitionedTopicName();
    } catch (RuntimeException e) {
      return Future.succeededFuture(Optional.empty());
    }
    Key key = new Key(schemaTopic, version);
    CompletableFuture<Optional<KnownSchema>> value;
    boolean fetch = false;
    long now = clock.getAsLong();
    synchronized (entries) {
      Entry entry = entries.get(key);
      if (entry != null && (version != null || now - entry.expiresAt() < 0)) {
        value = entry.value();
      } else {
        value = new CompletableFuture<>();
        entries.put(key, new Entry(value, now + LATEST_TTL.toNanos()));
        fetch = true;
      }
    }
    Context context = vertx.getOrCreateContext();
    if (fetch) {
      CompletableFuture<Optional<KnownSchema>> fetched = value;
      source.fetch(schemaTopic, version).onComplete(read -> {
        if (read.failed()) {
          synchronized (entries) {
            Entry current = entries.get(key);
            if (current != null && current.value() == fetched) {
              entries.remove(key);
            }
          }
          fetched.completeExceptionally(read.cause());
        } else {
          fetched.complete(read.result().map(s -> version == null ? byVersion(schemaTopic, s) : new KnownSchema(s)));
        }
      });
    }
    return Future.fromCompletionStage(value, context);
  }

  /** The entry of a latest schema's version, so that both share one encoder and decoder. */
  private KnownSchema byVersion(String topic, RegisteredSchema schema) {
    Key key = new Key(topic, schema.version());
    synchronized (entries) {
      Entry entry = entries.get(key);
      if (entry != null && entry.value().isDone() && !entry.value().isCompletedExceptionally()) {
        Optional<KnownSchema> known = entry.value().getNow(Optional.empty());
        if (known.isPresent()) {
          return known.get();
        }
      }
      KnownSchema known = new KnownSchema(schema);
      if (entry == null || entry.value().isDone()) {
        entries.put(key, new Entry(CompletableFuture.completedFuture(Optional.of(known)), 0));
      }
      return known;
    }
  }

  /** Forgets what is known of {@code topic}'s latest schema (the broker refused a producer of it). */
  public void invalidate(String topic) {
    String schemaTopic = TopicName.get(topic).getPartitionedTopicName();
    synchronized (entries) {
      entries.remove(new Key(schemaTopic, null));
    }
  }

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  /**
   * Decodes a message of {@code topic} written with schema {@code version} (Pulsar's 8-byte version). Completes on
   * the caller's context, never failed: with null when the version's schema is untyped bytes (the caller reads the
   * body as on a topic without a schema), otherwise with the value or the reason it could not be decoded.
   */
  public Future<DecodedValue> decode(String topic, byte[] version, byte[] body, byte[] keyBytes) {
    Long number = RegisteredSchema.version(version);
    if (number == null) {
      return Future.succeededFuture(DecodedValue.failed("schema version (opaque) not found"));
    }
    return get(topic, number)
        .map(found -> {
          ValueDecoder decoder = found
              .orElseThrow(() -> new UndecodableException("schema version " + number + " not found"))
              .decoder();
          return decoder == null ? null : SchemaDecoders.decode(decoder, body, keyBytes);
        })
        .otherwise(err -> DecodedValue.failed(err instanceof UndecodableException
            ? err.getMessage()
            : "the schema version " + number + " could not be fetched from Pulsar"));
  }
}
