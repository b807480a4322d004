package io.pulsarproxy.core.schema;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.core.schema.encode.Encoders;
import io.pulsarproxy.core.schema.encode.ValueEncoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pulsar.client.api.PulsarClient;

/**
 * The schemas produce requests with JSON values are encoded to, per topic and schema version (or schema given with
 * the request), each with its encoder; a topic without a schema is remembered too, so that its requests cost one map
 * lookup. Bounded by {@code produce.schemaCacheMaxEntries}: at the limit the least recently used entry goes and is
 * read from the broker again when needed. A failed lookup is not kept.
 *
 * <p>The latest schema of a topic is read once; {@link #invalidate} forgets it (the produce service does when the
 * broker refuses a producer's schema, e.g. after a schema was uploaded to a topic believed to have none).
 *
 * <p>Not thread-safe: used on the produce verticle's context.
 */
public final class TopicSchemas {
  private record Key(String topic, Long version, ProducerSchema given) {}

  private final Context context;
  private final Supplier<PulsarClient> client;
  private int maxEntries;
  private final LinkedHashMap<Key, Future<Optional<TopicSchema>>> entries =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Future<Optional<TopicSchema>>> eldest) {
          return size() > maxEntries;
        }
      };

  public TopicSchemas(Context context, Supplier<PulsarClient> client, int maxEntries) {
    this.context = context;
    this.client = client;
    this.maxEntries = maxEntries;
  }

  public void resize(int newMax) {
    this.maxEntries = newMax;
    while (entries.size() > maxEntries) {
      entries.remove(entries.keySet().iterator().next());
    }
  }

  public int size() {
    return entries.size();
  }

  /**
   * The schema the values of a request for {@code topic} with {@code spec} are encoded to: empty when the topic has
   * no schema and the request gives none. Fails with {@code SCHEMA_NOT_FOUND} for a version the topic does not have,
   * {@code BAD_REQUEST} for a schema that has no JSON mapping or cannot be read.
   */
  public Future<Optional<TopicSchema>> resolve(String topic, SchemaSpec spec) {
    Key key = new Key(topic, spec.version(), spec.schema());
    Future<Optional<TopicSchema>> known = entries.get(key);
    if (known != null) {
      return known;
    }
    if (spec.schema() != null) {
      try {
        known = Future.succeededFuture(Optional.of(new TopicSchema(spec.schema(), null, encoder(spec.schema(),
            "valueSchema"))));
      } catch (ProxyException e) {
        return Future.failedFuture(e);
      }
      entries.put(key, known);
      return known;
    }
    Future<Optional<TopicSchema>> loaded = Future.fromCompletionStage(SchemaRegistry.get(client.get(), topic, spec.version()), context)
            .recover(err -> Future.failedFuture(PulsarErrors.map(err)))
            .map(found -> found.map(s -> new TopicSchema(new ProducerSchema(s.info()), s.version(),
                encoder(new ProducerSchema(s.info()), "value")))
                .or(() -> {
                  if (spec.version() != null) {
                    throw new ProxyException(ErrorCode.SCHEMA_NOT_FOUND, "schemaVersion: " + topic
                        + " has no schema version " + spec.version(),
                        List.of(new ProxyException.Detail("schemaVersion", "the topic has no schema version "
                            + spec.version())));
                  }
                  return Optional.empty();
                }));
    entries.put(key, loaded);
    loaded.onFailure(err -> entries.remove(key, loaded));
    return loaded;
  }

  /** Forgets what is known of {@code topic}'s latest schema. */
  public void invalidate(String topic) {
    entries.remove(new Key(topic, null, null));
  }

  private static ValueEncoder encoder(ProducerSchema schema, String field) {
    try {
      return Encoders.forSchema(schema.info());
    } catch (RuntimeException e) {
      throw ProxyException.badField(field, e.getMessage() != null ? e.getMessage()
          : "the schema cannot be read");
    }
  }
}
