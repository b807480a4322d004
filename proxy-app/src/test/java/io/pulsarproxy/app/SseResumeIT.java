package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SSE streams with {@code ack=auto} across dropped connections: nothing is acknowledged until the client confirmed
 * it (here only by {@code Last-Event-ID}: the confirmation delay is longer than any test), what was written and not
 * confirmed comes again, on every subscription type and on partitioned topics.
 */
@ExtendWith(PulsarExtension.class)
class SseResumeIT {
  private static final Duration EVENT_WAIT = Duration.ofSeconds(30);
  private static final int MAX_UNCONFIRMED = 64;
  private static ProxyFixture proxy;
  private static PulsarClient client;
  private static PulsarBroker broker;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), ProxyFixture.cfg("httpConsumer",
        "sseConfirmDelay", "10m", "sseMaxUnconfirmed", MAX_UNCONFIRMED, "sseHeartbeatInterval", "0"));
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  @ParameterizedTest(name = "{0} subscription, {1} partitions")
  @CsvSource({"Shared, 0", "Exclusive, 3", "Shared, 3", "Key_Shared, 3"})
  void twentyDropsMidStreamLoseNothing(String type, int partitions) throws Exception {
    String topic = broker.uniqueTopic("sse-drops");
    if (partitions > 0) {
      broker.admin().topics().createPartitionedTopic(topic, partitions);
    }
    List<String> produced = produce(topic, "d", 300);
    String path = eventsPath(topic, "sub", "initialPosition=Earliest&format=text&subscriptionType=" + type);
    Set<String> seen = new HashSet<>();
    String last = null;
    int received = 0;
    for (int drop = 0; drop < 20; drop++) {
      RawStream s = RawStream.open(path, last);
      for (int i = 0; i < 10; i++) {
        Event e = s.next(EVENT_WAIT);
        seen.add(e.text());
        last = e.id();
        received++;
      }
      // More events are on their way (the backlog is far from empty, the window is open): drop them mid-flight.
      s.drop();
    }
    assertThat(seen).as("the 20 connections brought new messages, not only repeats").hasSizeGreaterThan(100);
    // Then read on, reconnecting before the unconfirmed limit would hold the stream, until everything came.
    for (int round = 0; !seen.containsAll(produced); round++) {
      assertThat(round).as("rounds to receive the rest; missing %s", missing(produced, seen)).isLessThan(50);
      try (RawStream s = RawStream.open(path, last)) {
        for (int i = 0; i < MAX_UNCONFIRMED / 2 && !seen.containsAll(produced); i++) {
          Event e = s.next(EVENT_WAIT);
          seen.add(e.text());
          last = e.id();
          received++;
        }
      }
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(produced);
    System.out.printf("%s/%d partitions: %d messages, %d events received over 20 drops and the rest%n", type,
        partitions, produced.size(), received);
  }

  @Test
  void unconfirmedEventsComeAgainAndLastEventIdConfirmsWhatItCovers() throws Exception {
    String topic = broker.uniqueTopic("sse-redeliver");
    List<String> produced = produce(topic, "r", 10);
    String path = eventsPath(topic, "sub", "initialPosition=Earliest&format=text&subscriptionType=Shared");
    List<Event> first = new ArrayList<>();
    RawStream s = RawStream.open(path, null);
    for (int i = 0; i < 10; i++) {
      first.add(s.next(EVENT_WAIT));
    }
    assertThat(first).extracting(Event::text).containsExactlyElementsOf(produced);
    assertThat(s.silentFor(Duration.ofSeconds(2))).isTrue();
    assertThat(backlog(topic, "sub")).as("nothing acknowledged: nothing was confirmed").isEqualTo(10);
    s.drop();

    // The client got the first four: the rest comes again, and the four are acknowledged, not sent.
    Set<String> second = new LinkedHashSet<>();
    s = RawStream.open(path, first.get(3).id());
    for (int i = 0; i < 6; i++) {
      second.add(s.next(EVENT_WAIT).text());
    }
    assertThat(second).containsExactlyInAnyOrderElementsOf(produced.subList(4, 10));
    assertThat(s.silentFor(Duration.ofSeconds(2))).isTrue();
    await().atMost(EVENT_WAIT).until(() -> backlog(topic, "sub") == 6);
    s.drop();

    // Reconnecting without an id confirms nothing: all six come again.
    Set<String> third = new LinkedHashSet<>();
    try (RawStream again = RawStream.open(path, null)) {
      for (int i = 0; i < 6; i++) {
        third.add(again.next(EVENT_WAIT).text());
      }
      assertThat(third).containsExactlyInAnyOrderElementsOf(produced.subList(4, 10));
      assertThat(backlog(topic, "sub")).isEqualTo(6);
    }
  }

  @Test
  void theUnconfirmedLimitHoldsTheStreamUntilConfirmationsFreeRoom() throws Exception {
    String topic = broker.uniqueTopic("sse-limit");
    List<String> produced = produce(topic, "l", 100);
    String path = eventsPath(topic, "sub", "initialPosition=Earliest&format=text&subscriptionType=Shared");
    Set<String> seen = new HashSet<>();
    String last = null;
    try (RawStream s = RawStream.open(path, null)) {
      for (int i = 0; i < MAX_UNCONFIRMED; i++) {
        Event e = s.next(EVENT_WAIT);
        seen.add(e.text());
        last = e.id();
      }
      assertThat(s.silentFor(Duration.ofSeconds(3))).as("held at %d unconfirmed", MAX_UNCONFIRMED).isTrue();
      assertThat(backlog(topic, "sub")).isEqualTo(100);
    }
    try (RawStream s = RawStream.open(path, last)) {
      for (int i = 0; i < produced.size() - MAX_UNCONFIRMED; i++) {
        seen.add(s.next(EVENT_WAIT).text());
      }
      assertThat(seen).containsExactlyInAnyOrderElementsOf(produced);
      await().atMost(EVENT_WAIT).until(() -> backlog(topic, "sub") == produced.size() - MAX_UNCONFIRMED);
    }
  }

  private static List<String> produce(String topic, String prefix, int n) throws Exception {
    List<String> texts = new ArrayList<>();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < n; i++) {
        String text = prefix + i;
        producer.sendAsync(text.getBytes(StandardCharsets.UTF_8));
        texts.add(text);
      }
      producer.flush();
    }
    return texts;
  }

  private static long backlog(String topic, String subscription) throws Exception {
    return broker.admin().topics().getStats(topic).getSubscriptions().get(subscription).getMsgBacklog();
  }

  private static List<String> missing(List<String> produced, Set<String> seen) {
    return produced.stream().filter(t -> !seen.contains(t)).limit(20).toList();
  }

  private static String eventsPath(String topic, String subscription, String query) {
    return "/api/v1/topics/" + topic.replace("://", "/") + "/subscriptions/" + subscription + "/events?" + query;
  }

  /** A message event: its id and the message's text. */
  record Event(String id, String text) {}

  /**
   * An SSE stream over a plain socket, read on the test's thread, so that it can be dropped abruptly (a TCP reset,
   * whatever is still in flight) as a lost network would.
   */
  private static final class RawStream implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final StringBuilder text = new StringBuilder();

    private RawStream(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    /** Opens the stream, retrying while the previous consumer of an Exclusive subscription is still closing. */
    static RawStream open(String path, String lastEventId) {
      AtomicReference<RawStream> opened = new AtomicReference<>();
      await().atMost(EVENT_WAIT).ignoreExceptionsMatching(e -> e instanceof IOException).until(() -> {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", proxy.app.httpPort()), 5000);
        socket.setSoTimeout((int) EVENT_WAIT.toMillis());
        RawStream s = new RawStream(socket);
        OutputStream out = s.socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
            + (lastEventId != null ? "Last-Event-ID: " + lastEventId + "\r\n" : "") + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = s.line();
        while (!s.line().isEmpty()) {
          // headers
        }
        if (status.contains(" 409 ")) {
          s.drop();
          return false;
        }
        assertThat(status).contains(" 200 ");
        opened.set(s);
        return true;
      });
      return opened.get();
    }

    /** The next message event; fails when none came within {@code timeout}. */
    Event next(Duration timeout) throws IOException {
      socket.setSoTimeout((int) timeout.toMillis());
      while (true) {
        int end = text.indexOf("\n\n");
        if (end >= 0) {
          String block = text.substring(0, end);
          text.delete(0, end + 2);
          String id = null;
          String data = null;
          for (String line : block.split("\n")) {
            if (line.startsWith("id: ")) {
              id = line.substring(4);
            } else if (line.startsWith("data: ")) {
              data = line.substring(6);
            }
          }
          if (data != null) {
            assertThat(block).doesNotContain("event: ");
            return new Event(id, new JsonObject(data).getString("text"));
          }
          continue; // a comment
        }
        readChunk();
      }
    }

    /** Whether no message event came for {@code quiet}. */
    boolean silentFor(Duration quiet) throws IOException {
      try {
        next(quiet);
        return false;
      } catch (SocketTimeoutException expected) {
        return true;
      }
    }

    /** Closes with a reset: the proxy sees the connection fail, as when a network goes away. */
    void drop() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    @Override
    public void close() throws IOException {
      drop();
    }

    private void readChunk() throws IOException {
      int size = Integer.parseInt(line().trim(), 16);
      assertThat(size).as("the stream ended").isPositive();
      byte[] chunk = in.readNBytes(size);
      assertThat(chunk).hasSize(size);
      text.append(new String(chunk, StandardCharsets.UTF_8));
      line(); // CRLF after the chunk
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.US_ASCII);
    }
  }
}
