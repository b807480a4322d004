package io.pulsarproxy.app.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.edge.ClusterCounts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits counted cluster-wide, kept in one replicated Hazelcast map: for each counted name (a limit's key, with
 * the principal or client it counts for) how many each node holds. A node counts for itself only, with an entry
 * processor that runs where the entry lives, atomically: it adds one for the node if the sum over every node is below
 * the limit. So the limit holds exactly, with one network round trip per acquisition and one per release, and never
 * a lock.
 *
 * <p>Per-node holdings rather than one number make a dead node's share recoverable: when a node leaves (SIGKILL or
 * a lost network included, once Hazelcast declares it gone), every survivor drops that node's holdings
 * ({@link #forget}), idempotently. A name nobody holds is removed, so the map holds as many entries as there are
 * names held somewhere, bounded by the limits themselves. The map has Hazelcast's default backup, so the counts
 * survive the loss of the member that stores them.
 */
final class ClusterHoldings implements ClusterCounts {
  static final String MAP = "pulsar-proxy.holdings";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterHoldings.class);

  private final IMap<String, HashMap<String, Integer>> map;
  private final String nodeId;

  ClusterHoldings(HazelcastInstance hazelcast, String nodeId) {
    this.map = hazelcast.getMap(MAP);
    this.nodeId = nodeId;
  }

  /** The counts of node {@code nodeId}, which drops a departed node's holdings when it hears that it left. */
  static ClusterHoldings start(Vertx vertx, HazelcastInstance hazelcast, String nodeId) {
    ClusterHoldings holdings = new ClusterHoldings(hazelcast, nodeId);
    vertx.eventBus().<String>localConsumer(Addresses.CLUSTER_NODE_LEFT, left -> vertx.executeBlocking(() -> {
      holdings.forget(left.body());
      return null;
    }, false).onFailure(err -> LOG.warn("Cluster-wide limits: the holdings of departed node {} stay counted: {}",
        left.body(), err.toString())));
    return holdings;
  }

  @Override
  public boolean clustered() {
    return true;
  }

  @Override
  public Future<Boolean> tryAcquire(String name, int limit) {
    Context context = Vertx.currentContext();
    return context == null ? Future.fromCompletionStage(map.submitToKey(name, new Acquire(nodeId, limit)))
        : Future.fromCompletionStage(map.submitToKey(name, new Acquire(nodeId, limit)), context);
  }

  @Override
  public void release(String name) {
    map.submitToKey(name, new Release(nodeId)).whenComplete((v, err) -> {
      if (err != null) {
        LOG.warn("Cluster-wide limits: {} could not be given back for this node: {}", name, err.toString());
      }
    });
  }

  /** Drops every holding of {@code departed}, a node that left. Blocking (a call to every member): on a worker. */
  void forget(String departed) {
    Map<String, Integer> dropped = map.executeOnEntries(new Forget(departed));
    int held = dropped.values().stream().mapToInt(n -> n == null ? 0 : n).sum();
    if (held > 0) {
      LOG.info("Cluster-wide limits: gave back {} counts of {} limits held by departed node {}", held,
          dropped.values().stream().filter(n -> n != null && n > 0).count(), departed);
    }
  }

  /** What the cluster holds of {@code name}, every node together (for tests). */
  int held(String name) {
    HashMap<String, Integer> counts = map.get(name);
    return counts == null ? 0 : counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** One more for the node if the cluster holds fewer than the limit; answers whether it was counted. */
  record Acquire(String node, int limit) implements EntryProcessor<String, HashMap<String, Integer>, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, HashMap<String, Integer>> entry) {
      HashMap<String, Integer> counts = entry.getValue() == null ? new HashMap<>() : entry.getValue();
      if (counts.values().stream().mapToInt(Integer::intValue).sum() >= limit) {
        return false;
      }
      counts.merge(node, 1, Integer::sum);
      entry.setValue(counts);
      return true;
    }
  }

  /** One less for the node; the entry goes when nobody holds any. */
  record Release(String node) implements EntryProcessor<String, HashMap<String, Integer>, Void> {
    @Override
    public Void process(Map.Entry<String, HashMap<String, Integer>> entry) {
      HashMap<String, Integer> counts = entry.getValue();
      if (counts != null) {
        counts.computeIfPresent(node, (k, n) -> n > 1 ? n - 1 : null);
        entry.setValue(counts.isEmpty() ? null : counts);
      }
      return null;
    }
  }

  /** Drops a departed node's holdings; answers how many it held of the entry's name. */
  record Forget(String node) implements EntryProcessor<String, HashMap<String, Integer>, Integer> {
    @Override
    public Integer process(Map.Entry<String, HashMap<String, Integer>> entry) {
      HashMap<String, Integer> counts = entry.getValue();
      Integer held = counts == null ? null : counts.remove(node);
      if (held != null) {
        entry.setValue(counts.isEmpty() ? null : counts);
      }
      return held;
    }
  }
}
