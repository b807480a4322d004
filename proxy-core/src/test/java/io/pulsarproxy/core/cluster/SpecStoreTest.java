package io.pulsarproxy.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The spec store on a Vert.x that is not clustered (a map of this process): the per-node limit and its answer. The
 * clustered behaviour (sharing, claims between nodes) is tested with two Hazelcast members in proxy-app.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class SpecStoreTest {
  private static final JsonObject SPEC = new JsonObject().put("subscription", "s");

  @Test
  void refusesASpecBeyondWhatOneNodeMayOwnUntilOneIsRemoved(Vertx vertx, VertxTestContext test) {
    SpecStore store = new SpecStore(vertx, "node-1", 2);
    store.put("a", SPEC)
        .compose(v -> store.put("b", SPEC))
        .compose(v -> store.put("a", SPEC.copy().put("replaced", true)))
        .compose(v -> store.put("c", SPEC))
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(err).isInstanceOf(ProxyException.class);
          assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.OVERLOADED);
          assertThat(err.getMessage()).isEqualTo("this node already owns 2 consumer instances");
          store.get("c")
              .compose(c -> {
                test.verify(() -> assertThat(c).isEmpty());
                return store.remove("b");
              })
              .compose(v -> store.put("c", SPEC))
              .compose(v -> store.ownedBy("node-1"))
              .onComplete(test.succeeding(owned -> test.verify(() -> {
                assertThat(owned).extracting(SpecStore.Entry::id).containsExactlyInAnyOrder("a", "c");
                assertThat(owned).filteredOn(e -> e.id().equals("a")).extracting(e -> e.spec().getBoolean("replaced"))
                    .containsExactly(true);
                test.completeNow();
              })));
        })));
  }

  @Test
  void aReleasedSpecIsClaimedByOneNodeOnly(Vertx vertx, VertxTestContext test) {
    SpecStore leaving = new SpecStore(vertx, "node-1", 2);
    SpecStore first = new SpecStore(vertx, "node-2", 2);
    SpecStore second = new SpecStore(vertx, "node-3", 2);
    leaving.put("a", SPEC)
        .compose(v -> leaving.release("a"))
        .compose(v -> leaving.ownedBy(SpecStore.RELEASED))
        .compose(released -> {
          test.verify(() -> assertThat(released).extracting(SpecStore.Entry::id).containsExactly("a"));
          SpecStore.Entry entry = released.get(0);
          return first.claim(entry).compose(won -> second.claim(entry).map(lost -> java.util.List.of(won, lost)));
        })
        .compose(results -> {
          test.verify(() -> assertThat(results).containsExactly(true, false));
          return second.get("a");
        })
        .onComplete(test.succeeding(entry -> test.verify(() -> {
          assertThat(entry).hasValueSatisfying(e -> {
            assertThat(e.owner()).isEqualTo("node-2");
            assertThat(e.spec()).isEqualTo(SPEC);
          });
          test.completeNow();
        })));
  }
}
