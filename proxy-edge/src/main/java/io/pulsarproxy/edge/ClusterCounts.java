package io.pulsarproxy.edge;

import io.vertx.core.Future;

/**
 * Counts that every node of a cluster shares: what limits counted cluster-wide hold (consumer instances, and the
 * sockets, streams and instances of each principal). Each node still counts its own first (the per-node counts, which
 * stay exact and bound its memory); what passes is then counted here, against the same limit for the whole cluster.
 * Asynchronous: an answer completes on the caller's context, never by waiting on a thread.
 *
 * <p>{@link #NONE} when the proxy does not run clustered: every acquisition passes at once, so the per-node counts are
 * the only ones, as on a single node.
 */
public interface ClusterCounts {
  /** Not clustered: nothing is counted beyond the node. */
  ClusterCounts NONE = new ClusterCounts() {
    @Override
    public boolean clustered() {
      return false;
    }

    @Override
    public Future<Boolean> tryAcquire(String name, int limit) {
      return Future.succeededFuture(true);
    }

    @Override
    public void release(String name) {
    }
  };

  /** Whether counts are shared with other nodes (else {@link #tryAcquire} always passes). */
  boolean clustered();

  /**
   * Counts one more of {@code name} (the limit's key, with the principal or client for counts per principal or per
   * client) for this node if the whole cluster holds fewer than {@code limit}.
   *
   * @return whether it was counted (then {@link #release} it once); failed when the cluster could not be asked
   */
  Future<Boolean> tryAcquire(String name, int limit);

  /** Gives back one of {@code name} counted for this node. Fire and forget: a failure is logged. */
  void release(String name);
}
