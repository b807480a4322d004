package io.pulsarproxy.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.schema.decode.DecodedValue;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class SchemaCacheTest {
  private final List<String> lookups = new ArrayList<>();
  private final AtomicLong clock = new AtomicLong();

  /** Version 1 is STRING, 2 BYTES, 3 missing, 4 fails once then is INT64; the latest is version 5 (INT64). */
  private Future<Optional<RegisteredSchema>> fetch(String topic, Long version) {
    lookups.add(topic + "@" + version);
    long v = version == null ? 5 : version;
    if (v == 3) {
      return Future.succeededFuture(Optional.empty());
    }
    if (v == 4 && lookups.stream().filter(l -> l.endsWith("@4")).count() == 1) {
      return Future.failedFuture(new ProxyException(ErrorCode.BROKER_UNAVAILABLE, "broker gone"));
    }
    SchemaType type = v == 1 ? SchemaType.STRING : v == 2 ? SchemaType.BYTES : SchemaType.INT64;
    SchemaInfo info = SchemaInfo.builder().name("t").type(type).schema(new byte[0]).properties(Map.of()).build();
    return Future.succeededFuture(Optional.of(new RegisteredSchema(info, v)));
  }

  private static <T> T onContext(Vertx vertx, Supplier<Future<T>> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> action.get().onComplete(done -> {
      if (done.succeeded()) {
        result.complete(done.result());
      } else {
        result.completeExceptionally(done.cause());
      }
    }));
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void looksUpEachVersionOnceForEveryPartitionAndKeepsTheMostRecentlyUsed(Vertx vertx) throws Exception {
    SchemaCache cache = new SchemaCache(vertx, this::fetch, 2, clock::get);
    byte[] hi = "hi".getBytes(StandardCharsets.UTF_8);
    DecodedValue again = onContext(vertx, () -> Future.all(List.of(
            cache.decode("persistent://t/n/a-partition-0", RegisteredSchema.versionBytes(1), hi, null),
            cache.decode("persistent://t/n/a-partition-1", RegisteredSchema.versionBytes(1), hi, null),
            cache.decode("persistent://t/n/a", RegisteredSchema.versionBytes(2), hi, null)))
        .compose(first -> cache.decode("persistent://t/n/a", RegisteredSchema.versionBytes(5), new byte[8], null))
        .compose(v -> cache.decode("persistent://t/n/a", RegisteredSchema.versionBytes(1), hi, null)));

    assertThat(again).isEqualTo(DecodedValue.of("hi"));
    assertThat(cache.size()).isEqualTo(2);
    assertThat(lookups).containsExactly("persistent://t/n/a@1", "persistent://t/n/a@2", "persistent://t/n/a@5",
        "persistent://t/n/a@1");
  }

  @Test
  void bytesAreUntypedAMissingVersionIsRememberedAndAFailedLookupIsAskedAgain(Vertx vertx) throws Exception {
    SchemaCache cache = new SchemaCache(vertx, this::fetch, 10, clock::get);
    List<DecodedValue> out = onContext(vertx, () -> {
      List<DecodedValue> results = new ArrayList<>();
      return cache.decode("persistent://t/n/b", RegisteredSchema.versionBytes(2), new byte[] {1}, null)
          .map(results::add)
          .compose(v -> cache.decode("persistent://t/n/b", RegisteredSchema.versionBytes(3), new byte[] {1}, null))
          .map(results::add)
          .compose(v -> cache.decode("persistent://t/n/b", RegisteredSchema.versionBytes(3), new byte[] {1}, null))
          .map(results::add)
          .compose(v -> cache.decode("persistent://t/n/b", RegisteredSchema.versionBytes(4), new byte[8], null))
          .map(results::add)
          .compose(v -> cache.decode("persistent://t/n/b", RegisteredSchema.versionBytes(4), new byte[8], null))
          .map(results::add)
          .map(v -> results);
    });

    assertThat(out.get(0)).isNull();
    assertThat(out.get(1)).isEqualTo(DecodedValue.failed("schema version 3 not found"));
    assertThat(out.get(2)).isEqualTo(out.get(1));
    assertThat(out.get(3)).isEqualTo(DecodedValue.failed("the schema version 4 could not be fetched from Pulsar"));
    assertThat(out.get(4)).isEqualTo(DecodedValue.of(0L));
    assertThat(lookups).containsExactly("persistent://t/n/b@2", "persistent://t/n/b@3", "persistent://t/n/b@4",
        "persistent://t/n/b@4");
  }

  @Test
  void theLatestIsAskedAgainAfterItsTimeAndSharesItsVersionsEntry(Vertx vertx) throws Exception {
    SchemaCache cache = new SchemaCache(vertx, this::fetch, 10, clock::get);
    KnownSchema latest = onContext(vertx, () -> cache.get("persistent://t/n/c", null)).orElseThrow();
    KnownSchema five = onContext(vertx, () -> cache.get("persistent://t/n/c", 5L)).orElseThrow();
    onContext(vertx, () -> cache.get("persistent://t/n/c", null));
    clock.addAndGet(SchemaCache.LATEST_TTL.toNanos() + 1);
    KnownSchema later = onContext(vertx, () -> cache.get("persistent://t/n/c", null)).orElseThrow();

    assertThat(five).isSameAs(latest);
    assertThat(later).isSameAs(latest);
    assertThat(lookups).containsExactly("persistent://t/n/c@null", "persistent://t/n/c@null");
  }

  @Test
  void resultsComeBackOnTheCallersContext(Vertx vertx) throws Exception {
    SchemaCache cache = new SchemaCache(vertx, this::fetch, 10, clock::get);
    Context first = vertx.getOrCreateContext();
    Context second = vertx.getOrCreateContext();
    CompletableFuture<Boolean> sameContext = new CompletableFuture<>();
    first.runOnContext(v -> cache.get("persistent://t/n/d", 1L).onComplete(r ->
        second.runOnContext(w -> cache.get("persistent://t/n/d", 1L)
            .onComplete(again -> sameContext.complete(first != second && Vertx.currentContext() == second)))));
    assertThat(sameContext.get(10, TimeUnit.SECONDS)).isTrue();
  }
}
