package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.pulsarproxy.testkit.TestCertificates;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The whole proxy with TLS on both listeners: produce over HTTPS (HTTP/2), read back from the broker. */
@ExtendWith(PulsarExtension.class)
class HttpsProduceIT {
  private static final String METRICS_TOKEN = "it-metrics-token";

  @Test
  void producesOverHttpsAndTheBrokerHasTheMessages(PulsarBroker broker, @TempDir Path dir) throws Exception {
    TestCertificates.Authority ca = TestCertificates.authority("proxy IT CA");
    TestCertificates.Issued server = ca.issue("localhost", "localhost", "127.0.0.1");
    JsonObject tls = new JsonObject()
        .put("certFile", server.writeCert(dir.resolve("server.crt")).toString())
        .put("keyFile", server.writeKey(dir.resolve("server.key")).toString());
    JsonObject overrides = cfg("http", "tls", tls)
        .mergeIn(cfg("management", "tls", tls.copy(), "metricsToken", METRICS_TOKEN));
    // Java's client verifies the host name against the certificate and offers HTTP/2 through ALPN.
    HttpClient https = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(60))
        .build();
    String topic = broker.uniqueTopic("https");

    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), overrides)) {
      URI produce = URI.create("https://localhost:" + proxy.app.httpPort() + producePath(topic));
      HttpResponse<String> response = https.send(HttpRequest.newBuilder(produce)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"messages\":[{\"text\":\"over tls 1\"},{\"text\":\"over tls 2\",\"key\":\"k\"}]}"))
          .build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      JsonArray results = json(response).getJsonArray("results");
      assertThat(results).hasSize(2);

      List<Message<byte[]>> stored = readAll(broker, topic);
      assertThat(stored).extracting(m -> new String(m.getValue(), StandardCharsets.UTF_8))
          .containsExactly("over tls 1", "over tls 2");
      assertThat(stored.get(1).getKey()).isEqualTo("k");
      for (int i = 0; i < 2; i++) {
        assertThat(results.getJsonObject(i).getString("messageId"))
            .isEqualTo(MessageIds.encode(stored.get(i).getMessageId()));
      }

      String management = "https://localhost:" + proxy.app.managementPort();
      assertThat(https.send(HttpRequest.newBuilder(URI.create(management + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
      HttpResponse<String> metrics = https.send(HttpRequest.newBuilder(URI.create(management + "/metrics"))
          .header("Authorization", "Bearer " + METRICS_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("pulsar_proxy_messages_produced_total{outcome=\"ok\"} 2.0");
      assertThat(https.send(HttpRequest.newBuilder(URI.create(management + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
  }

  private static List<Message<byte[]>> readAll(PulsarBroker broker, String topic) throws Exception {
    List<Message<byte[]>> messages = new ArrayList<>();
    try (PulsarClient client = broker.newClient();
        Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      while (reader.hasMessageAvailable()) {
        messages.add(reader.readNext(10, TimeUnit.SECONDS));
      }
    }
    return messages;
  }
}
