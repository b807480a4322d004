package io.pulsarproxy.app;

import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A proxy in its own process, as a user starts it: {@code java -jar target/pulsar-proxy.jar} (built by {@code package},
 * which runs before the integration tests) with {@code PROXY_*} settings in its environment. HTTP and management ports
 * are 0 unless given: the ports it bound are read from its start line. Its output goes to
 * {@code target/proxy-processes/<name>.log}, kept for failure reports. {@link #close()} kills it if it still runs.
 */
final class ProxyProcess implements AutoCloseable {
  /** The line the proxy logs once it listens, with the ports it bound. */
  static final Pattern STARTED =
      Pattern.compile("pulsar-proxy started: API http://[^:]+:(\\d+)/api/v1 \\(\\d+ edge instances\\), "
          + "management http://[^:]+:(\\d+)/metrics");
  static final Path JAR = Path.of("target", "pulsar-proxy.jar");
  private static final Path LOGS = Path.of("target", "proxy-processes");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final String name;
  private final Process process;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private int httpPort;
  private int managementPort;

  private ProxyProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** {@code java -jar target/pulsar-proxy.jar}, its output (stdout and stderr) written to {@code log}. */
  static ProcessBuilder command(Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // C1 only: a test's proxy lives for seconds to a minute, where C2's compilations cost more CPU than they save.
    return new ProcessBuilder(java, "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
  }

  /**
   * Starts a proxy with {@code env} added to this process' environment and waits until it answers 200 on
   * {@code /health/ready}.
   *
   * @param name names the log file; unique within the test run, e.g. {@code ClusterIT-formsOneCluster-a}
   */
  static ProxyProcess start(String name, Map<String, String> env) throws IOException {
    Files.createDirectories(LOGS);
    Path log = LOGS.resolve(name + ".log");
    ProcessBuilder builder = command(log);
    builder.environment().put("PROXY_HTTP_PORT", "0");
    builder.environment().put("PROXY_MANAGEMENT_PORT", "0");
    builder.environment().putAll(env);
    ProxyProcess proxy = new ProxyProcess(name, builder.start(), log);
    try {
      proxy.awaitReady();
    } catch (RuntimeException | AssertionError e) {
      proxy.close();
      throw new AssertionError(name + " did not get ready; its log:\n" + proxy.log(), e);
    }
    return proxy;
  }

  private void awaitReady() {
    AtomicReference<Matcher> started = new AtomicReference<>();
    await().atMost(START_TIMEOUT).until(() -> {
      Matcher m = STARTED.matcher(log());
      if (m.find()) {
        started.set(m);
      }
      return started.get() != null || !process.isAlive();
    });
    if (started.get() == null) {
      throw new AssertionError(name + " exited with status " + process.exitValue() + " before it started");
    }
    httpPort = Integer.parseInt(started.get().group(1));
    managementPort = Integer.parseInt(started.get().group(2));
    await().atMost(START_TIMEOUT).until(() -> get(managementUrl("/health/ready")).statusCode() == 200);
  }

  /** A TCP port free at the moment, for settings that cannot be 0 (a cluster member list names ports up front). */
  static int freePort() {
    return Ports.free();
  }

  int httpPort() {
    return httpPort;
  }

  int managementPort() {
    return managementPort;
  }

  String url(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  String managementUrl(String path) {
    return "http://127.0.0.1:" + managementPort + path;
  }

  /** Everything the process wrote so far. */
  String log() {
    try {
      return Files.isRegularFile(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code GET /health/ready}'s body. */
  JsonObject readiness() {
    return new JsonObject(get(managementUrl("/health/ready")).body());
  }

  /** The data of one check of {@code /health/ready} ({@code pulsar}, {@code cluster}). */
  JsonObject readinessCheck(String id) {
    return readiness().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> id.equals(check.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no readiness check " + id + " in " + readiness()))
        .getJsonObject("data");
  }

  /** The value of a meter in {@code /metrics}: the first series whose line starts with {@code series}. */
  double metric(String series) {
    return get(managementUrl("/metrics")).body().lines().filter(line -> line.startsWith(series))
        .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
        .orElseThrow(() -> new AssertionError("no series " + series + " in /metrics"));
  }

  HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build());
  }

  HttpResponse<String> postJson(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> send(HttpRequest request) {
    return send(http, request);
  }

  /** Sends {@code request} and reads the body as a string; I/O failures unchecked, for assertions in tests. */
  static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, and waits for the exit; completes with the exit status. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not exit within 60 s of SIGTERM; its log:\n" + log());
    }
    return process.exitValue();
  }

  /** SIGKILL: the process ends at once, without a word to anyone. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
