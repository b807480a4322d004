package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PulsarExtension.class)
class ReadinessIT {

  @Test
  void readyOnlyWhileTheBrokerAnswers(PulsarBroker broker, @TempDir Path dir) throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), new JsonObject())) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(proxy.get(proxy.managementUrl("/health/ready")).statusCode()).isEqualTo(200));
      assertThat(proxy.get(proxy.managementUrl("/health/live")).statusCode()).isEqualTo(200);
    }
  }

  /**
   * A broker that is not there when the proxy starts: not ready, produce answers 503; once a broker appears on that
   * address, ready and producing without a restart; killed again, not ready; restarted, ready again.
   */
  @Test
  void followsABrokerThatAppearsDisappearsAndReturns(@TempDir Path dir) throws Exception {
    int brokerPort = portForALaterBroker();
    try (ProxyFixture proxy = ProxyFixture.start(dir, "pulsar://127.0.0.1:" + brokerPort,
        ProxyFixture.cfg("pulsar", "operationTimeout", "5s", "connectionTimeout", "1s"))) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        HttpResponse<String> ready = proxy.get(proxy.managementUrl("/health/ready"));
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(json(ready).getString("status")).isEqualTo("DOWN");
        assertThat(json(ready).getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("state"))
            .isEqualTo("DOWN");
      });
      HttpResponse<String> refused = proxy.postJson(producePath("persistent://public/default/early"),
          "{\"messages\":[{\"text\":\"x\"}]}");
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();

      try (StandalonePulsar pulsar = StandalonePulsar.startNew(dir.resolve("pulsar"), brokerPort, 0)) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(proxy.get(proxy.managementUrl("/health/ready")).statusCode()).isEqualTo(200));
        String topic = pulsar.uniqueTopic("appears");
        HttpResponse<String> ok = proxy.postJson(producePath(topic), "{\"messages\":[{\"text\":\"x\"}]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);

        pulsar.kill();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(proxy.get(proxy.managementUrl("/health/ready")).statusCode()).isEqualTo(503));

        pulsar.start();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(proxy.get(proxy.managementUrl("/health/ready")).statusCode()).isEqualTo(200));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          HttpResponse<String> again = proxy.postJson(producePath(topic), "{\"messages\":[{\"text\":\"y\"}]}");
          assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        });
        assertThat(pulsar.admin().topics().getStats(topic).getMsgInCounter()).isGreaterThanOrEqualTo(1);
      }
    }
  }

  /**
   * The broker port, chosen before the broker exists (the proxy must point at it first), so it cannot be held until
   * then. It is taken below the kernel's ephemeral range: a port from that range, which is what binding port 0 gives,
   * is handed to outgoing connections and to other tests' listeners all the time, while a port below it is only
   * ever taken by an explicit bind. (Its web port the broker picks itself, at start.)
   */
  private static int portForALaterBroker() throws IOException {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    // readAllLines, not readString: a /proc file reports size 0, and readString then returns its first byte only.
    int ephemeralLow = Files.isReadable(range)
        ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]) : 32768;
    if (ephemeralLow < 10_000) {
      ephemeralLow = 32768;
    }
    int low = ephemeralLow / 2;
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(low, ephemeralLow);
      try (ServerSocket socket = new ServerSocket(port)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port below " + ephemeralLow);
  }
}
