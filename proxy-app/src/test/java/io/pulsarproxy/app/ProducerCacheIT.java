package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The producer cache is bounded and closes idle producers; the broker's own stats are the witness. */
@ExtendWith(PulsarExtension.class)
class ProducerCacheIT {
  private static final String ONE = "{\"messages\":[{\"text\":\"x\"}]}";

  @Test
  void closesTheLeastRecentlyUsedProducerAtTheLimit(PulsarBroker broker, @TempDir Path dir) throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(),
        cfg("producer", "cacheMaxProducers", 2, "cacheIdleTimeout", "1h"))) {
      String a = broker.uniqueTopic("lru-a");
      String b = broker.uniqueTopic("lru-b");
      String c = broker.uniqueTopic("lru-c");
      for (String topic : new String[] {a, b, a, c}) {
        assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200);
      }
      // b was the least recently used when c needed a producer.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(broker.admin().topics().getStats(b).getPublishers()).isEmpty());
      assertThat(broker.admin().topics().getStats(a).getPublishers()).hasSize(1);
      assertThat(broker.admin().topics().getStats(c).getPublishers()).hasSize(1);
      assertThat(proxy.get(proxy.managementUrl("/metrics")).body()).contains("pulsar_proxy_producers_cached 2.0");
    }
  }

  @Test
  void closesProducersThatStayIdle(PulsarBroker broker, @TempDir Path dir) throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), cfg("producer", "cacheIdleTimeout", "5s"))) {
      String topic = broker.uniqueTopic("idle");
      assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200);
      assertThat(broker.admin().topics().getStats(topic).getPublishers()).hasSize(1);
      // Idle for long enough that a busy machine does not evict it before the line above looks.
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(broker.admin().topics().getStats(topic).getPublishers()).isEmpty());
      // and a new request simply gets a new producer
      assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200);
      assertThat(broker.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(2);
    }
  }
}
