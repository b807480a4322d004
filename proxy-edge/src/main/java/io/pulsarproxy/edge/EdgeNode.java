package io.pulsarproxy.edge;

import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.edge.quota.Quotas;
import io.pulsarproxy.metrics.ProxyMetrics;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the edge instances of one node ({@code edge.instances}, one per event loop) count together, so that a limit
 * means the same whatever the number of instances: the in-flight bytes ({@code http.maxInFlightBytes}), the requests
 * in progress ({@code http.maxInFlightRequests}) and the quotas per principal ({@code quotas.*}). Routes keep their
 * own node-wide counts the same way ({@link SharedCount}). Thread-safe and never waiting.
 *
 * <p>These limits are per node: with a cluster, each node counts its own. What principals hold open is counted
 * cluster-wide as well, through {@link #cluster()}.
 */
public final class EdgeNode {
  private final MemoryBudget budget;
  private final Quotas quotas;
  private final SharedCount requests = new SharedCount();
  private final AtomicReference<ProxyConfig> applied;
  private final ClusterCounts cluster;

  public EdgeNode(ProxyConfig config, ProxyMetrics metrics) {
    this(config, metrics, ClusterCounts.NONE);
  }

  /** @param cluster the counts shared with the other nodes of the cluster; {@link ClusterCounts#NONE} when alone */
  public EdgeNode(ProxyConfig config, ProxyMetrics metrics, ClusterCounts cluster) {
    this.cluster = cluster;
    this.budget = new MemoryBudget(config.http().maxInFlightBytes(), config.ws().maxSockets());
    this.quotas = new Quotas(config.quotas(), metrics, cluster);
    this.applied = new AtomicReference<>(config);
    metrics.inFlightBytes(budget::used, budget::limit);
  }

  /** The in-flight bytes of request bodies and WebSocket frames of every instance. */
  public MemoryBudget budget() {
    return budget;
  }

  /** The quotas per principal, counted across every instance. */
  public Quotas quotas() {
    return quotas;
  }

  /** The counts shared with the other nodes of the cluster (limits counted cluster-wide). */
  public ClusterCounts cluster() {
    return cluster;
  }

  /** The HTTP requests in progress on every instance. */
  SharedCount requests() {
    return requests;
  }

  /**
   * Applies a new configuration to what the instances share. Every instance hears of a reload and calls this; the
   * first call for a configuration applies it, the others do nothing.
   */
  void reconfigure(ProxyConfig config) {
    ProxyConfig previous = applied.get();
    if (previous == config || !applied.compareAndSet(previous, config)) {
      return;
    }
    budget.resize(config.http().maxInFlightBytes());
    quotas.reconfigure(config.quotas());
  }
}
