package io.pulsarproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ManagementConfig;
import io.pulsarproxy.testkit.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The management listener: the metrics token, open health endpoints, HTTPS. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MetricsVerticleTest {
  private static final String TOKEN = "scrape-t0ken";

  @TempDir
  Path dir;

  private Vertx vertx;
  private PrometheusMeterRegistry registry;

  /** What a status reply from the supervisor carries; readiness is asked for it. */
  @BeforeEach
  void supervisorIsUp(Vertx vertx) {
    this.vertx = vertx;
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx.eventBus().consumer(Addresses.PULSAR_STATUS, msg -> msg.reply(new JsonObject().put("state", "UP")));
  }

  private int start(JsonObject management) {
    ManagementConfig config = ConfigLoader.build(new JsonObject().put("management",
        management.put("host", "127.0.0.1").put("port", 0))).management();
    MetricsVerticle verticle = new MetricsVerticle(config, registry, new ProxyMetrics(registry));
    await(vertx.deployVerticle(verticle));
    return verticle.actualPort();
  }

  private record Answer(int status, String body, String authenticate) {}

  private Answer get(HttpClientOptions options, int port, String path, String authorization) {
    HttpClientAgent client = vertx.createHttpClient(options);
    try {
      RequestOptions request = new RequestOptions().setHost("localhost").setPort(port).setURI(path);
      if (authorization != null) {
        request.putHeader("Authorization", authorization);
      }
      return await(client.request(request).compose(r -> r.send())
          .compose(response -> response.body().map(body -> new Answer(response.statusCode(), body.toString(),
              response.getHeader("WWW-Authenticate")))));
    } finally {
      client.close();
    }
  }

  @Test
  void metricsNeedTheTokenHealthDoesNot() {
    int port = start(new JsonObject().put("metricsToken", TOKEN));
    HttpClientOptions plain = new HttpClientOptions();

    Answer none = get(plain, port, "/metrics", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.authenticate()).startsWith("Bearer");
    assertThat(none.body()).doesNotContain("pulsar_proxy").doesNotContain(TOKEN);
    assertThat(get(plain, port, "/metrics", "Bearer wrong-token").status()).isEqualTo(401);
    assertThat(get(plain, port, "/metrics", "Basic " + TOKEN).status()).isEqualTo(401);

    Answer scraped = get(plain, port, "/metrics", "Bearer " + TOKEN);
    assertThat(scraped.status()).isEqualTo(200);
    assertThat(scraped.body()).contains("pulsar_proxy_messages_consumed_total");

    assertThat(get(plain, port, "/health/live", null).status()).isEqualTo(200);
    assertThat(get(plain, port, "/health/ready", null).status()).isEqualTo(200);
  }

  @Test
  void metricsAreOpenWithoutAToken() {
    int port = start(new JsonObject());

    assertThat(get(new HttpClientOptions(), port, "/metrics", null).status()).isEqualTo(200);
  }

  @Test
  void servesHttpsWhenACertificateIsConfigured() {
    TestCertificates.Authority ca = TestCertificates.authority("management test CA");
    TestCertificates.Issued server = ca.issue("localhost", "localhost", "127.0.0.1");
    int port = start(new JsonObject().put("metricsToken", TOKEN).put("tls", new JsonObject()
        .put("certFile", server.writeCert(dir.resolve("mgmt.crt")).toString())
        .put("keyFile", server.writeKey(dir.resolve("mgmt.key")).toString())));
    HttpClientOptions https = new HttpClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca.certificatePem())));

    assertThat(get(https, port, "/health/live", null).status()).isEqualTo(200);
    assertThat(get(https, port, "/metrics", null).status()).isEqualTo(401);
    assertThat(get(https, port, "/metrics", "Bearer " + TOKEN).status()).isEqualTo(200);
    assertThat(catchThrowable(() -> get(new HttpClientOptions(), port, "/health/live", null)))
        .as("plain HTTP on the TLS port").isNotNull();
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getCause() == null ? e : e.getCause());
    }
  }
}
