package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The runnable jar, as a user starts it: exit codes, environment configuration, SIGTERM. */
@ExtendWith(PulsarExtension.class)
class MainIT {
  private static final Path JAR = Path.of("target", "pulsar-proxy.jar");

  private static ProcessBuilder proxyProcess(Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-jar", JAR.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
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
    int httpPort = freePort();
    int managementPort = freePort();
    Path log = dir.resolve("out.log");
    ProcessBuilder pb = proxyProcess(log);
    pb.environment().put("PROXY_PULSAR_SERVICE_URL", broker.serviceUrl());
    pb.environment().put("PROXY_HTTP_PORT", Integer.toString(httpPort));
    pb.environment().put("PROXY_MANAGEMENT_PORT", Integer.toString(managementPort));
    Process p = pb.start();
    try {
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

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
