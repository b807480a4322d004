package io.pulsarproxy.core.schema.decode;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pulsar.common.naming.TopicName;
import org.apache.pulsar.common.schema.SchemaInfo;

/**
 * The decoders of the schema versions messages were written with, per topic and version, at most
 * {@code maxEntries}: beyond it the least recently used goes. A version is looked up once (concurrent asks share the
 * lookup); a version the registry does not have is remembered as such (a deleted version does not come back), a
 * lookup that failed is not, so the next message asks again. Confined to the owner's context: not thread-safe.
 */
public final class DecoderCache {
  /** Fetches a version's schema without blocking; empty when the registry does not have it. */
  @FunctionalInterface
  public interface Lookup {
    CompletionStage<Optional<SchemaInfo>> schema(String topic, byte[] version);
  }

  private final Context context;
  private final Lookup lookup;
  private final Map<String, Future<Optional<ValueDecoder>>> entries;

  public DecoderCache(Context context, Lookup lookup, int maxEntries) {
    this.context = context;
    this.lookup = lookup;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Future<Optional<ValueDecoder>>> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /**
   * Decodes a message of {@code topic} written with schema {@code version}. Completes on the owner's context, never
   * failed: with null when the version's schema is untyped bytes (the caller reads the body as on a topic without a
   * schema), otherwise with the value or the reason it could not be decoded.
   */
  public Future<DecodedValue> decode(String topic, byte[] version, byte[] body, byte[] keyBytes) {
    return decoder(topic, version)
        .map(decoder -> decoder.map(d -> SchemaDecoders.decode(d, body, keyBytes)).orElse(null))
        .otherwise(err -> DecodedValue.failed(err instanceof UndecodableException
            ? err.getMessage()
            : "the schema version " + describe(version) + " could not be fetched from Pulsar"));
  }

  public int size() {
    return entries.size();
  }

  private Future<Optional<ValueDecoder>> decoder(String topic, byte[] version) {
    String schemaTopic = TopicName.get(topic).getPartitionedTopicName();
    String key = schemaTopic + '#' + java.util.Base64.getEncoder().encodeToString(version);
    Future<Optional<ValueDecoder>> cached = entries.get(key);
    if (cached != null) {
      return cached;
    }
    Future<Optional<ValueDecoder>> fetched = Future.fromCompletionStage(lookup.schema(schemaTopic, version), context)
        .map(schema -> Optional.ofNullable(SchemaDecoders.forSchema(schema.orElseThrow(
            () -> new UndecodableException("schema version " + describe(version) + " not found")))));
    entries.put(key, fetched);
    fetched.onFailure(err -> {
      if (!(err instanceof UndecodableException) && entries.get(key) == fetched) {
        entries.remove(key);
      }
    });
    return fetched;
  }

  /** Pulsar's schema versions are 8-byte big-endian numbers; other registries' are opaque. */
  public static Long versionNumber(byte[] version) {
    return version != null && version.length == Long.BYTES ? ByteBuffer.wrap(version).getLong() : null;
  }

  private static String describe(byte[] version) {
    Long n = versionNumber(version);
    return n != null ? n.toString() : "(opaque)";
  }
}
