package io.pulsarproxy.ws;

import static io.pulsarproxy.ws.WsClient.message;
import static io.pulsarproxy.ws.WsProducerIT.path;
import static io.pulsarproxy.ws.WsProxy.cfg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.apache.pulsar.common.policies.data.TopicStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keep-alive, limits and backpressure of the WebSocket endpoints, each with the configuration it needs. */
@ExtendWith(PulsarExtension.class)
class WsLimitsIT {
  private static final Logger LOG = LoggerFactory.getLogger(WsLimitsIT.class);

  @Test
  void answersPingsWithTheSamePayload(PulsarBroker broker) throws Exception {
    try (WsProxy proxy = WsProxy.start(broker);
         WsClient socket = proxy.connect(path("producer", broker.uniqueTopic("ping")))) {
      socket.ping("are you there?");
      await().atMost(WsClient.WAIT).until(() -> socket.pongs.contains("are you there?"));
    }
  }

  @Test
  void serverPingsKeepAnAnsweringClientPastTheIdleTimeout(PulsarBroker broker) throws Exception {
    // An idle timeout of several ping intervals: a busy machine may delay one pong, not the whole timeout's worth.
    try (WsProxy proxy = WsProxy.start(broker, cfg("ws", "idleTimeout", "3s", "pingInterval", "500ms"));
         WsClient socket = proxy.connect(path("consumer", broker.uniqueTopic("pinged")) + "/s")) {
      await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(15)).until(() -> !socket.isClosed());
      assertThat(socket.pings.size()).isGreaterThanOrEqualTo(5);
      assertThat(socket.pings).containsOnly("ping");
    }
  }

  @Test
  void closesIdleSocketsWith1001(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("idle");
    try (WsProxy proxy = WsProxy.start(broker, cfg("ws", "idleTimeout", "1s", "pingInterval", "0s"));
         WsClient socket = proxy.connect(path("consumer", topic) + "/idle-sub")) {
      assertThat(socket.awaitClose()).isEqualTo((short) 1001);
      assertThat(socket.closeReason()).contains("ws.idleTimeout");
      // and the consumer it had is gone from the broker
      await().atMost(WsClient.WAIT).until(() ->
          broker.admin().topics().getStats(topic).getSubscriptions().get("idle-sub").getConsumers().isEmpty());
    }
  }

  @Test
  void closesOnAMessageAboveTheFrameLimitWith1009(PulsarBroker broker) throws Exception {
    try (WsProxy proxy = WsProxy.start(broker, cfg("ws", "maxFrameSize", "1KB"));
         WsClient socket = proxy.connect(path("producer", broker.uniqueTopic("big")))) {
      socket.send(message("x".repeat(600), "small"));
      assertThat(socket.await(1).get(0).getString("result")).isEqualTo("ok");
      socket.send(message("x".repeat(2000), "big"));
      assertThat(socket.awaitClose()).isEqualTo((short) 1009);
    }
  }

  @Test
  void closesOnBinaryFramesWith1003(PulsarBroker broker) throws Exception {
    try (WsProxy proxy = WsProxy.start(broker);
         WsClient socket = proxy.connect(path("producer", broker.uniqueTopic("binary")))) {
      socket.socket.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
      assertThat(socket.awaitClose()).isEqualTo((short) 1003);
    }
  }

  @Test
  void refusesHandshakesBeyondMaxSocketsWith503(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("max-sockets");
    try (WsProxy proxy = WsProxy.start(broker, cfg("ws", "maxSockets", 2));
         WsClient one = proxy.connect(path("producer", topic));
         WsClient two = proxy.connect(path("reader", topic))) {
      assertThat(proxy.refusal(path("consumer", topic) + "/third")).isEqualTo(503);
      one.close();
      await().atMost(WsClient.WAIT).untilAsserted(() -> {
        try (WsClient three = proxy.connect(path("consumer", topic) + "/third")) {
          assertThat(three.isClosed()).isFalse();
        }
      });
      assertThat(two.isClosed()).isFalse();
    }
  }

  /**
   * A client that sends far more than its window without waiting for acks: the proxy stops reading the socket while
   * the window is full instead of refusing frames, so every frame is stored and acked {@code ok}, in order. Batching
   * shows that the window held: the messages of one batch are all in flight at once, so no entry the broker stored
   * may hold more messages than the window.
   */
  @Test
  void aProducerPastItsWindowIsSlowedByNotReadingItsSocketNotRefused(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("in-flight");
    int window = 50;
    int count = 3000;
    byte[][] payloads = new byte[count][];
    Random random = new Random(12);
    try (WsProxy proxy = WsProxy.start(broker, cfg("ws", "maxInFlightPerProducer", window));
         WsClient producer = proxy.connect(path("producer", topic)
             + "?batchingEnabled=true&batchingMaxPublishDelay=10&batchingMaxMessages=1000")) {
      for (int i = 0; i < count; i++) {
        payloads[i] = new byte[1024];
        random.nextBytes(payloads[i]);
        producer.send(new JsonObject().put("payload", Base64.getEncoder().encodeToString(payloads[i]))
            .put("context", "c" + i));
      }
      List<JsonObject> acks = producer.await(count);
      assertThat(acks).extracting(a -> a.getString("context"))
          .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> "c" + i).toList());
      assertThat(acks).extracting(a -> a.getString("result")).containsOnly("ok");
      producer.staysAt(count);

      Map<String, Integer> perEntry = new HashMap<>();
      try (Reader<byte[]> reader = proxy.pulsar.newReader().topic(topic).startMessageId(MessageId.earliest)
          .create()) {
        for (int i = 0; i < count; i++) {
          Message<byte[]> m = reader.readNext(20, TimeUnit.SECONDS);
          assertThat(m).as("message %d", i).isNotNull();
          assertThat(m.getValue()).as("payload %d", i).isEqualTo(payloads[i]);
          MessageIdAdv stored = (MessageIdAdv) m.getMessageId();
          MessageIdAdv acked = (MessageIdAdv) MessageId.fromByteArray(
              Base64.getDecoder().decode(acks.get(i).getString("messageId")));
          assertThat(List.of(acked.getLedgerId(), acked.getEntryId(), acked.getBatchIndex())).as("id %d", i)
              .isEqualTo(List.of(stored.getLedgerId(), stored.getEntryId(), stored.getBatchIndex()));
          perEntry.merge(stored.getLedgerId() + ":" + stored.getEntryId(), 1, Integer::sum);
        }
        assertThat(reader.hasMessageAvailable()).isFalse();
      }
      LOG.info("{} frames sent without waiting through a window of {}: {} entries, at most {} messages each", count,
          window, perEntry.size(), perEntry.values().stream().mapToInt(Integer::intValue).max().orElse(0));
      assertThat(perEntry.values()).allMatch(n -> n <= window);
      assertThat(broker.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(count);
    }
  }

  /**
   * Frames draw from the edge's byte budget (http.maxInFlightBytes) until their ack is written: with a budget of a
   * few frames and a window far larger, the socket is slowed by the budget, every frame is still acked ok and stored,
   * and every byte comes back.
   */
  @Test
  void aProducerIsSlowedByTheByteBudgetNotRefused(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("budget");
    int count = 400;
    JsonObject config = cfg("ws", "maxInFlightPerProducer", 10_000)
        .mergeIn(cfg("http", "maxBodySize", "16KB", "maxMessageSize", "16KB", "maxInFlightBytes", "32KB"));
    try (WsProxy proxy = WsProxy.start(broker, config);
         WsClient producer = proxy.connect(path("producer", topic))) {
      byte[] payload = new byte[3000];
      new Random(7).nextBytes(payload);
      String encoded = Base64.getEncoder().encodeToString(payload);
      for (int i = 0; i < count; i++) {
        producer.send(new JsonObject().put("payload", encoded).put("context", "b" + i));
      }
      List<JsonObject> acks = producer.await(count);
      assertThat(acks).extracting(a -> a.getString("result")).containsOnly("ok");
      assertThat(acks).extracting(a -> a.getString("context"))
          .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> "b" + i).toList());
      assertThat(proxy.metrics.registry().find("pulsar_proxy_in_flight_bytes_exhausted").tag("source", "ws")
          .counter()).isNotNull().satisfies(c -> assertThat(c.count()).isPositive());
      try (Reader<byte[]> reader = proxy.pulsar.newReader().topic(topic).startMessageId(MessageId.earliest)
          .create()) {
        for (int i = 0; i < count; i++) {
          Message<byte[]> m = reader.readNext(20, TimeUnit.SECONDS);
          assertThat(m).as("message %d", i).isNotNull();
          assertThat(m.getValue()).isEqualTo(payload);
        }
        assertThat(reader.hasMessageAvailable()).isFalse();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.budget().used() == 0);
    }
  }

  /** What the Pulsar producer cannot take (its queue is full) is still answered {@code send-error:8}, in order. */
  @Test
  void aSendThePulsarProducerCannotQueueIsSendError8(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("queue-full");
    // Batching with a long delay holds the first sends in the producer's queue of 5 for a second.
    try (WsProxy proxy = WsProxy.start(broker);
         WsClient producer = proxy.connect(path("producer", topic)
             + "?batchingEnabled=true&batchingMaxPublishDelay=1000&maxPendingMessages=5")) {
      for (int i = 0; i < 20; i++) {
        producer.send(message("m" + i, "c" + i));
      }
      List<JsonObject> acks = producer.await(20);
      assertThat(acks).extracting(a -> a.getString("context"))
          .containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> "c" + i).toList());
      assertThat(acks.subList(0, 5)).extracting(a -> a.getString("result")).containsOnly("ok");
      List<JsonObject> refused = acks.subList(5, 20);
      assertThat(refused).extracting(a -> a.getString("result")).containsOnly("send-error:8");
      assertThat(refused).allMatch(a -> a.getInteger("errorCode") == 0 && !a.getString("errorMsg").isBlank());
      await().atMost(WsClient.WAIT).until(() -> broker.admin().topics().getStats(topic).getMsgInCounter() == 5);
    }
  }

  @Test
  void shutdownWritesPendingAcksThenClosesWith1001(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("shutdown");
    try (WsProxy proxy = WsProxy.start(broker)) {
      WsClient consumer = proxy.connect(path("consumer", topic) + "/s");
      WsClient producer = proxy.connect(path("producer", topic)
          + "?producerName=closing&batchingEnabled=true&batchingMaxPublishDelay=1000");
      for (int i = 0; i < 3; i++) {
        producer.send(message("m" + i, "c" + i));
      }
      // The pong comes after the proxy took the three frames (frames are handled in order): they await the broker.
      producer.ping("after the frames");
      await().atMost(WsClient.WAIT).until(() -> producer.pongs.contains("after the frames"));
      assertThat(producer.received).isEmpty();
      proxy.shutdown();
      assertThat(producer.awaitClose()).isEqualTo((short) 1001);
      assertThat(producer.received).extracting(a -> a.getString("result")).containsExactly("ok", "ok", "ok");
      assertThat(consumer.awaitClose()).isEqualTo((short) 1001);
      // the proxy gave back the consumer and the named producer
      await().atMost(WsClient.WAIT).untilAsserted(() -> {
        TopicStats stats = broker.admin().topics().getStats(topic);
        assertThat(stats.getPublishers()).isEmpty();
        assertThat(stats.getSubscriptions().get("s").getConsumers()).isEmpty();
      });
    }
  }

  /**
   * A client that stops reading its socket: the proxy stops handing messages to the socket once its write queue is
   * full, long before the push window (1000), and so stops taking messages from Pulsar beyond the consumer's own
   * prefetch. The client is a plain TCP socket that does the WebSocket handshake and then never reads: only the
   * kernel's buffers can hold what the proxy writes. Nothing is lost: a new socket on the subscription gets it all.
   */
  @Test
  void aSlowConsumerSocketStopsTheProxyTakingMessagesFromPulsar(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("slow");
    int count = 1200;
    int payloadBytes = 16 * 1024;
    try (WsProxy proxy = WsProxy.start(broker); PulsarClient client = broker.newClient()) {
      String path = path("consumer", topic) + "/slow?subscriptionInitialPosition=Earliest";
      try (Socket stalled = handshakeAndStopReading(proxy.port(), path)) {
        byte[] payload = new byte[payloadBytes];
        new Random(7).nextBytes(payload);
        try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false)
            .blockIfQueueFull(true).create()) {
          CompletableFuture<MessageId> last = null;
          for (int i = 0; i < count; i++) {
            last = producer.sendAsync(payload);
          }
          last.get(60, TimeUnit.SECONDS);
        }
        // what the proxy hands to the socket settles...
        double[] seen = {-1};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
          double now = proxy.messagesDelivered();
          boolean settled = now == seen[0] && now > 0;
          seen[0] = now;
          return settled;
        });
        long delivered = (long) proxy.messagesDelivered();
        // ...at what the socket's buffers hold: the proxy's write queue (64 KiB), the kernel's send buffer (at most
        // tcp_wmem's maximum) and the client's 16 KiB receive buffer, in frames of ~4/3 of the payload (base64).
        long frameBytes = payloadBytes * 4L / 3 + 200;
        // The sum is an estimate of what loopback's buffers take (a run saw 217 against an estimate of 214): 40 frames
        // of margin, still far below the push window that the proxy would fill if it did not stop.
        long bound = (kernelSendBufferMax() + 64 * 1024 + 32 * 1024) / frameBytes + 40;
        TopicStats stats = broker.admin().topics().getStats(topic);
        long dispatched = stats.getSubscriptions().get("slow").getMsgOutCounter();
        LOG.info("Slow consumer: {} of {} messages handed to the socket (bound {}, window 1000); broker dispatched {} "
            + "to the proxy; backlog {}", delivered, count, bound, dispatched,
            stats.getSubscriptions().get("slow").getMsgBacklog());
        assertThat(delivered).isGreaterThan(0).isLessThanOrEqualTo(bound).isLessThan(1000);
        // the broker sent the proxy no more than the consumer's prefetch (receiverQueueSize) beyond what it handed on
        assertThat(dispatched).isLessThanOrEqualTo(delivered + 1000 + 1);
        assertThat(stats.getSubscriptions().get("slow").getMsgBacklog()).isEqualTo(count);
      }
      // the stalled client is gone: a new one on the subscription gets every message
      await().atMost(WsClient.WAIT).until(() ->
          broker.admin().topics().getStats(topic).getSubscriptions().get("slow").getConsumers().isEmpty());
      try (WsClient reader = proxy.connect(path)) {
        reader.socket.textMessageHandler(text -> {
          JsonObject m = new JsonObject(text);
          reader.received.add(m);
          reader.send(new JsonObject().put("messageId", m.getString("messageId")));
        });
        await().atMost(Duration.ofSeconds(120)).until(() -> reader.received.size() >= count);
        assertThat(reader.received).hasSize(count);
      }
    }
  }

  /** A WebSocket handshake on a plain TCP socket with a small receive buffer, which is then never read. */
  private static Socket handshakeAndStopReading(int port, String path) throws Exception {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(16 * 1024);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(30_000);
    byte[] nonce = new byte[16];
    new Random().nextBytes(nonce);
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    // read the response head byte by byte, so that nothing after it is consumed
    StringBuilder head = new StringBuilder();
    InputStream in = socket.getInputStream();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("handshake response").isNotNegative();
      head.append((char) b);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
    return socket;
  }

  /** The largest send buffer Linux grows a socket to ({@code tcp_wmem}'s third value); 4 MiB elsewhere. */
  private static long kernelSendBufferMax() throws Exception {
    Path wmem = Path.of("/proc/sys/net/ipv4/tcp_wmem");
    if (Files.exists(wmem)) {
      // readAllLines, not readString: /proc files report a size of 0
      String[] values = Files.readAllLines(wmem).get(0).trim().split("\\s+");
      return Long.parseLong(values[values.length - 1]);
    }
    return 4L * 1024 * 1024;
  }
}
