package io.pulsarproxy.loadtests;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A lean WebSocket consume load: {@code connections} consumer sockets on one subscription (Shared by default) drain
 * a backlog of at least {@code messages} messages that was written before the run, acknowledging every message as it
 * comes. The same client runs against Pulsar's WebSocket service and against the proxy, so the two are compared on how
 * fast they hand out a backlog to a client that keeps up.
 *
 * <p>For every message frame it checks that the decoded payload has {@code size} bytes (an error otherwise), keeps
 * the {@code messageId} to count distinct messages and duplicates (redeliveries) apart, and sends the ack
 * {@code {"messageId":…}} at once, so the server's window ({@code receiverQueueSize}) never holds it back. It stops
 * when {@code messages} distinct messages have come, or after {@code duration} seconds (a cap, not a load length),
 * and closes the sockets. The socket handlers are set before the handshake, so no frame that the server sends right
 * after the upgrade is missed. All sockets share one event-loop thread by default ({@code --threads}), so the client
 * costs about one core at most and its CPU is easy to read next to the servers'.
 *
 * <pre>
 * java -cp … io.pulsarproxy.loadtests.WsConsumeLoad
 *     --url ws://127.0.0.1:8088/ws/v2/consumer/persistent/public/default/t/bench-sub
 *     [--messages 200000] [--connections 4] [--duration 120] [--size 1024]
 *     [--query subscriptionType=Shared&amp;receiverQueueSize=1000] [--threads 1]
 * </pre>
 *
 * <p>The last line of its output is {@code RESULT key=value …} (received, distinct, duplicates, missing, errors,
 * msgPerSec, mbPerSec, …): {@code bench-report.py} reads it. msgPerSec is distinct messages over the time from the
 * first message to the last. Exit status 0 when all {@code messages} distinct messages came without an error, 1
 * otherwise, 2 on bad arguments.
 */
public final class WsConsumeLoad {

  private final URI url;
  private final int connections;
  private final long expected;
  private final long durationNanos;
  private final int size;

  private final List<Consumer> consumers = new ArrayList<>();
  /** The ids of the messages received, to tell redeliveries from new messages. */
  private final Set<String> seen;
  private long received;
  private long duplicates;
  private final Map<String, Long> errors = new TreeMap<>();
  private long firstMessageNanos;
  private long lastMessageNanos;
  private int open;
  private boolean finished;
  private final CountDownLatch done = new CountDownLatch(1);

  private WsConsumeLoad(URI url, int connections, long expected, long durationNanos, int size) {
    this.url = url;
    this.connections = connections;
    this.expected = expected;
    this.durationNanos = durationNanos;
    this.size = size;
    this.seen = new HashSet<>((int) Math.min(1 << 28, expected * 4 / 3 + 16));
  }

  /** One consumer socket; only touched on the client's event loop. */
  private final class Consumer {
    private final ClientWebSocket socket;
    /** The handshake succeeded. */
    private boolean connected;
    /** Closed by this client or by the server, or never opened. */
    private boolean closed;

    Consumer(ClientWebSocket socket) {
      this.socket = socket;
      socket.textMessageHandler(this::message);
      socket.exceptionHandler(err -> error("socket error: " + err.getClass().getSimpleName()));
      socket.closeHandler(v -> {
        if (!closed) {
          closed = true;
          open--;
          if (!finished) {
            error("socket closed by the server (close " + socket.closeStatusCode() + ")");
            if (open == 0) {
              finish();
            }
          }
        }
      });
    }

    private void message(String text) {
      if (closed) {
        return;
      }
      long now = System.nanoTime();
      received++;
      String id = WsProduceLoad.field(text, "messageId");
      if (id == null) {
        error("frame without a messageId");
        return;
      }
      socket.writeTextMessage("{\"messageId\":\"" + id + "\"}");
      String payload = WsProduceLoad.field(text, "payload");
      if (payload == null) {
        error("frame without a payload");
      } else {
        try {
          int length = Base64.getDecoder().decode(payload).length;
          if (length != size) {
            error("payload of " + length + " bytes instead of " + size);
          }
        } catch (IllegalArgumentException e) {
          error("payload not base64");
        }
      }
      if (!seen.add(id)) {
        duplicates++;
        return;
      }
      if (firstMessageNanos == 0) {
        firstMessageNanos = now;
      }
      lastMessageNanos = now;
      if (seen.size() >= expected) {
        finish();
      }
    }

    void close() {
      if (!closed) {
        closed = true;
        if (connected) {
          open--;
          socket.close();
        }
      }
    }
  }

  private void error(String kind) {
    errors.merge(kind, 1L, Long::sum);
  }

  /** Ends the run: all messages came, the cap was reached or no socket is left. */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    consumers.forEach(Consumer::close);
    done.countDown();
  }

  private int run(int threads) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1));
    // A message frame carries the payload in base64, and Vert.x refuses frames above 64 KiB by default.
    int maxFrame = Math.max(65_536, size / 3 * 4 + 64 * 1024);
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(connections).setConnectTimeout(10_000).setMaxFrameSize(maxFrame)
        .setMaxMessageSize(maxFrame));
    long startedAt = System.nanoTime();
    long[] deadline = {Long.MAX_VALUE};
    vertx.runOnContext(v -> {
      List<Future<WebSocket>> connects = new ArrayList<>(connections);
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(url.getHost())
          .setPort(url.getPort()).setURI(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
      for (int i = 0; i < connections; i++) {
        // Handlers first, then the handshake: the server may send messages in the same packet as the 101.
        Consumer consumer = new Consumer(client.webSocket());
        consumers.add(consumer);
        connects.add(consumer.socket.connect(options).onComplete(ws -> {
          if (ws.succeeded()) {
            consumer.connected = true;
            open++;
          } else {
            consumer.closed = true;
          }
        }));
      }
      Future.join(connects).onComplete(all -> {
        long failed = connects.stream().filter(Future::failed).count();
        connects.stream().filter(Future::failed).findFirst()
            .ifPresent(f -> System.out.println("handshake failed: " + f.cause().getMessage()));
        if (failed > 0) {
          errors.merge("handshake failed", failed, Long::sum);
        }
        deadline[0] = System.nanoTime() + durationNanos;
        System.out.printf(Locale.ROOT, "%d of %d sockets open after %d ms; receiving %d messages, at most %d s%n",
            connections - failed, connections, (System.nanoTime() - startedAt) / 1_000_000, expected,
            durationNanos / 1_000_000_000L);
        if (open == 0) {
          finish();
          return;
        }
        vertx.setPeriodic(200, id -> {
          if (finished || System.nanoTime() > deadline[0]) {
            vertx.cancelTimer(id);
            finish();
          }
        });
        long[] last = {0, System.nanoTime()};
        vertx.setPeriodic(5_000, id -> {
          if (finished) {
            vertx.cancelTimer(id);
            return;
          }
          long t = System.nanoTime();
          System.out.printf(Locale.ROOT, "%5.0f s: %d msg/s, %d of %d distinct, %d duplicates, %d errors, "
                  + "%d sockets open%n", (t - startedAt) / 1e9,
              (received - last[0]) * 1_000_000_000L / Math.max(1, t - last[1]), seen.size(), expected, duplicates,
              errors.values().stream().mapToLong(Long::longValue).sum(), open);
          last[0] = received;
          last[1] = t;
        });
      });
    });
    done.await();
    int[] exit = {0};
    CountDownLatch reported = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      long distinct = seen.size();
      long missing = Math.max(0, expected - distinct);
      long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
      double seconds = (lastMessageNanos - firstMessageNanos) / 1e9;
      double rate = seconds > 0 ? distinct / seconds : 0;
      errors.forEach((kind, count) -> System.out.println("errors: " + count + " x " + kind));
      if (missing > 0) {
        System.out.println("missing: " + missing + " of " + expected + " messages did not come");
      }
      System.out.printf(Locale.ROOT, "RESULT connections=%d expected=%d received=%d distinct=%d duplicates=%d "
              + "missing=%d errors=%d seconds=%.3f msgPerSec=%.0f mbPerSec=%.2f%n", connections, expected, received,
          distinct, duplicates, missing, errorCount, seconds, rate, rate * size / 1e6);
      exit[0] = errorCount > 0 || missing > 0 ? 1 : 0;
      reported.countDown();
    });
    reported.await();
    // A client nothing refers to any more is closed by Vert.x's cleaner, sockets and all: keep it until here.
    client.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    return exit[0];
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadArgs.parse("WsConsumeLoad --url "
        + "ws://host:port/ws/v2/consumer/persistent/tenant/ns/topic/sub [--messages N] [--connections N] "
        + "[--duration S] [--size BYTES] [--query k=v&k=v] [--threads N]", args, Map.of("connections", "4",
        "messages", "200000", "duration", "120", "size", "1024",
        "query", "subscriptionType=Shared&receiverQueueSize=1000", "threads", "1"));
    long messages = Long.parseLong(options.get("messages"));
    int connections = Integer.parseInt(options.get("connections"));
    if (messages < 1 || connections < 1) {
      System.err.println("--messages and --connections must be at least 1");
      System.exit(2);
    }
    URI uri = LoadArgs.url(options);
    WsConsumeLoad load = new WsConsumeLoad(uri, connections, messages,
        TimeUnit.SECONDS.toNanos(Long.parseLong(options.get("duration"))), Integer.parseInt(options.get("size")));
    System.out.println("WsConsumeLoad " + uri + " " + new TreeMap<>(options));
    System.exit(load.run(Integer.parseInt(options.get("threads"))));
  }
}
