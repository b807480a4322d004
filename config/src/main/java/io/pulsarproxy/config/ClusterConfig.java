package io.pulsarproxy.config;

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
 */
public record ClusterConfig(
    boolean enabled,
    String host,
    int port,
    List<String> members,
    Optional<String> kubernetesService,
    int eventBusPort,
    TlsConfig tls) {

  public ClusterConfig {
    Objects.requireNonNull(host, "host");
    members = List.copyOf(members);
    Objects.requireNonNull(kubernetesService, "kubernetesService");
    Objects.requireNonNull(tls, "tls");
  }
}
