package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.supervisor.BrokerStatus;
import io.pulsarproxy.testkit.StandalonePulsar;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker too slow to answer one probe in time is not taken for down (which would refuse every request and take
 * the proxy out of its load balancer); one that stops answering is, at the second probe without an answer. The broker
 * is frozen with SIGSTOP: its connections stay open and nothing answers, as when it hangs or is starved of CPU.
 */
class SlowBrokerIT {
  private static final String ONE = "{\"messages\":[{\"text\":\"x\"}]}";

  @Test
  void oneUnansweredProbeIsNotDownTwoInARowAre(@TempDir Path dir) throws Exception {
    try (StandalonePulsar broker = StandalonePulsar.startNew(dir.resolve("pulsar"));
        ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), cfg("pulsar", "probeInterval", "5s"))) {
      List<String> states = new CopyOnWriteArrayList<>();
      MessageConsumer<BrokerStatus> watch = proxy.app.vertx().eventBus()
          .localConsumer(Addresses.PULSAR_STATE, m -> states.add(m.body().state().name()));
      watch.completion().toCompletionStage().toCompletableFuture().get();
      String topic = broker.uniqueTopic("slow");
      assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(60)).until(() -> probes(proxy, "answered") >= 1);

      // Frozen for one probe's time-out, then back.
      double unanswered = probes(proxy, "unanswered");
      broker.pause();
      try {
        await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(60))
            .until(() -> probes(proxy, "unanswered") > unanswered);
      } finally {
        broker.resume();
      }
      double answered = probes(proxy, "answered");
      await().atMost(Duration.ofSeconds(60)).until(() -> probes(proxy, "answered") > answered);
      assertThat(states).as("states published while the broker missed one probe").doesNotContain("DOWN");
      assertThat(proxy.get(proxy.managementUrl("/health/ready")).statusCode()).isEqualTo(200);
      HttpResponse<String> produced = proxy.postJson(producePath(topic), ONE);
      assertThat(produced.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(produced.body()).getJsonArray("results").getJsonObject(0).getString("messageId"))
          .isNotBlank();

      // Frozen for good: down at the second probe without an answer.
      double before = probes(proxy, "unanswered");
      broker.pause();
      try {
        await().atMost(Duration.ofSeconds(90))
            .until(() -> proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 503);
        assertThat(probes(proxy, "unanswered")).isGreaterThanOrEqualTo(before + 2);
        assertThat(states).contains("DOWN");
        assertThat(proxy.get(proxy.managementUrl("/health/ready")).body()).contains("no answer from the broker");
      } finally {
        broker.resume();
      }
      await().atMost(Duration.ofSeconds(60))
          .until(() -> proxy.get(proxy.managementUrl("/health/ready")).statusCode() == 200);
      assertThat(proxy.postJson(producePath(topic), ONE).statusCode()).isEqualTo(200);
      watch.unregister();
    }
  }

  /** {@code pulsar_proxy_probes_total{outcome=…}} from the proxy's /metrics. */
  private static double probes(ProxyFixture proxy, String outcome) {
    String metrics = proxy.get(proxy.managementUrl("/metrics")).body();
    Matcher m = Pattern.compile("^pulsar_proxy_probes_total\\{[^}]*outcome=\"" + outcome + "\"[^}]*} (\\S+)$",
        Pattern.MULTILINE).matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
