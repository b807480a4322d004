package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Changes to the configuration file are applied to the running proxy, without a restart. */
@ExtendWith(PulsarExtension.class)
class ConfigReloadIT {

  @Test
  void appliesNewProducerDefaultsAndLogLevelWithoutRestart(PulsarBroker broker, @TempDir Path dir) throws Exception {
    String topic = broker.uniqueTopic("reload");
    // Batches of exactly two messages, flushed when full: the two messages of one request share a batch.
    JsonObject batching = cfg("producer", "batchingEnabled", true, "batchingMaxMessages", 2,
        "batchingMaxPublishDelay", "10s").mergeIn(cfg("log", "level", "INFO"));
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), batching)) {
      String two = "{\"messages\":[{\"text\":\"a\"},{\"text\":\"b\"}]}";
      HttpResponse<String> before = proxy.postJson(producePath(topic), two);
      assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
      // A batching producer puts both messages of one request in one batch: their ids carry a batch index.
      assertThat(json(before).getJsonArray("results").getJsonObject(1).getInteger("batchIndex")).isEqualTo(1);
      String producerBefore = broker.admin().topics().getStats(topic).getPublishers().get(0).getProducerName();
      Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      assertThat(root.getLevel()).isEqualTo(Level.INFO);

      proxy.rewriteConfig(broker.serviceUrl(),
          cfg("producer", "batchingEnabled", false).mergeIn(cfg("log", "level", "DEBUG")));

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        HttpResponse<String> after = proxy.postJson(producePath(topic), two);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(json(after).getJsonArray("results").getJsonObject(1).getInteger("batchIndex")).isEqualTo(-1);
      });
      assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
      // The cached producer was replaced by one with the new defaults, and the old one closed.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        var publishers = broker.admin().topics().getStats(topic).getPublishers();
        assertThat(publishers).hasSize(1);
        assertThat(publishers.get(0).getProducerName()).isNotEqualTo(producerBefore);
      });
      assertThat(proxy.app.config().producer().batchingEnabled()).isFalse();
    }
  }

  @Test
  void keepsTheRunningConfigOnAnInvalidChangeAndAppliesTheNextValidOne(PulsarBroker broker, @TempDir Path dir) throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), cfg("http", "maxMessagesPerRequest", 2))) {
      ProxyFixture.writeAtomically(proxy.configFile, "http:\n  maxMessagesPerRequest: -1\n  port: 0\n");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(proxy.get(proxy.managementUrl("/metrics"))
          .body()).contains("pulsar_proxy_config_reloads_total{outcome=\"rejected\"} 1.0"));
      assertThat(proxy.app.config().http().maxMessagesPerRequest()).isEqualTo(2);
      // Then a valid change: the watcher went on.
      proxy.rewriteConfig(broker.serviceUrl(), cfg("http", "maxMessagesPerRequest", 1));
      String three = "{\"messages\":[{\"text\":\"1\"},{\"text\":\"2\"}]}";
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(proxy.postJson(producePath(broker.uniqueTopic("limits")), three).statusCode()).isEqualTo(400));
      assertThat(proxy.app.config().http().maxMessagesPerRequest()).isEqualTo(1);
      assertThat(proxy.get(proxy.managementUrl("/metrics")).body())
          .contains("pulsar_proxy_config_reloads_total{outcome=\"applied\"} 1.0");
    }
  }
}
