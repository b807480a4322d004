package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.BrokerTls;
import io.pulsarproxy.testkit.StandalonePulsar;
import io.pulsarproxy.testkit.TestCertificates;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's side of {@code pulsar+ssl://}: one standalone whose TLS port requires a client certificate of the test
 * CA, and proxies that connect to it with a trust bundle, hostname verification and (or without) a client certificate.
 * What the proxy produces and consumes over TLS is read back over the broker's plain port; a proxy that cannot
 * complete the handshake is not ready and answers clients 503 without any Java text.
 */
class BrokerTlsIT {
  @TempDir
  static Path dir;
  private static StandalonePulsar broker;
  private static Path trustFile;
  private static Path certFile;
  private static Path keyFile;

  @BeforeAll
  static void start() throws Exception {
    TestCertificates.Authority ca = TestCertificates.authority("broker TLS IT CA");
    broker = StandalonePulsar.startNew(dir.resolve("pulsar"), null, BrokerTls.requiringClientCertificates(ca));
    Path certs = Files.createDirectories(dir.resolve("client"));
    trustFile = ca.writeCert(certs.resolve("ca.crt"));
    TestCertificates.Issued client = ca.issue("pulsar-proxy");
    certFile = client.writeCert(certs.resolve("proxy.crt"));
    keyFile = client.writeKey(certs.resolve("proxy.key"));
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  private static ProxyFixture proxy(Path proxyDir, JsonObject tls) throws Exception {
    return ProxyFixture.start(proxyDir, broker.serviceUrlTls(),
        cfg("pulsar", "tls", tls, "probeInterval", "500ms", "operationTimeout", "5s", "connectionTimeout", "2s"));
  }

  private static String readiness(ProxyFixture proxy) {
    HttpResponse<String> ready = proxy.get(proxy.managementUrl("/health/ready"));
    return json(ready).getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("state");
  }

  @Test
  void producesAndConsumesOverMutualTlsWithHostnameVerification(@TempDir Path proxyDir) throws Exception {
    try (ProxyFixture proxy = proxy(proxyDir, new JsonObject().put("trustFile", trustFile.toString())
        .put("certFile", certFile.toString()).put("keyFile", keyFile.toString()).put("hostnameVerification", true))) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(proxy.get(proxy.managementUrl("/health/ready")).statusCode()).isEqualTo(200));
      String topic = broker.uniqueTopic("over-tls");

      HttpResponse<String> produced = proxy.postJson(producePath(topic),
          "{\"messages\":[{\"text\":\"over pulsar+ssl 1\"},{\"text\":\"over pulsar+ssl 2\"}]}");

      assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);
      List<String> ids = json(produced).getJsonArray("results").stream()
          .map(r -> ((JsonObject) r).getString("messageId")).toList();
      assertThat(ProxyFixture.textsInTopic(broker, topic)).containsExactly("over pulsar+ssl 1", "over pulsar+ssl 2");
      assertThat(ProxyFixture.idsInTopic(broker, topic)).containsExactlyInAnyOrderElementsOf(ids);

      ConsumeHttp http = new ConsumeHttp(proxy);
      List<JsonObject> consumed = http.pollUntil(
          http.create(subscription(topic, "tls-sub", "Exclusive").put("format", "text")), 2);
      assertThat(consumed).extracting(m -> m.getString("text")).containsExactly("over pulsar+ssl 1", "over pulsar+ssl 2");
      assertThat(ConsumeHttp.ids(consumed)).containsExactlyElementsOf(ids);
    }
  }

  @Test
  void withoutAClientCertificateTheBrokerRefusesAndClientsGetA503(@TempDir Path proxyDir) throws Exception {
    try (ProxyFixture proxy = proxy(proxyDir, new JsonObject().put("trustFile", trustFile.toString()))) {
      assertRefusedCleanly(proxy, "no-client-cert");
    }
  }

  @Test
  void aTrustFileOfAnotherAuthorityFailsCleanly(@TempDir Path proxyDir) throws Exception {
    Path otherCa = TestCertificates.authority("some other CA").writeCert(proxyDir.resolve("other-ca.crt"));
    try (ProxyFixture proxy = proxy(proxyDir, new JsonObject().put("trustFile", otherCa.toString())
        .put("certFile", certFile.toString()).put("keyFile", keyFile.toString()))) {
      assertRefusedCleanly(proxy, "wrong-trust");
    }
  }

  /** Not ready (the probe failed, not merely not run yet), produce is a clean 503, nothing reached the broker. */
  private static void assertRefusedCleanly(ProxyFixture proxy, String prefix) throws Exception {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(readiness(proxy)).isEqualTo("DOWN"));
    assertThat(proxy.get(proxy.managementUrl("/health/ready")).statusCode()).isEqualTo(503);
    String topic = broker.uniqueTopic(prefix);

    HttpResponse<String> refused = proxy.postJson(producePath(topic), "{\"messages\":[{\"text\":\"x\"}]}");

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(json(refused).getString("error")).isEqualTo("BROKER_UNAVAILABLE");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(refused.body()).doesNotContainIgnoringCase("exception").doesNotContain("javax.", "java.", "SSL",
        "certificate", "PKIX");
    assertThat(broker.admin().topics().getList("public/default")).doesNotContain(topic);
  }
}
