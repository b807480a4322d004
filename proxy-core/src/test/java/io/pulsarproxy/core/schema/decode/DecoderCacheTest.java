package io.pulsarproxy.core.schema.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DecoderCacheTest {
  private final List<String> lookups = new ArrayList<>();

  private static byte[] version(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /** Version 1 is STRING, 2 BYTES, 3 missing, 4 fails once then is INT64. */
  private CompletableFuture<Optional<SchemaInfo>> lookup(String topic, byte[] version) {
    long v = ByteBuffer.wrap(version).getLong();
    lookups.add(topic + "@" + v);
    SchemaType type = v == 1 ? SchemaType.STRING : v == 2 ? SchemaType.BYTES : SchemaType.INT64;
    if (v == 3) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (v == 4 && lookups.stream().filter(l -> l.endsWith("@4")).count() == 1) {
      return CompletableFuture.failedFuture(new IllegalStateException("broker gone"));
    }
    return CompletableFuture.completedFuture(Optional.of(SchemaDecodersTest.info(type, new byte[0])));
  }

  private <T> T onContext(Vertx vertx, java.util.function.Function<Context, Future<T>> action) throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> action.apply(context).onComplete(done -> {
      if (done.succeeded()) {
        result.complete(done.result());
      } else {
        result.completeExceptionally(done.cause());
      }
    }));
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void looksUpEachVersionOnceAndKeepsTheMostRecentlyUsed(Vertx vertx) throws Exception {
    byte[] hi = "hi".getBytes(StandardCharsets.UTF_8);
    List<DecodedValue> results = onContext(vertx, ctx -> {
      DecoderCache cache = new DecoderCache(ctx, this::lookup, 2);
      // partitions share their topic's schema
      return Future.all(List.of(
          cache.decode("persistent://t/n/a-partition-0", version(1), hi, null),
          cache.decode("persistent://t/n/a-partition-1", version(1), hi, null),
          cache.decode("persistent://t/n/a", version(2), hi, null)))
          .compose(first -> cache.decode("persistent://t/n/a", version(5), new byte[8], null)) // evicts version 1
          .compose(v -> cache.decode("persistent://t/n/a", version(1), hi, null)).map(again -> {
            assertThat(cache.size()).isEqualTo(2);
            return List.of(again);
          });
    });
    assertThat(results.get(0)).isEqualTo(DecodedValue.of("hi"));
    assertThat(lookups).containsExactly("persistent://t/n/a@1", "persistent://t/n/a@2", "persistent://t/n/a@5",
        "persistent://t/n/a@1");
  }

  @Test
  void bytesVersionsAreUntypedAMissingVersionIsRememberedAndAFailedLookupIsAskedAgain(Vertx vertx)
      throws Exception {
    List<DecodedValue> results = onContext(vertx, ctx -> {
      DecoderCache cache = new DecoderCache(ctx, this::lookup, 10);
      List<DecodedValue> out = new ArrayList<>();
      return cache.decode("persistent://t/n/b", version(2), new byte[] {1}, null).map(out::add)
          .compose(v -> cache.decode("persistent://t/n/b", version(3), new byte[] {1}, null)).map(out::add)
          .compose(v -> cache.decode("persistent://t/n/b", version(3), new byte[] {1}, null)).map(out::add)
          .compose(v -> cache.decode("persistent://t/n/b", version(4), new byte[8], null)).map(out::add)
          .compose(v -> cache.decode("persistent://t/n/b", version(4), new byte[8], null)).map(out::add)
          .map(v -> out);
    });
    assertThat(results.get(0)).isNull();
    assertThat(results.get(1)).isEqualTo(DecodedValue.failed("schema version 3 not found"));
    assertThat(results.get(2)).isEqualTo(results.get(1));
    assertThat(results.get(3)).isEqualTo(DecodedValue.failed("the schema version 4 could not be fetched from Pulsar"));
    assertThat(results.get(4)).isEqualTo(DecodedValue.of(0L));
    assertThat(lookups).containsExactly("persistent://t/n/b@2", "persistent://t/n/b@3", "persistent://t/n/b@4",
        "persistent://t/n/b@4");
  }
}
