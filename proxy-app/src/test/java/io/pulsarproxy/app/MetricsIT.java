package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PulsarExtension.class)
class MetricsIT {

  @Test
  void exportsProxyAndHttpServerMetricsInPrometheusFormat(PulsarBroker broker, @TempDir Path dir) throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), new JsonObject())) {
      String topic = broker.uniqueTopic("metrics");
      assertThat(proxy.postJson(producePath(topic), "{\"messages\":[{\"text\":\"abc\"},{\"text\":\"de\"}]}")
          .statusCode()).isEqualTo(200);
      assertThat(proxy.postJson(producePath(topic), "{\"messages\":[]}").statusCode()).isEqualTo(400);

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        HttpResponse<String> metrics = proxy.get(proxy.managementUrl("/metrics"));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
            .contains("pulsar_proxy_messages_produced_total{outcome=\"ok\"} 2.0")
            .contains("pulsar_proxy_bytes_produced_bytes_total{outcome=\"ok\"} 5.0")
            .contains("pulsar_proxy_produce_latency_seconds_bucket")
            .contains("pulsar_proxy_producers_cached 1.0")
            .contains("pulsar_proxy_broker_up 1.0")
            .contains("pulsar_proxy_broker_state{state=\"UP\"} 1.0")
            .contains("pulsar_proxy_requests_rejected_total{code=\"bad_request\"} 1.0")
            .contains("vertx_http_server_requests_total");
      });
    }
  }
}
