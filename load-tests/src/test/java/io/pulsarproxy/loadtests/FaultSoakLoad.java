package io.pulsarproxy.loadtests;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The load of the soak with faults: a fixed, moderate mixed load on the proxy that accounts for every message and
 * every request, so that a broker killed under it shows what was lost and what was left without an answer.
 *
 * <ul>
 *   <li>HTTP produce, one message per request, at {@code single-rate} requests/s to {@code soak-single-<run>};
 *   <li>HTTP produce, {@code batch-size} messages per request, at {@code batch-rate} requests/s to
 *       {@code soak-batch-<run>};
 *   <li>WebSocket produce at {@code ws-rate} frames/s over {@code ws-sockets} sockets to {@code soak-ws-<run>}
 *       (at most {@code ws-window} frames per socket awaiting an ack; a socket that closes is opened again);
 *   <li>an SSE stream (Exclusive subscription {@code soak-sse}, reconnecting with {@code Last-Event-ID}) on the
 *       WebSocket topic, and an HTTP consumer instance (Shared subscription {@code soak-poll}, long polls, acks) on
 *       the single-message topic, recreated when it is gone.
 * </ul>
 *
 * <p>Every message carries its sequence number as text ({@code <seq>:<padding>}). The sequence numbers the proxy
 * acknowledged (HTTP 200 with {@code ok} results, WebSocket {@code result: ok}) are written to
 * {@code acked-<source>.txt} and those sent to {@code sent-<source>.txt} under {@code --out}, for
 * {@link FaultSoakVerify} to compare with what Pulsar holds. Every HTTP request gets a client-side deadline of
 * {@code timeout} seconds and every WebSocket frame the same: what passes it counts as unanswered. Counts go to
 * {@code load.json}; exit status 0 when nothing was left unanswered.
 *
 * <pre>
 * java -cp … io.pulsarproxy.loadtests.FaultSoakLoad --url http://127.0.0.1:8088 --run r1 --duration 3600 --out dir
 *     [--single-rate 40] [--batch-rate 4] [--batch-size 25] [--ws-rate 100] [--ws-sockets 2] [--ws-window 500]
 *     [--timeout 60] [--size 200]
 * </pre>
 */
public final class FaultSoakLoad {

  private static final String NAMESPACE = "public/default";
  private static final long TICK_MS = 100;

  private final Vertx vertx;
  private final HttpClient http;
  private final WebSocketClient wsClient;
  private final URI base;
  private final String run;
  private final int size;
  private final long timeoutMs;
  private final Map<String, Long> counts = new TreeMap<>();
  private final Map<String, Source> sources = new HashMap<>();
  private boolean producing = true;
  private boolean consuming = true;
  private int outstandingHttp;

  /** One producing source: its topic, the sequence numbers sent and those the proxy acknowledged. */
  private static final class Source {
    final String name;
    final String topic;
    final BitSet sent = new BitSet();
    final BitSet acked = new BitSet();
    final BitSet consumed = new BitSet();
    long consumedTotal;
    int next;

    Source(String name, String topic) {
      this.name = name;
      this.topic = topic;
    }
  }

  private FaultSoakLoad(Vertx vertx, URI base, String run, int size, long timeoutMs) {
    this.vertx = vertx;
    this.base = base;
    this.run = run;
    this.size = size;
    this.timeoutMs = timeoutMs;
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(base.getHost())
        .setDefaultPort(base.getPort()).setConnectTimeout(10_000).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(512));
    this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(10_000)
        .setMaxConnections(64));
    for (String name : List.of("single", "batch", "ws")) {
      sources.put(name, new Source(name, "soak-" + name + "-" + run));
    }
  }

  private void count(String key) {
    counts.merge(key, 1L, Long::sum);
  }

  private String text(int seq) {
    StringBuilder sb = new StringBuilder(size).append(seq).append(':');
    while (sb.length() < size) {
      sb.append('x');
    }
    return sb.toString();
  }

  /** The sequence number of a message text ({@code <seq>:…}), or -1. */
  static int seqOf(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon <= 0) {
      return -1;
    }
    try {
      return Integer.parseInt(text, 0, colon, 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---- HTTP -------------------------------------------------------------------------------------------------------

  /**
   * Sends one request with a client-side deadline; {@code onAnswer} gets the status and body, or is not called when
   * the deadline passed or the connection failed (both counted under {@code label}).
   */
  private void request(String label, HttpMethod method, String uri, String body,
      java.util.function.BiConsumer<Integer, Buffer> onAnswer, Runnable onFailure) {
    outstandingHttp++;
    boolean[] settled = {false};
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (!settled[0]) {
        settled[0] = true;
        outstandingHttp--;
        count("http." + label + ".no-answer-within-timeout");
        onFailure.run();
      }
    });
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri);
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    http.request(options)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(response -> response.body().map(answer -> Map.entry(response.statusCode(), answer)))
        .onComplete(ar -> {
          if (settled[0]) {
            count("http." + label + ".answer-after-timeout");
            return;
          }
          settled[0] = true;
          outstandingHttp--;
          vertx.cancelTimer(timer);
          if (ar.failed()) {
            count("http." + label + ".connection-error." + ar.cause().getClass().getSimpleName());
            onFailure.run();
            return;
          }
          try {
            onAnswer.accept(ar.result().getKey(), ar.result().getValue());
          } catch (RuntimeException e) {
            count("http." + label + ".unreadable-answer");
            onFailure.run();
          }
        });
  }

  private void produce(Source source, int messages) {
    int first = source.next;
    source.next += messages;
    JsonArray list = new JsonArray();
    for (int i = 0; i < messages; i++) {
      source.sent.set(first + i);
      list.add(new JsonObject().put("text", text(first + i)));
    }
    String label = "produce-" + source.name;
    String uri = "/api/v1/topics/persistent/" + NAMESPACE + "/" + source.topic + "/messages";
    requestWithStatus(label, HttpMethod.POST, uri, new JsonObject().put("messages", list).encode(),
        (status, body) -> {
          if (status != 200) {
            return;
          }
          JsonArray results = new JsonObject(body).getJsonArray("results");
          for (int i = 0; i < results.size(); i++) {
            if (results.getJsonObject(i).getBoolean("ok", false) && results.getJsonObject(i).getString("messageId")
                != null) {
              source.acked.set(first + i);
              count("messages." + source.name + ".acked");
            } else {
              count("messages." + source.name + ".refused-in-200");
            }
          }
        }, () -> {});
  }

  /** {@link #request} that also counts the answer's status under {@code http.<label>.<status>}. */
  private void requestWithStatus(String label, HttpMethod method, String uri, String body,
      java.util.function.BiConsumer<Integer, Buffer> onAnswer, Runnable onFailure) {
    request(label, method, uri, body, (status, answer) -> {
      count("http." + label + "." + status);
      onAnswer.accept(status, answer);
    }, onFailure);
  }

  // ---- WebSocket produce ------------------------------------------------------------------------------------------

  private final class WsProducer {
    private final Source source;
    private final int window;
    private WebSocket socket;
    private boolean connecting;
    /** Send time by sequence number of the frames awaiting their ack. */
    private final Map<Integer, Long> inFlight = new HashMap<>();

    WsProducer(Source source, int window) {
      this.source = source;
      this.window = window;
    }

    void connect() {
      if (connecting || !producing) {
        return;
      }
      connecting = true;
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort())
          .setURI("/ws/v2/producer/persistent/" + NAMESPACE + "/" + source.topic);
      wsClient.connect(options).onComplete(ar -> {
        connecting = false;
        if (ar.failed()) {
          count("ws.connect-failed");
          vertx.setTimer(1000, t -> connect());
          return;
        }
        count("ws.connected");
        WebSocket ws = ar.result();
        socket = ws;
        ws.textMessageHandler(this::ack);
        ws.exceptionHandler(err -> count("ws.socket-error." + err.getClass().getSimpleName()));
        ws.closeHandler(v -> {
          count("ws.closed." + ws.closeStatusCode());
          if (!inFlight.isEmpty()) {
            counts.merge("ws.frames.no-answer-socket-closed", (long) inFlight.size(), Long::sum);
            inFlight.clear();
          }
          socket = null;
          if (producing) {
            vertx.setTimer(1000, t -> connect());
          }
        });
      });
    }

    /** Sends one frame when the socket is open and its window has room; false otherwise. */
    boolean send() {
      if (socket == null || inFlight.size() >= window) {
        return false;
      }
      int seq = source.next++;
      source.sent.set(seq);
      inFlight.put(seq, System.currentTimeMillis());
      String payload = Base64.getEncoder().encodeToString(text(seq).getBytes(StandardCharsets.UTF_8));
      socket.writeTextMessage("{\"payload\":\"" + payload + "\",\"context\":\"" + seq + "\"}");
      count("ws.frames.sent");
      return true;
    }

    private void ack(String frame) {
      String context = WsProduceLoad.field(frame, "context");
      Integer seq = context == null ? null : Integer.valueOf(context);
      if (seq == null || inFlight.remove(seq) == null) {
        count("ws.frames.late-or-unknown-ack");
        return;
      }
      String result = WsProduceLoad.field(frame, "result");
      if ("ok".equals(result) && WsProduceLoad.field(frame, "messageId") != null) {
        source.acked.set(seq);
        count("ws.frames.ok");
      } else {
        count("ws.frames.send-error." + result);
      }
    }

    /** Counts the frames older than the deadline as unanswered. */
    void expire(long now) {
      inFlight.entrySet().removeIf(e -> {
        if (now - e.getValue() >= timeoutMs) {
          count("ws.frames.no-answer-within-timeout");
          return true;
        }
        return false;
      });
    }

    int inFlight() {
      return inFlight.size();
    }

    void close() {
      if (socket != null) {
        socket.close();
      }
    }
  }

  // ---- consumers --------------------------------------------------------------------------------------------------

  private void consumed(Source source, String text) {
    int seq = seqOf(text);
    if (seq < 0) {
      count("consume." + source.name + ".unreadable");
      return;
    }
    source.consumedTotal++;
    source.consumed.set(seq);
  }

  /** The SSE stream on the WebSocket topic; reconnects with the last event id. */
  private final class SseStream {
    private final Source source;
    private String lastEventId;
    private final StringBuilder pending = new StringBuilder();

    SseStream(Source source) {
      this.source = source;
    }

    void open() {
      if (!consuming) {
        return;
      }
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
          .setURI("/api/v1/topics/persistent/" + NAMESPACE + "/" + source.topic
              + "/subscriptions/soak-sse/events?initialPosition=Earliest&subscriptionType=Exclusive&format=text");
      if (lastEventId != null) {
        options.putHeader("Last-Event-ID", lastEventId);
      }
      http.request(options).compose(req -> req.send()).onComplete(ar -> {
        if (ar.failed()) {
          count("sse.connect-failed." + ar.cause().getClass().getSimpleName());
          vertx.setTimer(1000, t -> open());
          return;
        }
        HttpClientResponse response = ar.result();
        count("sse.opened." + response.statusCode());
        if (response.statusCode() != 200) {
          response.body().onComplete(b -> vertx.setTimer(1000, t -> open()));
          return;
        }
        pending.setLength(0);
        response.handler(this::chunk);
        response.exceptionHandler(err -> count("sse.stream-error." + err.getClass().getSimpleName()));
        response.endHandler(v -> {
          count("sse.ended");
          vertx.setTimer(1000, t -> open());
        });
      });
    }

    private void chunk(Buffer buffer) {
      pending.append(buffer.toString(StandardCharsets.UTF_8));
      int end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        String event = pending.substring(0, end);
        pending.delete(0, end + 2);
        String id = null;
        String data = null;
        String type = null;
        for (String line : event.split("\n")) {
          if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("data: ")) {
            data = line.substring(6);
          } else if (line.startsWith("event: ")) {
            type = line.substring(7);
          }
        }
        if (type != null) {
          count("sse.event." + type);
        } else if (data != null) {
          consumed(source, new JsonObject(data).getString("text"));
          if (id != null) {
            lastEventId = id;
          }
        }
      }
    }
  }

  /** The HTTP consumer instance on the single-message topic: long polls, acks what came, recreated when gone. */
  private final class PollConsumer {
    private final Source source;
    private String id;

    PollConsumer(Source source) {
      this.source = source;
    }

    void create() {
      if (!consuming) {
        return;
      }
      JsonObject body = new JsonObject().put("topic", "persistent://" + NAMESPACE + "/" + source.topic)
          .put("subscription", "soak-poll").put("subscriptionType", "Shared").put("initialPosition", "Earliest")
          .put("format", "text").put("receiverQueueSize", 100);
      requestWithStatus("consumer-create", HttpMethod.POST, "/api/v1/consumers", body.encode(), (status, answer) -> {
        if (status == 201) {
          id = new JsonObject(answer).getString("id");
          poll();
        } else {
          vertx.setTimer(1000, t -> create());
        }
      }, () -> vertx.setTimer(1000, t -> create()));
    }

    private void poll() {
      if (!consuming) {
        return;
      }
      requestWithStatus("consumer-poll", HttpMethod.GET, "/api/v1/consumers/" + id + "/messages?max=100&waitMs=5000",
          null, (status, answer) -> {
            if (status == 200) {
              JsonArray messages = new JsonArray(answer);
              JsonArray ids = new JsonArray();
              for (int i = 0; i < messages.size(); i++) {
                JsonObject message = messages.getJsonObject(i);
                consumed(source, message.getString("text"));
                ids.add(message.getString("messageId"));
              }
              if (ids.isEmpty()) {
                poll();
              } else {
                requestWithStatus("consumer-ack", HttpMethod.POST, "/api/v1/consumers/" + id + "/acks",
                    new JsonObject().put("messageIds", ids).encode(), (s, a) -> poll(), this::poll);
              }
            } else if (status == 404) {
              create();
            } else {
              vertx.setTimer(1000, t -> poll());
            }
          }, () -> vertx.setTimer(1000, t -> poll()));
    }
  }

  // ---- the run ----------------------------------------------------------------------------------------------------

  private int run(Map<String, String> options) throws Exception {
    long durationMs = Long.parseLong(options.get("duration")) * 1000;
    double singleRate = Double.parseDouble(options.get("single-rate"));
    double batchRate = Double.parseDouble(options.get("batch-rate"));
    int batchSize = Integer.parseInt(options.get("batch-size"));
    double wsRate = Double.parseDouble(options.get("ws-rate"));
    int wsSockets = Integer.parseInt(options.get("ws-sockets"));
    int wsWindow = Integer.parseInt(options.get("ws-window"));
    Path out = Path.of(options.get("out"));
    Files.createDirectories(out);

    CountDownLatch done = new CountDownLatch(1);
    long startedAt = System.currentTimeMillis();
    List<WsProducer> producers = new ArrayList<>();
    vertx.runOnContext(v -> {
      for (int i = 0; i < wsSockets; i++) {
        WsProducer producer = new WsProducer(sources.get("ws"), wsWindow);
        producers.add(producer);
        producer.connect();
      }
      new SseStream(sources.get("ws")).open();
      new PollConsumer(sources.get("single")).create();
      // Paced by credit: each tick adds rate x tick of each kind, sent while at least one is owed.
      double[] credit = new double[3];
      int[] turn = {0};
      vertx.setPeriodic(TICK_MS, timer -> {
        long now = System.currentTimeMillis();
        producers.forEach(p -> p.expire(now));
        if (producing && now - startedAt >= durationMs) {
          producing = false;
          System.err.println("load: producing stopped; waiting for the last answers");
        }
        if (producing) {
          credit[0] += singleRate * TICK_MS / 1000.0;
          credit[1] += batchRate * TICK_MS / 1000.0;
          credit[2] += wsRate * TICK_MS / 1000.0;
          for (; credit[0] >= 1; credit[0]--) {
            produce(sources.get("single"), 1);
          }
          for (; credit[1] >= 1; credit[1]--) {
            produce(sources.get("batch"), batchSize);
          }
          for (; credit[2] >= 1; credit[2]--) {
            boolean sent = false;
            for (int i = 0; i < producers.size() && !sent; i++) {
              sent = producers.get(turn[0]++ % producers.size()).send();
            }
            if (!sent) {
              count("ws.frames.not-sent-window-full-or-socket-down");
            }
          }
          return;
        }
        int wsPending = producers.stream().mapToInt(WsProducer::inFlight).sum();
        boolean answered = outstandingHttp == 0 && wsPending == 0;
        // The consumers take what is left for up to a minute after the last answer, then the run ends.
        boolean caughtUp = sources.get("ws").consumed.cardinality() >= sources.get("ws").acked.cardinality()
            && sources.get("single").consumed.cardinality() >= sources.get("single").acked.cardinality();
        long since = now - startedAt - durationMs;
        if (consuming && (caughtUp && wsPending == 0 || since > timeoutMs + 60_000)) {
          consuming = false;
          producers.forEach(WsProducer::close);
        }
        // Requests still outstanding are only the consumers' long polls (at most waitMs) once producing stopped.
        if (!consuming && (answered || since > timeoutMs + 75_000)) {
          vertx.cancelTimer(timer);
          done.countDown();
        }
      });
      vertx.setPeriodic(60_000, t -> System.err.println("load: " + progress()));
    });
    done.await(durationMs + timeoutMs + 180_000, TimeUnit.MILLISECONDS);

    int[] exit = {0};
    CountDownLatch written = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      try {
        exit[0] = write(out, System.currentTimeMillis() - startedAt);
      } catch (IOException e) {
        e.printStackTrace();
        exit[0] = 3;
      }
      written.countDown();
    });
    written.await();
    vertx.close().await();
    return exit[0];
  }

  private String progress() {
    StringBuilder sb = new StringBuilder();
    for (Source s : sources.values()) {
      sb.append(s.name).append(" sent=").append(s.sent.cardinality()).append(" acked=").append(s.acked.cardinality())
          .append(" consumed=").append(s.consumed.cardinality()).append("; ");
    }
    return sb.append("outstanding http=").append(outstandingHttp).toString();
  }

  private int write(Path out, long elapsedMs) throws IOException {
    JsonObject result = new JsonObject().put("run", run).put("elapsedSeconds", elapsedMs / 1000.0);
    JsonObject topics = new JsonObject();
    for (Source s : sources.values()) {
      writeSeqs(out.resolve("sent-" + s.name + ".txt"), s.sent);
      writeSeqs(out.resolve("acked-" + s.name + ".txt"), s.acked);
      BitSet notConsumed = (BitSet) s.acked.clone();
      notConsumed.andNot(s.consumed);
      topics.put(s.name, new JsonObject().put("topic", "persistent://" + NAMESPACE + "/" + s.topic)
          .put("sent", s.sent.cardinality()).put("acked", s.acked.cardinality())
          .put("consumedDistinct", s.consumed.cardinality()).put("consumedTotal", s.consumedTotal)
          .put("ackedNotConsumed", notConsumed.cardinality()));
    }
    result.put("sources", topics);
    JsonObject countsJson = new JsonObject();
    counts.forEach(countsJson::put);
    result.put("counts", countsJson);
    long unanswered = counts.entrySet().stream()
        .filter(e -> e.getKey().contains("no-answer") || e.getKey().contains("connection-error"))
        .mapToLong(Map.Entry::getValue).sum();
    result.put("unanswered", unanswered);
    Files.writeString(out.resolve("load.json"), result.encodePrettily());
    System.out.println(result.encodePrettily());
    return unanswered == 0 ? 0 : 1;
  }

  private static void writeSeqs(Path file, BitSet seqs) throws IOException {
    try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(file))) {
      for (int i = seqs.nextSetBit(0); i >= 0; i = seqs.nextSetBit(i + 1)) {
        writer.println(i);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadArgs.parse(
        "FaultSoakLoad --url http://host:port --run ID --out DIR [--duration 3600] [--single-rate 40] "
            + "[--batch-rate 4] [--batch-size 25] [--ws-rate 100] [--ws-sockets 2] [--ws-window 500] [--timeout 60] "
            + "[--size 200]",
        args, Map.ofEntries(Map.entry("run", "soak"), Map.entry("out", "soak-load"), Map.entry("duration", "3600"),
            Map.entry("single-rate", "40"), Map.entry("batch-rate", "4"), Map.entry("batch-size", "25"),
            Map.entry("ws-rate", "100"), Map.entry("ws-sockets", "2"), Map.entry("ws-window", "500"),
            Map.entry("timeout", "60"), Map.entry("size", "200")));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    FaultSoakLoad load = new FaultSoakLoad(vertx, URI.create(options.get("url")), options.get("run"),
        Integer.parseInt(options.get("size")), Long.parseLong(options.get("timeout")) * 1000);
    System.exit(load.run(options));
  }
}
