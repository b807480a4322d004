package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster section: off by default, the member list's forms, mutual TLS, one way of discovery. */
class ClusterConfigTest {
  @TempDir
  Path dir;

  private ProxyConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("proxy.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file, env, new Properties());
  }

  private List<String> problems(String yaml, Map<String, String> env) {
    return catchThrowableOfType(ConfigException.class, () -> load(yaml, env)).problems();
  }

  @Test
  void clusteringIsOffByDefaultOnLoopback() {
    ClusterConfig cluster = ProxyConfig.defaults().cluster();
    assertThat(cluster.enabled()).isFalse();
    assertThat(cluster.host()).isEqualTo("127.0.0.1");
    assertThat(cluster.port()).isEqualTo(5701);
    assertThat(cluster.members()).isEmpty();
    assertThat(cluster.kubernetesService()).isEmpty();
    assertThat(cluster.eventBusPort()).isZero();
    assertThat(cluster.tls().enabled()).isFalse();
  }

  @Test
  void membersComeAsAYamlListOrCommaSeparatedFromTheEnvironment() throws IOException {
    assertThat(load("cluster:\n  members: [10.0.0.5:5701, 'node-b:5702']\n", Map.of()).cluster().members())
        .containsExactly("10.0.0.5:5701", "node-b:5702");
    ClusterConfig fromEnv = load("", Map.of("PROXY_CLUSTER_ENABLED", "true",
        "PROXY_CLUSTER_MEMBERS", "127.0.0.1:5701,127.0.0.1:5702", "PROXY_CLUSTER_PORT", "5702")).cluster();
    assertThat(fromEnv.enabled()).isTrue();
    assertThat(fromEnv.port()).isEqualTo(5702);
    assertThat(fromEnv.members()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
  }

  @Test
  void rejectsAMemberWithoutAPort() {
    assertThat(problems("", Map.of("PROXY_CLUSTER_MEMBERS", "127.0.0.1:5701,node-b")))
        .containsExactly("cluster.members: '127.0.0.1:5701,node-b' is not host:port (e.g. 10.0.0.5:5701)");
  }

  @Test
  void rejectsBothAMemberListAndAKubernetesService() {
    assertThat(problems("cluster:\n  members: [a:5701]\n  kubernetesService: proxy-cluster.ns.svc.cluster.local\n",
        Map.of())).containsExactly(
            "cluster.kubernetesService: set either cluster.members or cluster.kubernetesService, not both");
  }

  @Test
  void clusterTlsIsMutualAndNeedsTheTrustBundle() throws IOException {
    Path cert = Files.writeString(dir.resolve("node.crt"), "cert");
    Path key = Files.writeString(dir.resolve("node.key"), "key");
    String files = "cluster:\n  tls:\n    certFile: " + cert + "\n    keyFile: " + key + "\n";
    assertThat(problems(files, Map.of())).containsExactly(
        "cluster.tls.trustFile: required with cluster TLS (the CAs the nodes' certificates chain to)");

    Path ca = Files.writeString(dir.resolve("ca.crt"), "ca");
    TlsConfig tls = load(files + "    trustFile: " + ca + "\n", Map.of()).cluster().tls();
    assertThat(tls.enabled()).isTrue();
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUIRE);
    assertThat(tls.trustFile()).isEqualTo(Optional.of(ca));
  }
}
