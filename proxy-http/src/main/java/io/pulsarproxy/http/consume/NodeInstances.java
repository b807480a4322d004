package io.pulsarproxy.http.consume;

import io.pulsarproxy.edge.ClusterCounts;
import io.pulsarproxy.edge.SharedCount;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the consumer registries of the node's edge instances count together: the instances and streams open
 * ({@code httpConsumer.maxInstances}), those of each client ({@code httpConsumer.maxInstancesPerClient}), and the
 * subscriptions whose stream is closing, which a reconnection through another instance waits for. One per node;
 * thread-safe and never waiting (the per-client map changes one key at a time). With a cluster, the two limits are
 * counted cluster-wide too ({@link ClusterCounts}): after this node's own count, the cluster's.
 */
public final class NodeInstances {
  static final String INSTANCES = "httpConsumer.maxInstances";
  static final String PER_CLIENT = "httpConsumer.maxInstancesPerClient";

  private final ClusterCounts cluster;
  private final SharedCount open = new SharedCount();
  /** Instances per client key; as many keys as clients with an instance open, so bounded by maxInstances. */
  private final Map<String, Integer> perClient = new ConcurrentHashMap<>();
  /** Subscriptions whose stream is closing; as many as streams closing, so bounded by maxInstances. */
  private final Map<String, CompletionStage<Void>> closing = new ConcurrentHashMap<>();

  /** Counted on this node only. */
  public NodeInstances() {
    this(ClusterCounts.NONE);
  }

  /** @param cluster where the instances are counted cluster-wide as well ({@link ClusterCounts#NONE}: not) */
  public NodeInstances(ClusterCounts cluster) {
    this.cluster = cluster;
  }

  /**
   * Counts one more instance of {@code clientKey} on this node ({@link #tryAcquire}), then across the cluster when
   * clustered; completes on the caller's context.
   *
   * @return null when counted (give it back with {@link #release}); else which limit was reached; failed when the
   *         cluster could not be asked (nothing stays counted then)
   */
  Future<Refusal> acquire(String clientKey, int max, int maxPerClient) {
    Refusal local = tryAcquire(clientKey, max, maxPerClient);
    if (local != null || !cluster.clustered()) {
      return Future.succeededFuture(local);
    }
    String perClient = PER_CLIENT + "|" + clientKey;
    return cluster.tryAcquire(INSTANCES, max)
        .compose(counted -> !counted ? Future.succeededFuture(Refusal.NODE)
            : cluster.tryAcquire(perClient, maxPerClient).<Refusal>transform(asked -> {
              if (asked.succeeded() && asked.result()) {
                return Future.succeededFuture(null);
              }
              cluster.release(INSTANCES);
              return asked.failed() ? Future.failedFuture(asked.cause()) : Future.succeededFuture(Refusal.CLIENT);
            }))
        .transform(asked -> {
          if (asked.failed() || asked.result() != null) {
            releaseHere(clientKey);
          }
          return asked.failed() ? Future.failedFuture(asked.cause()) : Future.succeededFuture(asked.result());
        });
  }

  /**
   * Counts one more instance of {@code clientKey} if the node holds fewer than {@code max} and the client fewer than
   * {@code maxPerClient}.
   *
   * @return null when counted (give it back with {@link #release}); else which limit was reached
   */
  Refusal tryAcquire(String clientKey, int max, int maxPerClient) {
    if (!open.tryAcquire(max)) {
      return Refusal.NODE;
    }
    AtomicBoolean counted = new AtomicBoolean();
    perClient.compute(clientKey, (k, n) -> {
      int held = n == null ? 0 : n;
      if (held >= maxPerClient) {
        return n;
      }
      counted.set(true);
      return held + 1;
    });
    if (!counted.get()) {
      open.release();
      return Refusal.CLIENT;
    }
    return null;
  }

  /** Gives back an instance counted by {@link #acquire} (here and across the cluster) or {@link #tryAcquire}. */
  void release(String clientKey) {
    releaseHere(clientKey);
    if (cluster.clustered()) {
      cluster.release(INSTANCES);
      cluster.release(PER_CLIENT + "|" + clientKey);
    }
  }

  private void releaseHere(String clientKey) {
    perClient.computeIfPresent(clientKey, (k, n) -> n > 1 ? n - 1 : null);
    open.release();
  }

  /** Which limit refused an instance. */
  enum Refusal { NODE, CLIENT }

  /** Until {@code done} completes, {@link #closing(String)} of {@code subscription} waits for it. */
  void closing(String subscription, CompletionStage<Void> done) {
    closing.put(subscription, done);
    done.whenComplete((v, err) -> closing.remove(subscription, done));
  }

  /** Completes when the stream of {@code subscription} that is closing has closed (at once when none is). */
  CompletionStage<Void> closing(String subscription) {
    return closing.getOrDefault(subscription, CompletableFuture.completedFuture(null));
  }
}
