package io.pulsarproxy.loadtests;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client side of the fan-out benchmark: {@code connections} WebSocket consumer sockets ({@code --kind ws}) or
 * SSE streams ({@code --kind sse}) held open at once, spread over {@code topics} topics (connection {@code i} reads
 * topic {@code prefix-(i % topics)}), each on a subscription of its own so that every one receives every message of
 * its topic. WebSocket consumers subscribe NonDurable (no cursor for the broker to store), SSE streams on a durable
 * subscription (the only kind SSE has) with {@code format=text}.
 *
 * <p>It opens the connections at most {@code concurrency} at a time (a 101 means the proxy's Pulsar consumer exists; an
 * SSE stream counts as open when its {@code : stream} line came) and prints {@code READY open=… failed=… openMs=…}.
 * Then whoever runs it (bench.sh) produces {@code messages} messages to every topic whose texts are {@code 0} …
 * {@code messages-1}; this client records, per connection, which of them came (a WebSocket message is acknowledged as
 * it comes). It stops waiting when every connection has all of them, or {@code wait} seconds after READY, and prints
 * {@code RESULT …}: connections complete, the fewest and most distinct messages one connection got, messages missing
 * in total, duplicates, connections the server closed, errors, and deliveryMs (from the first message received to
 * the moment the last connection was complete). The connections then stay open until the file {@code release}
 * exists (bench.sh reads the proxy's heap meanwhile), at most 300 s, and are closed.
 *
 * <pre>
 * java -cp … io.pulsarproxy.loadtests.FanOutLoad --url http://127.0.0.1:8088 --kind ws|sse [--connections 10000]
 *     [--topics 10] [--prefix fanout] [--messages 10] [--concurrency 200] [--wait 180] [--release FILE]
 * </pre>
 *
 * <p>Exit status 0 when every connection opened and received every message, 1 otherwise, 2 on bad arguments. One
 * event-loop thread: every field is touched on it only.
 */
public final class FanOutLoad {
  private static final String NAMESPACE = "public/default";

  private final URI base;
  private final boolean ws;
  private final int connections;
  private final int topics;
  private final String prefix;
  private final int messages;
  private final int concurrency;
  private final long waitNanos;
  private final Path release;
  private final String runId = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

  private final Vertx vertx;
  private WebSocketClient wsClient;
  private HttpClient httpClient;
  private final List<Connection> all = new ArrayList<>();
  private int next;
  private int opening;
  private int open;
  private int failed;
  private int settled;
  private int complete;
  private int closedByServer;
  private long duplicates;
  private final Map<String, Long> errors = new TreeMap<>();
  private long startedAt;
  private long readyAt;
  private long firstMessageAt;
  private long lastCompleteAt;
  private boolean finished;
  private final CountDownLatch done = new CountDownLatch(1);

  private FanOutLoad(Map<String, String> o) {
    base = URI.create(o.get("url"));
    ws = switch (o.get("kind")) {
      case "ws" -> true;
      case "sse" -> false;
      default -> throw new IllegalArgumentException("--kind: ws or sse");
    };
    connections = Integer.parseInt(o.get("connections"));
    topics = Integer.parseInt(o.get("topics"));
    prefix = o.get("prefix");
    messages = Integer.parseInt(o.get("messages"));
    concurrency = Integer.parseInt(o.get("concurrency"));
    waitNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(o.get("wait")));
    release = o.get("release").isEmpty() ? null : Path.of(o.get("release"));
    if (connections < 1 || topics < 1 || messages < 1 || concurrency < 1) {
      throw new IllegalArgumentException("--connections, --topics, --messages and --concurrency must be at least 1");
    }
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1));
  }

  /** One WebSocket or SSE stream and what it received. */
  private final class Connection {
    final int index;
    final BitSet received = new BitSet();
    /** SSE: the end of a line not complete yet. */
    final StringBuilder partial = new StringBuilder();
    ClientWebSocket socket;
    io.vertx.core.http.HttpClientResponse response;
    boolean opened;
    boolean closed;

    Connection(int index) {
      this.index = index;
    }

    String topic() {
      return prefix + "-" + (index % topics);
    }

    String subscription() {
      return (ws ? "ws-" : "sse-") + runId + "-" + index;
    }

    void got(String text) {
      int n;
      try {
        n = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        error("message text not a number");
        return;
      }
      if (n < 0 || n >= messages) {
        error("message number out of range");
        return;
      }
      long now = System.nanoTime();
      if (firstMessageAt == 0) {
        firstMessageAt = now;
      }
      if (received.get(n)) {
        duplicates++;
        return;
      }
      received.set(n);
      if (received.cardinality() == messages) {
        complete++;
        lastCompleteAt = now;
        if (complete == connections) {
          finish();
        }
      }
    }

    void serverClosed() {
      if (!closed) {
        closed = true;
        if (opened && !finished) {
          closedByServer++;
        }
      }
    }

    void sseChunk(Buffer chunk) {
      partial.append(chunk.toString(StandardCharsets.UTF_8));
      int from = 0;
      int newline;
      while ((newline = partial.indexOf("\n", from)) >= 0) {
        String line = partial.substring(from, newline);
        from = newline + 1;
        if (line.startsWith(": stream")) {
          opened(this);
        } else if (line.startsWith("data:")) {
          String text = WsProduceLoad.field(line, "text");
          if (text == null) {
            error("event without a text");
          } else {
            got(text);
          }
        } else if (line.startsWith("event: end")) {
          error("stream ended by the proxy");
        }
      }
      partial.delete(0, from);
    }
  }

  private void error(String kind) {
    errors.merge(kind, 1L, Long::sum);
  }

  private void opened(Connection c) {
    if (c.opened) {
      return;
    }
    c.opened = true;
    open++;
    settle();
  }

  private void openFailed(Connection c, String why) {
    if (c.opened || c.closed) {
      return;
    }
    c.closed = true;
    failed++;
    if (failed <= 5) {
      System.out.println("open failed: " + why);
    }
    error("open failed: " + (why.length() > 80 ? why.substring(0, 80) : why));
    settle();
  }

  /** One open attempt ended either way: start the next, and say READY after the last. */
  private void settle() {
    opening--;
    settled++;
    openMore();
    if (settled == connections) {
      readyAt = System.nanoTime();
      System.out.printf(Locale.ROOT, "READY open=%d failed=%d openMs=%d%n", open, failed,
          (readyAt - startedAt) / 1_000_000);
      vertx.setPeriodic(200, id -> {
        if (finished || System.nanoTime() - readyAt > waitNanos) {
          vertx.cancelTimer(id);
          finish();
        }
      });
    }
  }

  private void openMore() {
    while (opening < concurrency && next < connections) {
      Connection c = all.get(next++);
      opening++;
      if (ws) {
        openSocket(c);
      } else {
        openStream(c);
      }
    }
  }

  private void openSocket(Connection c) {
    c.socket = wsClient.webSocket();
    // Handlers before the handshake: the proxy may send a message in the packet of the 101.
    c.socket.textMessageHandler(text -> {
      String id = WsProduceLoad.field(text, "messageId");
      String payload = WsProduceLoad.field(text, "payload");
      if (id == null || payload == null) {
        error("frame without a messageId or payload");
        return;
      }
      c.socket.writeTextMessage("{\"messageId\":\"" + id + "\"}");
      try {
        c.got(new String(Base64.getDecoder().decode(payload), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        error("payload not base64");
      }
    });
    c.socket.exceptionHandler(err -> error("socket error: " + err.getClass().getSimpleName()));
    c.socket.closeHandler(v -> c.serverClosed());
    String uri = "/ws/v2/consumer/persistent/" + NAMESPACE + "/" + c.topic() + "/" + c.subscription()
        + "?subscriptionType=Exclusive&subscriptionMode=NonDurable&receiverQueueSize=100";
    c.socket.connect(new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort()).setURI(uri)
        .setTimeout(120_000)).onComplete(r -> {
          if (r.succeeded()) {
            opened(c);
          } else {
            openFailed(c, r.cause().getMessage());
          }
        });
  }

  private void openStream(Connection c) {
    String uri = "/api/v1/topics/persistent/" + NAMESPACE + "/" + c.topic() + "/subscriptions/" + c.subscription()
        + "/events?format=text&receiverQueueSize=100";
    httpClient.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(base.getHost())
            .setPort(base.getPort()).setURI(uri).setIdleTimeout(0))
        .compose(request -> request.send())
        .onComplete(r -> {
          if (r.failed()) {
            openFailed(c, r.cause().getMessage());
            return;
          }
          var response = r.result();
          if (response.statusCode() != 200) {
            response.body().onComplete(body -> openFailed(c, "HTTP " + response.statusCode() + " "
                + (body.succeeded() ? body.result().toString() : "")));
            return;
          }
          c.response = response;
          response.handler(c::sseChunk);
          response.exceptionHandler(err -> {
            if (c.opened) {
              error("stream error: " + err.getClass().getSimpleName());
            } else {
              openFailed(c, "stream failed before it started: " + err.getClass().getSimpleName());
            }
          });
          response.endHandler(v -> {
            if (c.opened) {
              c.serverClosed();
            } else {
              openFailed(c, "stream ended before it started");
            }
          });
        });
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    int min = Integer.MAX_VALUE;
    int max = 0;
    long missing = 0;
    for (Connection c : all) {
      int got = c.received.cardinality();
      min = Math.min(min, got);
      max = Math.max(max, got);
      missing += messages - got;
    }
    errors.forEach((kind, count) -> System.out.println("errors: " + count + " x " + kind));
    long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(Locale.ROOT, "RESULT kind=%s connections=%d open=%d failed=%d openMs=%d messages=%d "
            + "complete=%d min=%d max=%d missing=%d duplicates=%d closedByServer=%d errors=%d deliveryMs=%d%n",
        ws ? "ws" : "sse", connections, open, failed, (readyAt - startedAt) / 1_000_000, messages, complete, min, max,
        missing, duplicates, closedByServer, errorCount,
        firstMessageAt == 0 || lastCompleteAt == 0 ? -1 : (lastCompleteAt - firstMessageAt) / 1_000_000);
    done.countDown();
  }

  private int run() throws Exception {
    wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(connections)
        .setConnectTimeout(120_000));
    httpClient = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(120_000).setKeepAlive(true)
        .setIdleTimeout(0), new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    for (int i = 0; i < connections; i++) {
      all.add(new Connection(i));
    }
    vertx.runOnContext(v -> {
      startedAt = System.nanoTime();
      openMore();
      vertx.setPeriodic(5_000, id -> {
        if (finished) {
          vertx.cancelTimer(id);
          return;
        }
        System.out.printf(Locale.ROOT, "%5.0f s: %d open, %d failed, %d in their handshake, %d complete%n",
            (System.nanoTime() - startedAt) / 1e9, open, failed, opening, complete);
      });
    });
    done.await();
    long releaseBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (release != null && !Files.exists(release) && System.nanoTime() < releaseBy) {
      TimeUnit.MILLISECONDS.sleep(200);
    }
    int[] exit = {1};
    CountDownLatch closed = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      exit[0] = complete == connections && errors.isEmpty() ? 0 : 1;
      closed.countDown();
    });
    closed.await();
    // A client nothing refers to any more is closed by Vert.x's cleaner, connections and all: keep both until here.
    try {
      Future.join(wsClient.close(), httpClient.close()).await(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      System.out.println("closing the connections took over 60 s; the rest close as the process exits");
    }
    return exit[0];
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadArgs.parse("FanOutLoad --url http://host:port --kind ws|sse "
        + "[--connections N] [--topics N] [--prefix NAME] [--messages N] [--concurrency N] [--wait S] "
        + "[--release FILE]", args, Map.of("kind", "ws", "connections", "10000", "topics", "10", "prefix", "fanout",
        "messages", "10", "concurrency", "200", "wait", "180", "release", ""));
    FanOutLoad load;
    try {
      load = new FanOutLoad(options);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println("FanOutLoad " + new TreeMap<>(options));
    int status = 1;
    try {
      status = load.run();
    } finally {
      // Vert.x's threads are not daemons: without this a failure would leave the process running.
      System.exit(status);
    }
  }
}
