package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The runnable jar, as a user starts it: exit codes, environment configuration, SIGTERM. */
@ExtendWith(PulsarExtension.class)
class MainIT {
  private static ProcessBuilder proxyProcess(Path log) {
    return ProxyProcess.command(log);
  }

  @Test
  void invalidConfigurationExits2NamingTheKeyAndValue(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("out.log");
    ProcessBuilder pb = proxyProcess(log);
    pb.environment().put("PROXY_HTTP_PORT", "70000");
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log)).contains("http.port").contains("70000");
  }

  @Test
  void servesFromEnvironmentConfigAndExitsZeroOnSigterm(PulsarBroker broker, @TempDir Path dir) throws Exception {
    Path log = dir.resolve("out.log");
    ProcessBuilder pb = proxyProcess(log);
    pb.environment().put("PROXY_PULSAR_SERVICE_URL", broker.serviceUrl());
    // Port 0: the ports the proxy bound are read from its start line, so none is picked free and taken meanwhile.
    pb.environment().put("PROXY_HTTP_PORT", "0");
    pb.environment().put("PROXY_MANAGEMENT_PORT", "0");
    Process p = pb.start();
    try {
      AtomicReference<Matcher> started = new AtomicReference<>();
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        Matcher m = ProxyProcess.STARTED.matcher(Files.isRegularFile(log) ? Files.readString(log) : "");
        if (m.find()) {
          started.set(m);
        }
        return started.get() != null || !p.isAlive();
      });
      assertThat(started.get()).as(Files.readString(log)).isNotNull();
      int httpPort = Integer.parseInt(started.get().group(1));
      int managementPort = Integer.parseInt(started.get().group(2));
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
      HttpResponse<String> produced = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + httpPort + producePath(broker.uniqueTopic("main"))))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"text\":\"x\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits within the shutdown deadline").isTrue();
      assertThat(p.exitValue()).as(Files.readString(log)).isZero();
      assertThat(Files.readString(log)).contains("Shutting down").contains("Stopped");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void logsJsonLinesWithTheRequestsTraceIdAndAnAccessLine(PulsarBroker broker) throws Exception {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    try (ProxyProcess proxy = ProxyProcess.start("MainIT-jsonLogs", java.util.Map.of(
        "PROXY_PULSAR_SERVICE_URL", broker.serviceUrl(), "PROXY_LOG_FORMAT", "json", "PROXY_LOG_ACCESS", "true"))) {
      String path = producePath(broker.uniqueTopic("json-logs"));
      HttpResponse<String> produced = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path + "?token=secret")))
          .header("Content-Type", "application/json")
          .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
          .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"text\":\"x\"}]}")).build());
      assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        java.util.List<io.vertx.core.json.JsonObject> lines = proxy.log().lines()
            .filter(line -> line.startsWith("{")).map(io.vertx.core.json.JsonObject::new).toList();
        assertThat(lines).as(proxy.log())
            .anySatisfy(line -> assertThat(line.getString("message")).startsWith("pulsar-proxy started"));
        assertThat(lines).as(proxy.log()).anySatisfy(line -> {
          assertThat(line.getString("logger")).isEqualTo("io.pulsarproxy.access");
          assertThat(line.getString("level")).isEqualTo("INFO");
          assertThat(line.getString("trace_id")).isEqualTo(traceId);
          assertThat(line.getString("message")).startsWith("POST " + path + "?token=*** 200 ")
              .contains("trace_id=" + traceId).doesNotContain("secret");
        });
      });
      assertThat(proxy.terminate()).isZero();
    }
  }
}
