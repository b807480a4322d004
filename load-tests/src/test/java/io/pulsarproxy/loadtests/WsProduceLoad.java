package io.pulsarproxy.loadtests;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A lean WebSocket produce load: {@code connections} producer sockets on one topic, each keeping up to
 * {@code window} messages in flight (it sends the next frame when an ack comes back), for {@code duration} seconds.
 * The same client runs against Pulsar's WebSocket service and against the proxy, so that neither is judged through a
 * client that outruns it: no socket ever has more than {@code window} frames awaiting an ack.
 *
 * <p>Every ack is matched to its frame by {@code context}; {@code result == "ok"} counts as stored, anything else
 * (and every frame whose ack never came) as an error, per result. Latency is send-to-ack. All sockets share one
 * event-loop thread by default ({@code --threads}), so the client costs about one core at most and its CPU is easy
 * to read next to the servers'.
 *
 * <pre>
 * java -cp … io.pulsarproxy.loadtests.WsProduceLoad --url ws://127.0.0.1:8088/ws/v2/producer/persistent/public/default/t
 *     [--connections 16] [--window 100] [--duration 30] [--size 1024] [--query batchingEnabled=true]
 *     [--threads 1] [--ack-timeout 30] [--token-file FILE]
 * </pre>
 *
 * <p>With {@code --token-file}, every handshake carries {@code Authorization: Bearer <the file's content>} (the token
 * stays out of the command line and the output).
 *
 * <p>The last line of its output is {@code RESULT key=value …} (sent, ok, errors, msgPerSec, p50Ms, p99Ms, …):
 * {@code bench-report.py} reads it. Exit status 0 when every ack was ok, 1 when some failed, 2 on bad arguments.
 */
public final class WsProduceLoad {

  private final URI url;
  private final int connections;
  private final int window;
  private final long durationNanos;
  private final long ackTimeoutNanos;
  private final String framePrefix;
  /** {@code Bearer …} for the handshakes, or null. */
  private final String authorization;

  private long sent;
  private long ok;
  /** Frames answered with an error or lost with their socket. */
  private long failedFrames;
  private final Map<String, Long> errors = new TreeMap<>();
  private long[] latencies = new long[1 << 16];
  private int latencyCount;
  private long firstAckNanos;
  private long lastOkAckNanos;
  private long stopSendingAt;
  private int open;

  private WsProduceLoad(URI url, int connections, int window, long durationNanos, long ackTimeoutNanos,
      String payloadBase64, String authorization) {
    this.authorization = authorization;
    this.url = url;
    this.connections = connections;
    this.window = window;
    this.durationNanos = durationNanos;
    this.ackTimeoutNanos = ackTimeoutNanos;
    this.framePrefix = "{\"payload\":\"" + payloadBase64 + "\",\"context\":\"";
  }

  /** One producer socket; only touched on its event loop. */
  private final class Producer {
    private final WebSocket socket;
    /** Send time by context, for the frames awaiting their ack (at most window). */
    private final HashMap<String, Long> inFlight = new HashMap<>();
    private long next;
    private boolean closed;

    Producer(WebSocket socket) {
      this.socket = socket;
    }

    void start() {
      socket.textMessageHandler(this::ack);
      socket.exceptionHandler(err -> error("socket error: " + err.getClass().getSimpleName()));
      socket.closeHandler(v -> {
        if (!closed) {
          closed = true;
          open--;
          int lost = inFlight.size();
          if (lost > 0) {
            failedFrames += lost;
            errors.merge("closed with frames in flight (close " + socket.closeStatusCode() + ")", (long) lost,
                Long::sum);
            inFlight.clear();
          }
        }
      });
      fill();
    }

    private void fill() {
      long now = System.nanoTime();
      while (!closed && inFlight.size() < window && now < stopSendingAt) {
        String context = Long.toString(next++);
        inFlight.put(context, now);
        socket.writeTextMessage(framePrefix + context + "\"}");
        sent++;
      }
      if (inFlight.isEmpty() && now >= stopSendingAt && !closed) {
        closed = true;
        open--;
        socket.close();
      }
    }

    private void ack(String text) {
      long now = System.nanoTime();
      String context = field(text, "context");
      Long sentAt = context == null ? null : inFlight.remove(context);
      if (sentAt == null) {
        error("ack without a known context");
      } else {
        String result = field(text, "result");
        if ("ok".equals(result)) {
          ok++;
          lastOkAckNanos = now;
          if (firstAckNanos == 0) {
            firstAckNanos = now;
          }
          latency(now - sentAt);
        } else {
          failedFrames++;
          String message = field(text, "errorMsg");
          error("result " + result + (message == null ? ""
              : ": " + message.substring(0, Math.min(100, message.length()))));
        }
      }
      fill();
    }
  }

  /** The string value of a top-level field of a flat JSON object with unescaped strings (what the acks are). */
  static String field(String json, String name) {
    String key = "\"" + name + "\"";
    int at = json.indexOf(key);
    if (at < 0) {
      return null;
    }
    int colon = json.indexOf(':', at + key.length());
    int open = colon < 0 ? -1 : json.indexOf('"', colon + 1);
    if (open < 0) {
      return null;
    }
    for (int i = colon + 1; i < open; i++) {
      if (!Character.isWhitespace(json.charAt(i))) {
        return null;
      }
    }
    int close = json.indexOf('"', open + 1);
    return close < 0 ? null : json.substring(open + 1, close);
  }

  private void error(String kind) {
    errors.merge(kind, 1L, Long::sum);
  }

  private void latency(long nanos) {
    if (latencyCount == latencies.length) {
      latencies = Arrays.copyOf(latencies, latencies.length * 2);
    }
    latencies[latencyCount++] = nanos;
  }

  private double percentileMs(double p) {
    if (latencyCount == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    int index = (int) Math.min(latencyCount - 1, Math.max(0, Math.ceil(p * latencyCount) - 1));
    return sorted[index] / 1e6;
  }

  private int run(int threads) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1));
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(connections).setConnectTimeout(10_000));
    CountDownLatch done = new CountDownLatch(1);
    long startedAt = System.nanoTime();
    int[] exit = {0};
    vertx.runOnContext(v -> {
      List<Future<WebSocket>> connects = new ArrayList<>(connections);
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(url.getHost())
          .setPort(url.getPort()).setURI(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
      if (authorization != null) {
        options.addHeader("Authorization", authorization);
      }
      for (int i = 0; i < connections; i++) {
        connects.add(client.connect(options));
      }
      Future.join(connects).onComplete(all -> {
        long failed = connects.stream().filter(Future::failed).count();
        connects.stream().filter(Future::failed).findFirst()
            .ifPresent(f -> System.out.println("handshake failed: " + f.cause().getMessage()));
        if (failed > 0) {
          errors.merge("handshake failed", failed, Long::sum);
        }
        stopSendingAt = System.nanoTime() + durationNanos;
        System.out.printf(Locale.ROOT, "%d of %d sockets open after %d ms; sending for %d s, window %d%n",
            connections - failed, connections, (System.nanoTime() - startedAt) / 1_000_000, durationNanos / 1_000_000_000L,
            window);
        for (Future<WebSocket> f : connects) {
          if (f.succeeded()) {
            open++;
            new Producer(f.result()).start();
          }
        }
        if (open == 0) {
          exit[0] = 1;
          done.countDown();
          return;
        }
        // Frames go out only from ack handlers once started, so a periodic check ends the run when every socket is
        // done, or gives up on acks that never came.
        vertx.setPeriodic(200, id -> {
          long now = System.nanoTime();
          if (open == 0 || now > stopSendingAt + ackTimeoutNanos) {
            vertx.cancelTimer(id);
            done.countDown();
          }
        });
        long[] last = {0, now()};
        vertx.setPeriodic(5_000, id -> {
          long t = now();
          if (t < stopSendingAt + 5_000_000_000L) {
            System.out.printf(Locale.ROOT, "%5.0f s: %d ok acks/s, %d errors, %d sockets open%n",
                (t - startedAt) / 1e9, (ok - last[0]) * 1_000_000_000L / Math.max(1, t - last[1]),
                errors.values().stream().mapToLong(Long::longValue).sum(), open);
          }
          last[0] = ok;
          last[1] = t;
        });
      });
    });
    done.await();
    CountDownLatch reported = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      long inFlightLeft = sent - ok - failedFrames;
      if (inFlightLeft > 0) {
        errors.merge("no ack within the ack timeout", inFlightLeft, Long::sum);
      }
      long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
      double seconds = (lastOkAckNanos - firstAckNanos) / 1e9;
      double rate = seconds > 0 ? (ok - 1) / seconds : 0;
      errors.forEach((kind, count) -> System.out.println("errors: " + count + " x " + kind));
      System.out.printf(Locale.ROOT, "RESULT connections=%d window=%d sent=%d ok=%d errors=%d msgPerSec=%.0f "
              + "p50Ms=%.3f p90Ms=%.3f p99Ms=%.3f maxMs=%.3f%n", connections, window, sent, ok, errorCount, rate,
          percentileMs(0.50), percentileMs(0.90), percentileMs(0.99), percentileMs(1.0));
      if (errorCount > 0 || ok == 0) {
        exit[0] = Math.max(exit[0], 1);
      }
      reported.countDown();
    });
    reported.await();
    // A client nothing refers to any more is closed by Vert.x's cleaner, sockets and all: keep it until here.
    client.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    return exit[0];
  }

  private static long now() {
    return System.nanoTime();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadArgs.parse("WsProduceLoad --url "
        + "ws://host:port/ws/v2/producer/persistent/tenant/ns/topic [--connections N] [--window W] [--duration S] "
        + "[--size BYTES] [--query k=v&k=v] [--threads N] [--ack-timeout S] [--token-file FILE]", args,
        Map.of("connections", "16", "window", "100", "duration", "30", "size", "1024", "query", "", "threads", "1",
            "ack-timeout", "30", "token-file", ""));
    URI uri = LoadArgs.url(options);
    int size = Integer.parseInt(options.get("size"));
    String payload = Settings.payloadBase64(size);
    WsProduceLoad load = new WsProduceLoad(uri, Integer.parseInt(options.get("connections")),
        Integer.parseInt(options.get("window")), TimeUnit.SECONDS.toNanos(Long.parseLong(options.get("duration"))),
        TimeUnit.SECONDS.toNanos(Long.parseLong(options.get("ack-timeout"))), payload,
        options.get("token-file").isEmpty() ? null
            : "Bearer " + Files.readString(Path.of(options.get("token-file")), StandardCharsets.US_ASCII).trim());
    System.out.println("WsProduceLoad " + uri + " " + new TreeMap<>(options));
    System.exit(load.run(Integer.parseInt(options.get("threads"))));
  }
}
