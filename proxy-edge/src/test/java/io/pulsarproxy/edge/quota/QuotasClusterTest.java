package io.pulsarproxy.edge.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.edge.ClusterCounts;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Quotas of two nodes that share their counts of what principals hold open (as {@code ClusterHoldingsTest} shows
 * Hazelcast does): the principal's limit holds across both, the refused node gives back its own count.
 */
class QuotasClusterTest {
  private static final Principal ALICE = new Principal("alice", "jwt", Optional.empty(), null);

  /** One count per name for the whole "cluster", in memory. */
  static class SharedCounts implements ClusterCounts {
    final Map<String, Integer> held = new ConcurrentHashMap<>();

    @Override
    public boolean clustered() {
      return true;
    }

    @Override
    public Future<Boolean> tryAcquire(String name, int limit) {
      boolean[] counted = new boolean[1];
      held.compute(name, (k, n) -> {
        int now = n == null ? 0 : n;
        counted[0] = now < limit;
        return counted[0] ? now + 1 : now;
      });
      return Future.succeededFuture(counted[0]);
    }

    @Override
    public void release(String name) {
      held.computeIfPresent(name, (k, n) -> n > 1 ? n - 1 : null);
    }
  }

  private static Quotas node(SharedCounts shared) {
    return new Quotas(ConfigLoader.build(new JsonObject().put("quotas", new JsonObject().put("enabled", true)
        .put("maxWebSockets", 2).put("maxInFlightRequests", 1))).quotas(), ProxyMetrics.noop(), shared);
  }

  @Test
  void aPrincipalsOpenSocketsAreCountedAcrossNodes() {
    SharedCounts shared = new SharedCounts();
    Quotas a = node(shared);
    Quotas b = node(shared);
    Reservation first = a.acrossCluster(ALICE, Quota.WEBSOCKETS, a.reserve(ALICE, Quota.WEBSOCKETS)).result();
    Reservation second = b.acrossCluster(ALICE, Quota.WEBSOCKETS, b.reserve(ALICE, Quota.WEBSOCKETS)).result();
    Future<Reservation> third = b.acrossCluster(ALICE, Quota.WEBSOCKETS, b.reserve(ALICE, Quota.WEBSOCKETS));
    assertThat(third.failed()).isTrue();
    ProxyException refused = (ProxyException) third.cause();
    assertThat(refused.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
    assertThat(refused.getMessage()).contains("quotas.maxWebSockets").contains("across the cluster");
    assertThat(shared.held).containsEntry("quotas.maxWebSockets|alice", 2);

    // Closing the one on A lets B open one more: B gave back its own count on the refusal.
    first.release();
    first.release();
    assertThat(shared.held).containsEntry("quotas.maxWebSockets|alice", 1);
    Reservation again = b.acrossCluster(ALICE, Quota.WEBSOCKETS, b.reserve(ALICE, Quota.WEBSOCKETS)).result();
    assertThat(again).isNotNull();
    second.release();
    again.release();
    assertThat(shared.held).isEmpty();
  }

  @Test
  void countsPerNodeAreNotSharedAndAFailedAskGivesTheLocalCountBack() {
    SharedCounts shared = new SharedCounts();
    Quotas a = node(shared);
    // Requests in progress are counted per node only: acrossCluster is never asked for them by the edge, and
    // a quota of 0 (unlimited) is never counted in the cluster.
    Reservation local = a.reserve(ALICE, Quota.IN_FLIGHT);
    assertThat(shared.held).isEmpty();
    local.release();

    SharedCounts down = new SharedCounts() {
      @Override
      public Future<Boolean> tryAcquire(String name, int limit) {
        return Future.failedFuture(new IllegalStateException("cluster gone"));
      }
    };
    Quotas c = node(down);
    for (int i = 0; i < 3; i++) {
      Future<Reservation> asked = c.acrossCluster(ALICE, Quota.WEBSOCKETS, c.reserve(ALICE, Quota.WEBSOCKETS));
      assertThat(((ProxyException) asked.cause()).code()).isEqualTo(ErrorCode.OVERLOADED);
      assertThat(asked.cause().getMessage()).doesNotContain("cluster gone");
    }
  }
}
