package io.pulsarproxy.app.cluster;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's services on this node: its membership for readiness ({@link Addresses#CLUSTER_STATUS}, local), the
 * ping any node can send it ({@link Addresses#nodePing}, registered cluster-wide), the members gauge, and a log line
 * per departed node ({@link Addresses#CLUSTER_NODE_LEFT}). Deployed only
 * when the proxy runs clustered.
 */
public final class ClusterVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterVerticle.class);

  private final ClusterNode node;
  private final ProxyMetrics metrics;

  public ClusterVerticle(ClusterNode node, ProxyMetrics metrics) {
    this.node = node;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    metrics.clusterMembers(() -> node.members().size());
    vertx.eventBus().localConsumer(Addresses.CLUSTER_STATUS, msg -> msg.reply(status()));
    vertx.eventBus().<String>localConsumer(Addresses.CLUSTER_NODE_LEFT, msg ->
        LOG.info("Cluster: node {} left, {} member(s)", msg.body(), node.members().size()));
    // Completes once the registration reached the cluster: from then on every node can reach this one.
    return vertx.eventBus().<Object>consumer(Addresses.nodePing(node.nodeId()), msg -> msg.reply(node.nodeId()))
        .completion();
  }

  private JsonObject status() {
    return new JsonObject().put("state", node.joined() ? "JOINED" : "LEFT").put("nodeId", node.nodeId())
        .put("members", new JsonArray(node.members()));
  }
}
