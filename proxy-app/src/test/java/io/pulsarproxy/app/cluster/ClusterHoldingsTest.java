package io.pulsarproxy.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.pulsarproxy.config.ClusterConfig;
import io.pulsarproxy.config.TlsConfig;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster-wide counts on one Hazelcast member, with two node ids standing for two nodes (the map and its entry
 * processors are the same wherever the entries live): the limit across nodes, giving back, and a departed node's
 * holdings given back. Needs nothing running; across processes it is {@code ClusterLimitsIT}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterHoldingsTest {
  private static HazelcastInstance hazelcast;

  @BeforeAll
  static void start() throws Exception {
    int port = ClusterNodeTest.freePort();
    hazelcast = Hazelcast.newHazelcastInstance(ClusterNode.hazelcastConfig(new ClusterConfig(true, "127.0.0.1", port,
        List.of("127.0.0.1:" + port), Optional.empty(), 0, TlsConfig.DISABLED), "test"));
  }

  @AfterAll
  static void stop() {
    hazelcast.shutdown();
  }

  private static boolean acquire(ClusterHoldings node, String name, int limit) {
    return ClusterNodeTest.result(node.tryAcquire(name, limit));
  }

  @Test
  void theLimitHoldsAcrossNodesAndWhatIsGivenBackCanBeTakenAgain() {
    ClusterHoldings a = new ClusterHoldings(hazelcast, "node-a");
    ClusterHoldings b = new ClusterHoldings(hazelcast, "node-b");
    String name = "httpConsumer.maxInstances";
    assertThat(acquire(a, name, 2)).isTrue();
    assertThat(acquire(b, name, 2)).isTrue();
    assertThat(acquire(a, name, 2)).isFalse();
    assertThat(acquire(b, name, 2)).isFalse();
    assertThat(a.held(name)).isEqualTo(2);
    // A lower limit after a reload refuses, a higher one admits.
    assertThat(acquire(b, name, 3)).isTrue();
    assertThat(acquire(b, name, 3)).isFalse();

    b.release(name);
    b.release(name);
    await().atMost(Duration.ofSeconds(30)).until(() -> a.held(name) == 1);
    assertThat(acquire(a, name, 2)).isTrue();
    a.release(name);
    a.release(name);
    await().atMost(Duration.ofSeconds(30)).until(() -> a.held(name) == 0);
    assertThat(hazelcast.getMap(ClusterHoldings.MAP).containsKey(name)).as("nobody holds it: no entry").isFalse();
    // Giving back what a node does not hold takes nothing from the others.
    assertThat(acquire(a, name, 1)).isTrue();
    b.release(name);
    assertThat(acquire(b, name, 1)).isFalse();
    a.release(name);
  }

  @Test
  void aDepartedNodesHoldingsAreGivenBack() {
    ClusterHoldings a = new ClusterHoldings(hazelcast, "node-c");
    ClusterHoldings dead = new ClusterHoldings(hazelcast, "node-dead");
    String instances = "quotas.maxWebSockets|alice";
    String other = "quotas.maxSseStreams|alice";
    assertThat(acquire(dead, instances, 3)).isTrue();
    assertThat(acquire(dead, instances, 3)).isTrue();
    assertThat(acquire(a, instances, 3)).isTrue();
    assertThat(acquire(dead, other, 1)).isTrue();
    assertThat(acquire(a, instances, 3)).isFalse();

    a.forget("node-dead");
    assertThat(a.held(instances)).isEqualTo(1);
    assertThat(a.held(other)).isZero();
    assertThat(hazelcast.getMap(ClusterHoldings.MAP).containsKey(other)).isFalse();
    assertThat(acquire(a, instances, 3)).isTrue();
    assertThat(acquire(a, other, 1)).isTrue();
    // Idempotent: every survivor forgets it.
    a.forget("node-dead");
    assertThat(a.held(instances)).isEqualTo(2);
  }

  @Test
  void concurrentAcquisitionsFromTwoNodesNeverPassTheLimit() {
    ClusterHoldings a = new ClusterHoldings(hazelcast, "node-e");
    ClusterHoldings b = new ClusterHoldings(hazelcast, "node-f");
    String name = "quotas.maxConsumerInstances|bob";
    List<Future<Boolean>> asked = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      asked.add((i % 2 == 0 ? a : b).tryAcquire(name, 25));
    }
    long granted = asked.stream().filter(ClusterNodeTest::result).count();
    assertThat(granted).isEqualTo(25);
    assertThat(a.held(name)).isEqualTo(25);
  }
}
