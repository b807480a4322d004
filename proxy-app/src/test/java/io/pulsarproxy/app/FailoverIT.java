package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two real clusters: the primary is killed, traffic moves to the secondary, and back when the primary returns. */
@ExtendWith(PulsarExtension.class)
class FailoverIT {
  private static final String ONE = "{\"messages\":[{\"text\":\"x\"}]}";

  @Test
  void failsOverToTheSecondaryAndSwitchesBack(PulsarBroker secondary, @TempDir Path dir) throws Exception {
    String topic = "persistent://public/default/failover-" + Long.toHexString(System.nanoTime());
    try (StandalonePulsar primary = StandalonePulsar.startNew(dir.resolve("primary"));
        ProxyFixture proxy = ProxyFixture.start(dir, primary.serviceUrl(), cfg("pulsar",
            "serviceUrls", new JsonArray().add(primary.serviceUrl()).add(secondary.serviceUrl()),
            "failoverAfter", "2s", "switchBackAfter", "3s", "operationTimeout", "5s", "connectionTimeout", "1s"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> state(proxy).equals("UP"));
      assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200);
      assertThat(primary.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(1);

      primary.kill();
      await().atMost(Duration.ofSeconds(60)).until(() -> state(proxy).equals("FAILED_OVER"));
      HttpResponse<String> ready = proxy.get(proxy.managementUrl("/health/ready"));
      assertThat(ready.statusCode()).isEqualTo(200);
      // The cached producer reconnects to the secondary by itself.
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200));
      long onSecondary = secondary.admin().topics().getStats(topic).getMsgInCounter();
      assertThat(onSecondary).isGreaterThanOrEqualTo(1);

      primary.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> state(proxy).equals("UP"));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200);
        assertThat(primary.admin().topics().getStats(topic).getMsgInCounter()).isGreaterThanOrEqualTo(1);
      });
      assertThat(secondary.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(onSecondary);
    }
  }

  private static String state(ProxyFixture proxy) {
    JsonObject ready = json(proxy.get(proxy.managementUrl("/health/ready")));
    return ready.getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("state");
  }
}
