package io.pulsarproxy.app;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.pulsarproxy.config.ConfigVerticle;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.SharedPulsar;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;

/**
 * Runs the whole proxy in-process against a broker, configured through a real YAML file, for integration tests.
 *
 * <p>The proxy runs {@link #EDGE_INSTANCES} edge instances, and {@link #send} takes turns among as many HTTP clients,
 * each with connections of its own: Vert.x hands each new connection to the next edge instance, so consecutive
 * requests of a test reach different instances, as behind a load balancer (a consumer instance created through one is
 * polled through another; limits are counted across them).
 */
final class ProxyFixture implements AutoCloseable {
  static final int EDGE_INSTANCES = 4;

  final ProxyApp app;
  final Path configFile;
  final HttpClient http = newClient();
  private final List<HttpClient> clients = Stream.generate(ProxyFixture::newClient).limit(EDGE_INSTANCES).toList();
  private final AtomicInteger turn = new AtomicInteger();

  private ProxyFixture(ProxyApp app, Path configFile) {
    this.app = app;
    this.configFile = configFile;
  }

  /**
   * Starts the proxy with a configuration file that points at {@code serviceUrl}, listens on free ports and carries
   * {@code overrides} (section → key → value), e.g. {@code cfg("http", "maxBodySize", "4KB")}. The file is written
   * as JSON, which is valid YAML.
   */
  static ProxyFixture start(Path dir, String serviceUrl, JsonObject overrides) throws Exception {
    return start(dir, serviceUrl, overrides, null);
  }

  /** Like {@link #start(Path, String, JsonObject)}, with every recorded span handed to {@code spans} too. */
  static ProxyFixture start(Path dir, String serviceUrl, JsonObject overrides, SpanExporter spans) throws Exception {
    Path file = dir.resolve("proxy.yaml");
    writeConfig(file, serviceUrl, overrides);
    ConfigVerticle config = new ConfigVerticle(file, Map.of(), new Properties(), Duration.ofMillis(100));
    ProxyApp app = ProxyApp.start(config, spans).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new ProxyFixture(app, file);
  }

  static void writeConfig(Path file, String serviceUrl, JsonObject overrides) throws IOException {
    JsonObject pulsar = new JsonObject().put("serviceUrl", serviceUrl).put("probeInterval", "500ms");
    // Schemas are read from the broker's web service: the shared broker's is on a port of its own.
    SharedPulsar.ifStarted().filter(b -> b.serviceUrl().equals(serviceUrl))
        .ifPresent(b -> pulsar.put("webServiceUrl", b.adminUrl()));
    JsonObject config = new JsonObject()
        .put("pulsar", pulsar)
        .put("http", new JsonObject().put("port", 0))
        .put("management", new JsonObject().put("port", 0))
        .put("edge", new JsonObject().put("instances", EDGE_INSTANCES))
        .mergeIn(overrides, true);
    writeAtomically(file, config.encodePrettily());
  }

  /**
   * Replaces {@code file} with {@code content} in one step: the proxy scans the file while tests change it, and a
   * file written in place can be read half-written (empty, or cut), which is a different change from the one meant.
   */
  static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp");
    try {
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Rewrites the configuration file of this proxy (same ports: they are fixed at start). */
  void rewriteConfig(String serviceUrl, JsonObject overrides) throws IOException {
    writeConfig(configFile, serviceUrl, overrides.copy()
        .mergeIn(cfg("http", "port", app.httpPort()).mergeIn(cfg("management", "port", app.managementPort())), true));
  }

  /** {@code {"section": {k1: v1, k2: v2, …}}}. */
  static JsonObject cfg(String section, Object... keysAndValues) {
    JsonObject values = new JsonObject();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      values.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return new JsonObject().put(section, values);
  }

  String url(String path) {
    return "http://127.0.0.1:" + app.httpPort() + path;
  }

  String managementUrl(String path) {
    return "http://127.0.0.1:" + app.managementPort() + path;
  }

  static String producePath(String topic) {
    // persistent://tenant/ns/local -> /api/v1/topics/persistent/tenant/ns/local/messages
    return "/api/v1/topics/" + topic.replace("://", "/") + "/messages";
  }

  HttpResponse<String> postJson(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
  }

  private static HttpClient newClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** One of the clients, each call the next: its connections are on another edge instance than the last one's. */
  HttpClient nextClient() {
    return clients.get(Math.floorMod(turn.getAndIncrement(), clients.size()));
  }

  HttpResponse<String> send(HttpRequest request) {
    // Only the edge has instances to spread over; the management server is asked with the one client, as before.
    HttpClient client = request.uri().getPort() == app.managementPort() ? http : nextClient();
    return ProxyProcess.send(client, request);
  }

  /** The ids (in the proxy's encoding) of every message in {@code topic}, read from the start with a reader. */
  static Set<String> idsInTopic(PulsarBroker broker, String topic) throws Exception {
    Set<String> ids = new HashSet<>();
    try (PulsarClient client = broker.newClient();
        Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      while (reader.hasMessageAvailable()) {
        ids.add(MessageIds.encode(reader.readNext(10, TimeUnit.SECONDS).getMessageId()));
      }
    }
    return ids;
  }

  /** The payloads of every message in {@code topic} as UTF-8 text, in order, read from the start with a reader. */
  static List<String> textsInTopic(PulsarBroker broker, String topic) throws Exception {
    List<String> texts = new ArrayList<>();
    try (PulsarClient client = broker.newClient();
        Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      while (reader.hasMessageAvailable()) {
        texts.add(new String(reader.readNext(10, TimeUnit.SECONDS).getValue(), StandardCharsets.UTF_8));
      }
    }
    return texts;
  }

  static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  @Override
  public void close() throws Exception {
    app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
