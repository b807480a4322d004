package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarDistribution;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulsar's own command-line tools, from the distribution the test kit uses, talking to the proxy's WebSocket API
 * unchanged: {@code pulsar-client} produces over WebSocket for a {@code ws://} URL, {@code pulsar-perf
 * websocket-producer} is Pulsar's WebSocket load generator.
 */
@ExtendWith(PulsarExtension.class)
class PulsarToolsIT {
  private static final Logger LOG = LoggerFactory.getLogger(PulsarToolsIT.class);
  private static ProxyFixture proxy;
  private static PulsarBroker broker;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), new JsonObject());
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
  }

  @Test
  void pulsarClientProducesThroughTheProxy(@TempDir Path dir) throws Exception {
    String topic = broker.uniqueTopic("pulsar-client");
    String output = run(dir, "pulsar-client", "--url", "ws://127.0.0.1:" + proxy.app.httpPort(),
        "produce", topic, "-m", "hello from pulsar-client", "-n", "3");
    assertThat(output).contains("3 messages successfully produced");
    assertThat(read(topic)).containsExactly("hello from pulsar-client", "hello from pulsar-client",
        "hello from pulsar-client");
  }

  @Test
  void pulsarClientConsumesThroughTheProxy(@TempDir Path dir) throws Exception {
    String topic = broker.uniqueTopic("pulsar-client-consume");
    Process consume = start(dir, "pulsar-client", "--url", "ws://127.0.0.1:" + proxy.app.httpPort(),
        "consume", topic, "-s", "tool-sub", "-n", "3");
    try {
      // the tool's subscription exists once its WebSocket is open
      Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> consume.isAlive()
          && broker.admin().topics().getList("public/default").contains(topic)
          && broker.admin().topics().getSubscriptions(topic).contains("tool-sub"));
      try (PulsarClient client = broker.newClient();
           Producer<byte[]> producer = client.newProducer().topic(topic).create()) {
        for (int i = 0; i < 3; i++) {
          producer.send(("to the tool " + i).getBytes(StandardCharsets.UTF_8));
        }
      }
      String output = finish(dir, "pulsar-client", consume);
      assertThat(output).contains("3 messages successfully consumed");
    } finally {
      consume.destroyForcibly();
    }
    // the tool acknowledged what it received
    assertThat(broker.admin().topics().getStats(topic).getSubscriptions().get("tool-sub").getMsgBacklog()).isZero();
  }

  @Test
  void pulsarPerfWebSocketProducerPublishesThroughTheProxy(@TempDir Path dir) throws Exception {
    String topic = broker.uniqueTopic("pulsar-perf");
    openProducer(proxy, topic);
    run(dir, "pulsar-perf", "websocket-producer", "--proxy-url", "ws://127.0.0.1:" + proxy.app.httpPort() + "/",
        "-m", "500", "-r", "250", "-s", "128", topic);
    assertThat(broker.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(500);
    assertThat(read(topic)).hasSize(500).allMatch(payload -> payload.length() == 128);
  }

  /**
   * The way a user meets backpressure: {@code pulsar-perf websocket-producer} sends at a fixed rate without waiting for
   * acks and never retries, so a frame the proxy refused would be a message lost to it. With a small in-flight window
   * the run fills the window again and again; the proxy then stops reading the socket until acks free room, and every
   * message the tool sent is stored.
   */
  @Test
  void pulsarPerfAtAFixedRateHasEveryMessageStored(@TempDir Path dir) throws Exception {
    String topic = broker.uniqueTopic("pulsar-perf-rate");
    int count = 20_000;
    int size = 1024;
    try (ProxyFixture windowed = ProxyFixture.start(dir, broker.serviceUrl(),
        ProxyFixture.cfg("ws", "maxInFlightPerProducer", 50))) {
      openProducer(windowed, topic);
      run(dir, "pulsar-perf", "websocket-producer", "--proxy-url", "ws://127.0.0.1:" + windowed.app.httpPort() + "/",
          "-m", String.valueOf(count), "-r", "10000", "-s", String.valueOf(size), topic);
      // the tool waits 10 s after its last send before it exits: what the proxy took is stored by then, or soon after
      long[] seen = {-1};
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        long now = broker.admin().topics().getStats(topic).getMsgInCounter();
        boolean settled = now >= count || now == seen[0];
        seen[0] = now;
        return settled;
      });
    }
    long stored = broker.admin().topics().getStats(topic).getMsgInCounter();
    List<String> payloads = read(topic);
    LOG.info("pulsar-perf sent {} messages of {} B at 10,000 msg/s through a window of 50: {} stored, {} read back",
        count, size, stored, payloads.size());
    assertThat(stored).as("messages stored of the %d pulsar-perf sent", count).isEqualTo(count);
    assertThat(payloads).hasSize(count).allMatch(payload -> payload.length() == size);
  }

  /**
   * Opens the topic and its producer in the proxy before {@code pulsar-perf} connects: the tool gives its socket 5 s
   * to open and sends nothing when it is not open by then, which creating a topic's first producer can exceed on a
   * busy machine. The proxy keeps the producer cached after this socket closes, and the tool's handshake finds it.
   */
  private static void openProducer(ProxyFixture proxy, String topic) throws Exception {
    broker.admin().topics().createNonPartitionedTopic(topic);
    WebSocket socket = proxy.http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + proxy.app.httpPort() + "/ws/v2/producer/"
            + topic.replace("://", "/")), new WebSocket.Listener() {})
        .get(60, TimeUnit.SECONDS);
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(30, TimeUnit.SECONDS);
  }

  /** Runs a tool of the distribution; returns its output after checking that it exited with 0. */
  static String run(Path dir, String tool, String... args) throws Exception {
    return finish(dir, tool, start(dir, tool, args));
  }

  private static Process start(Path dir, String tool, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(PulsarDistribution.home().resolve("bin").resolve(tool).toString());
    command.addAll(List.of(args));
    LOG.info("$ {}", String.join(" ", command));
    // The tools write files (pulsar-perf's latency histogram) into their working directory: a temporary one.
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(tool + ".log").toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("PULSAR_LOG_DIR", dir.toString());
    return builder.start();
  }

  private static String finish(Path dir, String tool, Process process) throws Exception {
    boolean exited = process.waitFor(180, TimeUnit.SECONDS);
    if (!exited) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String output = Files.readString(dir.resolve(tool + ".log"));
    LOG.info("{} printed:\n{}", tool, tail(output));
    assertThat(exited).as("%s finished within 180 s", tool).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static String tail(String output) {
    String[] lines = output.split("\n");
    return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 15), lines.length));
  }

  private static List<String> read(String topic) throws IOException {
    List<String> payloads = new ArrayList<>();
    try (PulsarClient client = broker.newClient();
         Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      while (reader.hasMessageAvailable()) {
        Message<byte[]> m = reader.readNext(10, TimeUnit.SECONDS);
        payloads.add(new String(m.getValue(), StandardCharsets.UTF_8));
      }
    }
    return payloads;
  }
}
