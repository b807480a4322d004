package io.pulsarproxy.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ClusterConfig;
import io.pulsarproxy.config.TlsConfig;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.bus.LocalCodec;
import io.pulsarproxy.core.cluster.SpecStore;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.pulsarproxy.testkit.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes in this JVM, each a Hazelcast member on loopback with its own clustered Vert.x, joined through the same
 * member list: membership, the ping across nodes, local-only internal messages, the spec store, and a node leaving.
 * Needs nothing running; the separate-process tests are {@code ClusterIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterNodeTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  record Note(String text) {}

  private static ClusterNode nodeA;
  private static ClusterNode nodeB;
  private static Vertx vertxA;
  private static Vertx vertxB;

  @BeforeAll
  static void startTwoNodes() throws Exception {
    int portA = freePort();
    int portB = freePort();
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    nodeA = ClusterNode.join(config(portA, members));
    vertxA = clustered(nodeA);
    nodeB = ClusterNode.join(config(portB, members));
    vertxB = clustered(nodeB);
    for (Vertx vertx : List.of(vertxA, vertxB)) {
      vertx.eventBus().registerDefaultCodec(Note.class, new LocalCodec<>(Note.class));
    }
  }

  @AfterAll
  static void stop() {
    for (Vertx vertx : new Vertx[] {vertxA, vertxB}) {
      if (vertx != null) {
        result(vertx.close());
      }
    }
    for (ClusterNode node : new ClusterNode[] {nodeA, nodeB}) {
      if (node != null) {
        node.leave();
      }
    }
  }

  @Test
  @Order(1)
  void bothNodesSeeBothMembers() {
    await().atMost(WAIT).until(() -> nodeA.members().size() == 2 && nodeB.members().size() == 2);
    assertThat(nodeA.members()).containsExactlyInAnyOrder(nodeA.nodeId(), nodeB.nodeId());
    assertThat(nodeB.members()).containsExactlyInAnyOrderElementsOf(nodeA.members());
    assertThat(nodeA.nodeId()).isNotEqualTo(nodeB.nodeId());
    assertThat(nodeA.joined()).isTrue();
  }

  @Test
  @Order(2)
  void aRequestFromOneNodeReachesTheOtherNodesPing() {
    result(vertxB.deployVerticle(new ClusterVerticle(nodeB, ProxyMetrics.noop())));
    String answer = result(vertxA.eventBus().<String>request(Addresses.nodePing(nodeB.nodeId()), null)).body();
    assertThat(answer).isEqualTo(nodeB.nodeId());
  }

  @Test
  @Order(3)
  void internalRecordsStayOnTheNodeThatSentThem() {
    // Both nodes listen on the address; a local-only send with the local codec reaches this node's handler only.
    List<String> receivedOnA = new CopyOnWriteArrayList<>();
    List<String> receivedOnB = new CopyOnWriteArrayList<>();
    result(vertxA.eventBus().<Note>consumer("test.notes", m -> {
      receivedOnA.add(m.body().text());
      m.reply(new Note("from A"), Codecs.LOCAL);
    }).completion());
    result(vertxB.eventBus().<Note>consumer("test.notes", m -> receivedOnB.add(m.body().text())).completion());
    for (int i = 0; i < 10; i++) {
      assertThat(result(vertxA.eventBus().<Note>request("test.notes", new Note("n" + i), Codecs.LOCAL)).body())
          .isEqualTo(new Note("from A"));
    }
    vertxA.eventBus().publish("test.notes", new Note("published"), Codecs.LOCAL);
    await().atMost(WAIT).until(() -> receivedOnA.size() == 11);
    assertThat(receivedOnA).startsWith("n0").endsWith("published");
    assertThat(receivedOnB).isEmpty();
  }

  @Test
  @Order(4)
  void specsAreSharedAndOnlyOneNodeClaimsAnother() {
    SpecStore storeA = new SpecStore(vertxA, nodeA.nodeId(), 10);
    SpecStore storeB = new SpecStore(vertxB, nodeB.nodeId(), 10);
    JsonObject spec = new JsonObject().put("topic", "persistent://public/default/t").put("subscription", "s");
    result(storeA.put("instance-1", spec));

    Optional<SpecStore.Entry> seenOnB = result(storeB.get("instance-1"));
    assertThat(seenOnB).contains(new SpecStore.Entry("instance-1", nodeA.nodeId(), spec));
    assertThat(result(storeB.ownedBy(nodeA.nodeId()))).extracting(SpecStore.Entry::id).containsExactly("instance-1");

    SpecStore.Entry stale = seenOnB.orElseThrow();
    assertThat(result(storeB.claim(stale))).isTrue();
    assertThat(result(storeA.claim(stale))).as("the spec changed owner since it was read").isFalse();
    assertThat(result(storeA.get("instance-1")).orElseThrow().owner()).isEqualTo(nodeB.nodeId());

    result(storeB.remove("instance-1"));
    assertThat(result(storeA.get("instance-1"))).isEmpty();
  }

  @Test
  @Order(5)
  void aNodeThatLeavesIsReportedOnTheOther() {
    List<String> departed = new CopyOnWriteArrayList<>();
    result(vertxA.eventBus().<String>localConsumer(Addresses.CLUSTER_NODE_LEFT, m -> departed.add(m.body()))
        .completion());
    String idB = nodeB.nodeId();
    result(vertxB.close());
    vertxB = null;
    nodeB.leave();
    assertThat(nodeB.joined()).isFalse();
    assertThat(nodeB.members()).isEmpty();

    await().atMost(WAIT).until(() -> departed.contains(idB));
    assertThat(departed).containsExactly(idB);
    assertThat(nodeA.members()).containsExactly(nodeA.nodeId());
  }

  private static ClusterConfig config(int port, List<String> members) {
    return new ClusterConfig(true, "127.0.0.1", port, members, Optional.empty(), 0, TlsConfig.DISABLED);
  }

  private static Vertx clustered(ClusterNode node) {
    Vertx vertx = result(Vertx.builder().with(new VertxOptions().setEventBusOptions(node.eventBusOptions()))
        .withClusterManager(node.clusterManager()).buildClustered());
    node.attach(vertx);
    return vertx;
  }

  /** The future's result, waiting at most a minute (from a test thread, never an event loop). */
  static <T> T result(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A TCP port free at the moment, for a member list that names ports up front. */
  static int freePort() {
    return Ports.free();
  }
}
