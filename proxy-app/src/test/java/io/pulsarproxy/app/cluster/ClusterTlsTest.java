package io.pulsarproxy.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static io.pulsarproxy.app.cluster.ClusterNodeTest.freePort;
import static io.pulsarproxy.app.cluster.ClusterNodeTest.result;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ClusterConfig;
import io.pulsarproxy.config.TlsConfig;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.pulsarproxy.testkit.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clustered event bus with {@code cluster.tls.*}: nodes whose certificates chain to the trusted CA talk; a member
 * of the same Hazelcast cluster whose certificate comes from another CA gets no answer from them.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterTlsTest {
  @TempDir
  Path dir;

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<Vertx> vertxes = new ArrayList<>();

  @AfterEach
  void stop() {
    vertxes.forEach(v -> result(v.close()));
    nodes.forEach(ClusterNode::leave);
  }

  @Test
  void nodesWithTheClustersCertificatesTalkAndOthersAreRefused() throws Exception {
    TestCertificates.Authority clusterCa = TestCertificates.authority("cluster CA");
    TestCertificates.Authority otherCa = TestCertificates.authority("other CA");
    Path trust = clusterCa.writeCert(dir.resolve("cluster-ca.crt"));
    List<String> members = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());

    Vertx a = start(members, 0, tls(clusterCa, "a", trust));
    Vertx b = start(members, 1, tls(clusterCa, "b", trust));
    ClusterNode nodeB = nodes.get(1);
    result(b.deployVerticle(new ClusterVerticle(nodeB, ProxyMetrics.noop())));
    // Hazelcast's traffic is not TLS: an intruder with a certificate of another CA joins the membership...
    Vertx intruder = start(members, 2, tls(otherCa, "intruder", otherCa.writeCert(dir.resolve("other-ca.crt"))));
    assertThat(nodes.get(2).members()).hasSize(3);

    DeliveryOptions quick = new DeliveryOptions().setSendTimeout(10_000);
    assertThat(result(a.eventBus().<String>request(Addresses.nodePing(nodeB.nodeId()), null, quick)).body())
        .isEqualTo(nodeB.nodeId());
    // ...but the event bus refuses it: its requests never reach a node.
    Throwable refused = catchThrowable(() ->
        result(intruder.eventBus().request(Addresses.nodePing(nodeB.nodeId()), null, quick)));
    assertThat(refused).isNotNull();
  }

  private TlsConfig tls(TestCertificates.Authority ca, String name, Path trust) {
    TestCertificates.Issued issued = ca.issue(name, "127.0.0.1");
    return new TlsConfig(Optional.of(issued.writeCert(dir.resolve(name + ".crt"))),
        Optional.of(issued.writeKey(dir.resolve(name + ".key"))), Optional.empty(), Optional.empty(),
        TlsConfig.ClientAuth.REQUIRE, Optional.of(trust), java.time.Duration.ZERO);
  }

  private Vertx start(List<String> members, int index, TlsConfig tls) {
    int port = Integer.parseInt(members.get(index).substring(members.get(index).lastIndexOf(':') + 1));
    ClusterNode node = ClusterNode.join(
        new ClusterConfig(true, "127.0.0.1", port, members, Optional.empty(), 0, tls));
    nodes.add(node);
    Vertx vertx = result(Vertx.builder().with(new VertxOptions().setEventBusOptions(node.eventBusOptions()))
        .withClusterManager(node.clusterManager()).buildClustered());
    node.attach(vertx);
    vertxes.add(vertx);
    return vertx;
  }
}
