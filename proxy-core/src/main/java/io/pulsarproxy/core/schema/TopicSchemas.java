package io.pulsarproxy.core.schema;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.schema.encode.Encoders;
import io.pulsarproxy.core.schema.encode.ValueEncoder;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schemas produce requests with JSON values are encoded to: a version of the topic's schema from the
 * {@link SchemaCache} (the latest unless the request names one), or a schema given with the request. Encoders of the
 * given schemas are kept here, at most {@code maxEntries} (least recently used evicted); nothing is looked up for
 * them.
 *
 * <p>Not thread-safe: used on the produce verticle's context.
 */
public final class TopicSchemas {
  private final SchemaCache cache;
  private final Map<ProducerSchema, TopicSchema> given;

  public TopicSchemas(SchemaCache cache, int maxEntries) {
    this.cache = cache;
    this.given = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<ProducerSchema, TopicSchema> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /**
   * The schema the values of a request for {@code topic} with {@code spec} are encoded to: empty when the topic has
   * no schema and the request gives none. Fails with {@code SCHEMA_NOT_FOUND} for a version the topic does not have,
   * {@code BAD_REQUEST} for a schema that has no JSON mapping or cannot be read, {@code BROKER_UNAVAILABLE} when the
   * registry cannot be asked.
   */
  public Future<Optional<TopicSchema>> resolve(String topic, SchemaSpec spec) {
    if (spec.schema() != null) {
      TopicSchema known = given.get(spec.schema());
      if (known == null) {
        try {
          known = new TopicSchema(spec.schema(), null, encoder(spec.schema().info(), "valueSchema"));
        } catch (ProxyException e) {
          return Future.failedFuture(e);
        }
        given.put(spec.schema(), known);
      }
      return Future.succeededFuture(Optional.of(known));
    }
    return cache.get(topic, spec.version()).map(found -> {
      if (found.isEmpty()) {
        if (spec.version() != null) {
          throw new ProxyException(ErrorCode.SCHEMA_NOT_FOUND, "schemaVersion: " + topic
              + " has no schema version " + spec.version(),
              List.of(new ProxyException.Detail("schemaVersion", "the topic has no schema version "
                  + spec.version())));
        }
        return Optional.empty();
      }
      KnownSchema schema = found.get();
      ValueEncoder encoder;
      try {
        encoder = schema.encoder();
      } catch (RuntimeException e) {
        throw badSchema("value", e);
      }
      return Optional.of(new TopicSchema(schema.producer(), schema.version(), encoder));
    });
  }

  /** Forgets what is known of {@code topic}'s latest schema. */
  public void invalidate(String topic) {
    cache.invalidate(topic);
  }

  private static ValueEncoder encoder(org.apache.pulsar.common.schema.SchemaInfo info, String field) {
    try {
      return Encoders.forSchema(info);
    } catch (RuntimeException e) {
      throw badSchema(field, e);
    }
  }

  private static ProxyException badSchema(String field, RuntimeException e) {
    return ProxyException.badField(field, e.getMessage() != null ? e.getMessage() : "the schema cannot be read");
  }
}
