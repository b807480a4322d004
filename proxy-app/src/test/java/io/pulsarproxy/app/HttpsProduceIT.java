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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The whole proxy with TLS on both listeners: produce over HTTPS (HTTP/2), read back from the broker. */
@ExtendWith(PulsarExtension.class)
class HttpsProduceIT {
  private static final String METRICS_TOKEN = "it-metrics-token";

  private static PulsarBroker broker;
  private static ProxyFixture proxy;
  private static HttpClient https;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    TestCertificates.Authority ca = TestCertificates.authority("proxy IT CA");
    TestCertificates.Issued server = ca.issue("localhost", "localhost", "127.0.0.1");
    JsonObject tls = new JsonObject()
        .put("certFile", server.writeCert(dir.resolve("server.crt")).toString())
        .put("keyFile", server.writeKey(dir.resolve("server.key")).toString());
    proxy = ProxyFixture.start(dir, broker.serviceUrl(), cfg("http", "tls", tls)
        .mergeIn(cfg("management", "tls", tls.copy(), "metricsToken", METRICS_TOKEN)));
    // Java's client verifies the host name against the certificate and offers HTTP/2 through ALPN. The connect
    // timeout covers the TLS handshake, whose first run in a cold JVM is slow on a busy machine.
    https = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(60)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
  }

  private static String url(String path) {
    return "https://localhost:" + proxy.app.httpPort() + path;
  }

  private static HttpResponse<String> produce(String topic, String json) throws Exception {
    return https.send(HttpRequest.newBuilder(URI.create(url(producePath(topic))))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void producesOverHttpsAndTheBrokerHasTheMessages() throws Exception {
    String topic = broker.uniqueTopic("https");
    double producedBefore = producedOk();

    HttpResponse<String> response = produce(topic,
        "{\"messages\":[{\"text\":\"over tls 1\"},{\"text\":\"over tls 2\",\"key\":\"k\"}]}");

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
    assertThat(producedOk()).isEqualTo(producedBefore + 2);
  }

  @Test
  void managementOverHttpsWantsTheTokenForMetricsOnly() throws Exception {
    assertThat(management("/metrics", null).statusCode()).isEqualTo(401);
    assertThat(management("/metrics", "Bearer " + METRICS_TOKEN).statusCode()).isEqualTo(200);
    assertThat(management("/health/ready", null).statusCode()).isEqualTo(200);
    assertThat(management("/health/live", null).statusCode()).isEqualTo(200);
  }

  private static HttpResponse<String> management(String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("https://localhost:" + proxy.app.managementPort() + path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code pulsar_proxy_messages_produced_total{outcome="ok"}} as scraped over HTTPS with the token (0 if absent). */
  private static double producedOk() throws Exception {
    HttpResponse<String> metrics = management("/metrics", "Bearer " + METRICS_TOKEN);
    assertThat(metrics.statusCode()).isEqualTo(200);
    Matcher m = Pattern.compile("(?m)^pulsar_proxy_messages_produced_total\\{outcome=\"ok\"} (\\S+)$")
        .matcher(metrics.body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /**
   * More SSE streams than a browser opens to one origin over HTTP/1.1 (six), all over HTTP/2 (Java's client makes them
   * streams of the connection the produce request opened), and every one gets the message.
   */
  @Test
  void moreSseStreamsThanSixRunOverHttp2() throws Exception {
    String topic = broker.uniqueTopic("https-sse");
    HttpResponse<String> produced = produce(topic, "{\"messages\":[{\"text\":\"to every stream\"}]}");
    assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);
    String id = json(produced).getJsonArray("results").getJsonObject(0).getString("messageId");
    int streams = 8;
    List<CompletableFuture<HttpResponse<Stream<String>>>> opened = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      String path = "/api/v1/topics/" + topic.replace("://", "/") + "/subscriptions/sse-" + i
          + "/events?initialPosition=Earliest&format=json";
      opened.add(https.sendAsync(HttpRequest.newBuilder(URI.create(url(path))).header("Accept", "text/event-stream")
          .build(), HttpResponse.BodyHandlers.ofLines()));
    }
    List<HttpResponse<Stream<String>>> responses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<Stream<String>>> f : opened) {
      HttpResponse<Stream<String>> response = f.get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      responses.add(response);
    }

    List<CompletableFuture<String>> firstData = new ArrayList<>();
    for (HttpResponse<Stream<String>> response : responses) {
      firstData.add(CompletableFuture.supplyAsync(() -> response.body()
          .filter(line -> line.startsWith("data:")).findFirst().orElse("<stream ended>")));
    }
    for (CompletableFuture<String> data : firstData) {
      assertThat(data.get(60, TimeUnit.SECONDS)).contains("\"messageId\":\"" + id + "\"");
    }
    responses.forEach(r -> r.body().close());
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
