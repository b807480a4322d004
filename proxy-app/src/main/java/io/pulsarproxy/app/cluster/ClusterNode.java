package io.pulsarproxy.app.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ClusterConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.config.TlsConfig;
import io.pulsarproxy.edge.ClusterCounts;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This proxy's membership of a cluster: the Hazelcast member it runs (found through {@code cluster.members} or
 * Kubernetes DNS), the Vert.x cluster manager and event-bus options built on it, and the node id every node knows it
 * by. The proxy owns the Hazelcast instance: it is created before Vert.x (so that the node id is known before the
 * first metric is registered) and shut down after Vert.x closed, by {@link #leave()}.
 *
 * <p>Membership changes are logged, and a departed node's id is published locally on
 * {@link Addresses#CLUSTER_NODE_LEFT} (where {@link ClusterVerticle} logs it) on every node that saw it leave
 * (SIGTERM: at once; SIGKILL or a lost network: once Hazelcast's failure detector gives up on it, after 15 s of
 * silence at most). Thread-safe.
 */
public final class ClusterNode {
  /** The member attribute vertx-hazelcast reads the Vert.x node id from. */
  static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  /** The Hazelcast cluster name: members of other clusters on the same hosts are refused. */
  static final String CLUSTER_NAME = "pulsar-proxy";

  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  private final ClusterConfig config;
  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private volatile Vertx vertx;

  private ClusterNode(ClusterConfig config, HazelcastInstance hazelcast, String nodeId) {
    this.config = config;
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
  }

  /**
   * Starts the Hazelcast member and joins the cluster (or forms a new one when no member answers). Blocking, for
   * seconds: call it before Vert.x exists, off any event loop.
   */
  public static ClusterNode join(ClusterConfig config) {
    String nodeId = UUID.randomUUID().toString();
    HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(hazelcastConfig(config, nodeId));
    ClusterNode node = new ClusterNode(config, hazelcast, nodeId);
    hazelcast.getCluster().addMembershipListener(node.new Listener());
    LOG.info("Cluster: node {} joined at {}:{}, {} member(s)", nodeId, config.host(), config.port(),
        hazelcast.getCluster().getMembers().size());
    return node;
  }

  /**
   * The Hazelcast configuration of a node: vertx-hazelcast's maps, the cluster name, this node's address and port,
   * one way of discovery (TCP/IP member list or Kubernetes DNS; never multicast or auto-detection), logging through
   * slf4j, no phone-home and no shutdown hook (the proxy stops Hazelcast after its verticles).
   */
  static Config hazelcastConfig(ClusterConfig cluster, String nodeId) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(CLUSTER_NAME);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // Bind to cluster.host only, and announce it.
    config.setProperty("hazelcast.local.localAddress", cluster.host());
    config.setProperty("hazelcast.socket.bind.any", "false");
    // Nodes started at the same moment may form two clusters; they merge after this long instead of 5 minutes.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "30");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "30");
    // A member that stopped answering (killed, cut off) is dropped after 15 s of silence instead of 60.
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "15");
    config.getMemberAttributeConfig().setAttribute(NODE_ID_ATTRIBUTE, nodeId);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.setPublicAddress(cluster.host() + ":" + cluster.port());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.kubernetesService().isPresent()) {
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", cluster.kubernetesService().get())
          .setProperty("service-port", String.valueOf(cluster.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return config;
  }

  /**
   * The options of this node's clustered event bus: bound to and announced on {@code cluster.host}, on
   * {@code cluster.eventBusPort}, with mutual TLS when {@code cluster.tls.*} is set. Host names are not verified
   * (Vert.x does not for the event bus): a peer is trusted when its certificate chains to
   * {@code cluster.tls.trustFile}.
   */
  public EventBusOptions eventBusOptions() {
    return eventBusOptions(config);
  }

  static EventBusOptions eventBusOptions(ClusterConfig cluster) {
    EventBusOptions options = new EventBusOptions().setHost(cluster.host()).setClusterPublicHost(cluster.host())
        .setPort(cluster.eventBusPort());
    TlsConfig tls = cluster.tls();
    if (tls.enabled()) {
      options.setSsl(true).setClientAuth(ClientAuth.REQUIRED);
      if (tls.keyStoreFile().isPresent()) {
        options.setKeyCertOptions(new PfxOptions().setPath(tls.keyStoreFile().get().toString())
            .setPassword(tls.keyStorePassword().map(Secret::reveal).orElse(null)));
      } else {
        options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile().orElseThrow().toString())
            .setKeyPath(tls.keyFile().orElseThrow().toString()));
      }
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.trustFile().orElseThrow().toString()));
    }
    return options;
  }

  /** The Vert.x cluster manager on this node's Hazelcast member, which it leaves running: {@link #leave()} stops it. */
  public HazelcastClusterManager clusterManager() {
    return new HazelcastClusterManager(hazelcast);
  }

  /**
   * The counts of the limits counted cluster-wide, shared by every node through Hazelcast; a departed node's holdings
   * are given back when it leaves. Call once, when Vert.x runs.
   */
  public ClusterCounts counts(Vertx clustered) {
    return ClusterHoldings.start(clustered, hazelcast, nodeId);
  }

  /** Once Vert.x runs: membership changes are published on its event bus from then on. */
  public void attach(Vertx clustered) {
    this.vertx = Objects.requireNonNull(clustered, "vertx");
  }

  /** This node's id: the Vert.x node id, the owner recorded for its session state, the {@code node} metric tag. */
  public String nodeId() {
    return nodeId;
  }

  /** Whether this node is a running member of the cluster. */
  public boolean joined() {
    return hazelcast.getLifecycleService().isRunning();
  }

  /** The ids of the members this node sees, itself included, oldest first; empty once it left. */
  public List<String> members() {
    if (!joined()) {
      return List.of();
    }
    return hazelcast.getCluster().getMembers().stream().map(m -> (String) m.getAttribute(NODE_ID_ATTRIBUTE))
        .filter(Objects::nonNull).toList();
  }

  /** Leaves the cluster gracefully (the others see it leave at once). Blocking; idempotent. */
  public void leave() {
    if (joined()) {
      LOG.info("Cluster: node {} leaving", nodeId);
      hazelcast.shutdown();
    }
  }

  /** Logs membership changes and publishes departed nodes, on Hazelcast's event threads. */
  private final class Listener implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
      LOG.info("Cluster: node {} joined ({}), {} member(s)", id(event.getMember()), event.getMember().getAddress(),
          event.getMembers().size());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      String departed = id(event.getMember());
      Vertx attached = vertx;
      if (attached == null || departed == null) {
        LOG.info("Cluster: node {} left ({}), {} member(s)", departed, event.getMember().getAddress(),
            event.getMembers().size());
      } else {
        try {
          attached.eventBus().publish(Addresses.CLUSTER_NODE_LEFT, departed, new DeliveryOptions().setLocalOnly(true));
        } catch (IllegalStateException closed) {
          // this node is stopping too: nobody is left to take over anything
          LOG.debug("Cluster: not publishing that {} left, the event bus is closed", departed);
        }
      }
    }

    private String id(Member member) {
      return member.getAttribute(NODE_ID_ATTRIBUTE);
    }
  }
}
