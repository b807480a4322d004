package io.pulsarproxy.http.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.edge.ClusterCounts;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NodeInstancesTest {

  @Test
  void refusesAboveTheNodeLimitAndThePerClientLimit() {
    NodeInstances node = new NodeInstances();
    assertThat(node.tryAcquire("a", 3, 2)).isNull();
    assertThat(node.tryAcquire("a", 3, 2)).isNull();
    assertThat(node.tryAcquire("a", 3, 2)).isEqualTo(NodeInstances.Refusal.CLIENT);
    assertThat(node.tryAcquire("b", 3, 2)).isNull();
    assertThat(node.tryAcquire("c", 3, 2)).isEqualTo(NodeInstances.Refusal.NODE);

    node.release("a");
    assertThat(node.tryAcquire("c", 3, 2)).isNull();
    // a refusal for the client gave back the node's count it had taken
    node.release("c");
    assertThat(node.tryAcquire("a", 3, 2)).isNull();
    assertThat(node.tryAcquire("b", 3, 2)).isEqualTo(NodeInstances.Refusal.NODE);
  }

  @Test
  void holdsTheLimitWhenEveryEdgeInstanceCreatesAtOnce() throws Exception {
    NodeInstances node = new NodeInstances();
    int threads = 4;
    int attemptsEach = 10_000;
    AtomicInteger granted = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger held = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String client = "client-" + (t % 2);
        done.add(CompletableFuture.runAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < attemptsEach; i++) {
            if (node.tryAcquire(client, 5, 3) == null) {
              granted.incrementAndGet();
              most.accumulateAndGet(held.incrementAndGet(), Math::max);
              held.decrementAndGet();
              node.release(client);
            }
          }
        }, pool));
      }
      go.countDown();
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(granted.get()).isPositive();
    assertThat(most.get()).isLessThanOrEqualTo(5);
    // everything was given back: the full limit is available again, and each client's own limit too
    for (int i = 0; i < 3; i++) {
      assertThat(node.tryAcquire("client-0", 5, 3)).isNull();
    }
    assertThat(node.tryAcquire("client-0", 5, 3)).isEqualTo(NodeInstances.Refusal.CLIENT);
    assertThat(node.tryAcquire("client-1", 5, 3)).isNull();
    assertThat(node.tryAcquire("client-1", 5, 3)).isNull();
    assertThat(node.tryAcquire("client-1", 5, 3)).isEqualTo(NodeInstances.Refusal.NODE);
  }

  @Test
  void clusteredTheClusterCountsToAndARefusalThereGivesEverythingBack() {
    // The cluster's counts: what other nodes hold is already in it.
    Map<String, Integer> cluster = new HashMap<>(Map.of(NodeInstances.INSTANCES, 2));
    List<String> released = new ArrayList<>();
    NodeInstances node = new NodeInstances(new ClusterCounts() {
      @Override
      public boolean clustered() {
        return true;
      }

      @Override
      public Future<Boolean> tryAcquire(String name, int limit) {
        int held = cluster.getOrDefault(name, 0);
        if (held >= limit) {
          return Future.succeededFuture(false);
        }
        cluster.put(name, held + 1);
        return Future.succeededFuture(true);
      }

      @Override
      public void release(String name) {
        released.add(name);
        cluster.computeIfPresent(name, (k, n) -> n > 1 ? n - 1 : null);
      }
    });
    String perClientA = "httpConsumer.maxInstancesPerClient|a";
    assertThat(node.acquire("a", 3, 1).result()).isNull();
    assertThat(cluster).containsEntry(NodeInstances.INSTANCES, 3).containsEntry(perClientA, 1);
    // This node holds one of 3, the cluster 3: refused.
    assertThat(node.acquire("b", 3, 1).result()).isEqualTo(NodeInstances.Refusal.NODE);
    assertThat(cluster).containsEntry(NodeInstances.INSTANCES, 3);

    node.release("a");
    assertThat(released).containsExactly(NodeInstances.INSTANCES, perClientA);
    assertThat(cluster).containsEntry(NodeInstances.INSTANCES, 2).doesNotContainKey(perClientA);
    // The client's count refuses: the cluster's instance count it had taken is given back.
    cluster.put("httpConsumer.maxInstancesPerClient|b", 1);
    assertThat(node.acquire("b", 3, 1).result()).isEqualTo(NodeInstances.Refusal.CLIENT);
    assertThat(cluster).containsEntry(NodeInstances.INSTANCES, 2);
    // Nothing stays counted on this node after the refusals: both of a node limit of 2 can be taken.
    assertThat(node.tryAcquire("c", 2, 5)).isNull();
    assertThat(node.tryAcquire("d", 2, 5)).isNull();
    assertThat(node.tryAcquire("e", 2, 5)).isEqualTo(NodeInstances.Refusal.NODE);
  }
}
