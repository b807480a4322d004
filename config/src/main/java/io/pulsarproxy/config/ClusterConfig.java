package io.pulsarproxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Running as one node of a cluster of proxies: Vert.x clustered on Hazelcast. Nodes find each other by a member list
 * or, in Kubernetes, by the DNS name of a headless Service.
 *
 * @param enabled           {@code cluster.enabled}: start clustered; {@code false} runs one stand-alone proxy
 * @param host              {@code cluster.host}: the address this node binds its cluster ports to and announces
 * @param port              {@code cluster.port}: the Hazelcast member port
 * @param members           {@code cluster.members}: {@code host:port} of the members to join (this node's own may be
 *                          listed too)
 * @param kubernetesService {@code cluster.kubernetesService}: the headless Service whose DNS records list the members,
 *                          instead of {@code members}
 * @param eventBusPort      {@code cluster.eventBusPort}: the port of the clustered event bus (0: a free one,
 *                          announced to the other nodes through Hazelcast)
 * @param tls               {@code cluster.tls.*}: mutual TLS of the clustered event bus (client authentication
 *                          {@link TlsConfig.ClientAuth#REQUIRE}; not reloaded)
 * @param takeoverDelay     {@code cluster.takeoverDelay}: how long after a node left the survivors wait before
 *                          re-creating its HTTP consumer instances
 * @param handoverWait      {@code cluster.handoverWait}: how long a request to an HTTP consumer instance that no node
 *                          serves at the moment is held before 503
 */
public record ClusterConfig(
    boolean enabled,
    String host,
    int port,
    List<String> members,
    Optional<String> kubernetesService,
    int eventBusPort,
    TlsConfig tls,
    Duration takeoverDelay,
    Duration handoverWait) {

  /** The defaults of the two waits: 5 s each. */
  public ClusterConfig(boolean enabled, String host, int port, List<String> members,
      Optional<String> kubernetesService, int eventBusPort, TlsConfig tls) {
    this(enabled, host, port, members, kubernetesService, eventBusPort, tls, Duration.ofSeconds(5),
        Duration.ofSeconds(5));
  }

  public ClusterConfig {
    Objects.requireNonNull(takeoverDelay, "takeoverDelay");
    Objects.requireNonNull(handoverWait, "handoverWait");
    Objects.requireNonNull(host, "host");
    members = List.copyOf(members);
    Objects.requireNonNull(kubernetesService, "kubernetesService");
    Objects.requireNonNull(tls, "tls");
  }
}
