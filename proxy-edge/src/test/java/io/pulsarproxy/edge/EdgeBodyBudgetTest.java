package io.pulsarproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.ProxyConfigCodec;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The edge's budget of in-flight body bytes ({@code http.maxInFlightBytes}) without a broker: bodies that do not fit
 * are refused with 503 before they are buffered, and every way a request ends gives its bytes back.
 */
class EdgeBodyBudgetTest {
  private static final int KB = 1024;

  private Vertx vertx;
  private EdgeVerticle edge;
  private SimpleMeterRegistry registry;
  private HttpClient client;
  private NetClient net;
  /** Ends the response of a request held by {@code /hold}, on its event loop. */
  private final Queue<Runnable> held = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ProxyConfig config = ConfigLoader.build(new JsonObject().put("http", new JsonObject().put("port", 0)
        .put("maxBodySize", "64KB").put("maxMessageSize", "64KB").put("maxInFlightBytes", "100KB")));
    registry = new SimpleMeterRegistry();
    EdgeRoutes routes = new EdgeRoutes() {
      @Override
      public void mount(Vertx v, Router router) {
        router.post("/hold").handler(ctx -> {
          Context context = Vertx.currentContext();
          held.add(() -> context.runOnContext(x -> ctx.response().end("held")));
        });
        router.post("/echo").handler(ctx -> {
          Buffer body = BoundedBodyHandler.body(ctx);
          ctx.response().end(body == null ? "none" : Integer.toString(body.length()));
        });
        router.post("/fail").handler(ctx -> {
          throw new IllegalStateException("a handler failure (expected by the test)");
        });
      }
    };
    edge = new EdgeVerticle(config, new ProxyMetrics(registry), List.of(routes));
    get(vertx.deployVerticle(edge));
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(edge.actualPort())
        .setDefaultHost("127.0.0.1"));
    net = vertx.createNetClient();
  }

  @AfterEach
  void stop() throws Exception {
    get(vertx.close());
  }

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static Buffer bytes(int size) {
    return Buffer.buffer(new byte[size]);
  }

  private record Answer(int status, String retryAfter, String body) {}

  private Answer post(String path, Buffer body) throws Exception {
    return get(client.request(HttpMethod.POST, path)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.getHeader("Retry-After"),
            b.toString()))));
  }

  /**
   * Sends a chunked POST on a connection of its own, one chunk per buffer, and returns the response as text once it
   * is complete.
   */
  private String postChunked(String path, List<Buffer> chunks) throws Exception {
    NetSocket socket = get(net.connect(edge.actualPort(), "127.0.0.1"));
    Buffer received = Buffer.buffer();
    socket.handler(received::appendBuffer);
    Buffer request = Buffer.buffer("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (Buffer chunk : chunks) {
      request.appendString(Integer.toHexString(chunk.length()) + "\r\n").appendBuffer(chunk).appendString("\r\n");
    }
    socket.write(request.appendString("0\r\n\r\n"));
    await().atMost(Duration.ofSeconds(10)).until(() -> complete(received.toString(StandardCharsets.ISO_8859_1)));
    socket.close();
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  /** Whether {@code response} is a whole HTTP/1.1 response with a content-length. */
  private static boolean complete(String response) {
    int headersEnd = response.indexOf("\r\n\r\n");
    Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(response);
    return headersEnd > 0 && length.find()
        && response.length() - headersEnd - 4 >= Integer.parseInt(length.group(1));
  }

  /** Starts a /hold request with a body of {@code size} bytes and waits until the edge holds its bytes. */
  private void hold(int size) {
    long before = edge.budget().used();
    client.request(HttpMethod.POST, "/hold").compose(req -> req.send(bytes(size)));
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
    assertThat(edge.budget().used()).isEqualTo(before + size);
  }

  private void releaseHeld() {
    Runnable end;
    while ((end = held.poll()) != null) {
      end.run();
    }
  }

  private double refusals() {
    var counter = registry.find("pulsar_proxy_in_flight_bytes_exhausted").tag("source", "http").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void refusesABodyThatDoesNotFitWith503AndRetryAfterAndTakesItOnceBytesCameBack() throws Exception {
    hold(60 * KB);

    Answer refused = post("/echo", bytes(50 * KB));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.retryAfter()).isEqualTo("1");
    JsonObject envelope = new JsonObject(refused.body());
    assertThat(envelope.getString("error")).isEqualTo("OVERLOADED");
    assertThat(envelope.getString("message")).contains("http.maxInFlightBytes");
    assertThat(refusals()).isEqualTo(1);
    // What still fits is taken.
    assertThat(post("/echo", bytes(40 * KB))).isEqualTo(new Answer(200, null, Integer.toString(40 * KB)));

    releaseHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);
    assertThat(post("/echo", bytes(50 * KB))).isEqualTo(new Answer(200, null, Integer.toString(50 * KB)));
    assertThat(edge.budget().used()).isZero();
  }

  @Test
  void refusesAChunkedBodyOnceItsNextChunkDoesNotFit() throws Exception {
    hold(60 * KB);

    String refused = postChunked("/echo", Collections.nCopies(6, bytes(10 * KB)));
    assertThat(refused).startsWith("HTTP/1.1 503 ").containsIgnoringCase("retry-after: 1\r\n")
        .contains("http.maxInFlightBytes");
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 60 * KB);

    releaseHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);
  }

  @Test
  void readsAChunkedBodyThatFitsWhole() throws Exception {
    List<Buffer> chunks = new ArrayList<>(Collections.nCopies(1000, Buffer.buffer("0123456789")));
    chunks.add(bytes(20 * KB));
    String answer = postChunked("/echo", chunks);
    assertThat(answer).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n" + (10_000 + 20 * KB));
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);
  }

  @Test
  void givesTheBytesBackWhenTheClientDisconnectsMidBody() throws Exception {
    NetSocket declared = get(net.connect(edge.actualPort(), "127.0.0.1"));
    declared.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + (60 * KB) + "\r\n\r\n");
    declared.write(bytes(30 * KB));
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 60 * KB);
    get(declared.close());
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);

    NetSocket chunked = get(net.connect(edge.actualPort(), "127.0.0.1"));
    chunked.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
    chunked.write(Buffer.buffer(Integer.toHexString(30 * KB) + "\r\n").appendBuffer(bytes(30 * KB))
        .appendString("\r\n"));
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 30 * KB);
    get(chunked.close());
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);

    // Nothing leaked: the whole budget can be taken again.
    hold(60 * KB);
    assertThat(post("/echo", bytes(40 * KB)).status()).isEqualTo(200);
    releaseHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);
  }

  @Test
  void answers413ForABodyOverTheLimitAndHoldsNothing() throws Exception {
    assertThat(post("/echo", bytes(64 * KB + 1)).status()).isEqualTo(413);

    String tooLarge = postChunked("/echo", List.of(bytes(40 * KB), bytes(40 * KB)));
    assertThat(tooLarge).startsWith("HTTP/1.1 413 ").contains("http.maxBodySize");
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);
  }

  @Test
  void givesTheBytesBackWhenTheHandlerFails() throws Exception {
    assertThat(post("/fail", bytes(50 * KB)).status()).isEqualTo(500);
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);
  }

  @Test
  void keepsTheConnectionAfterARefusal() throws Exception {
    hold(60 * KB);
    NetSocket socket = get(net.connect(edge.actualPort(), "127.0.0.1"));
    Buffer received = Buffer.buffer();
    socket.handler(received::appendBuffer);
    // A refused body, then a request that fits, on one connection.
    socket.write(Buffer.buffer("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + (50 * KB) + "\r\n\r\n")
        .appendBuffer(bytes(50 * KB))
        .appendString("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.toString(StandardCharsets.ISO_8859_1).endsWith("3"));
    String answers = received.toString(StandardCharsets.ISO_8859_1);
    assertThat(answers).startsWith("HTTP/1.1 503 ");
    assertThat(answers.indexOf("HTTP/1.1 200 ")).isGreaterThan(0);
    releaseHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);
  }

  @Test
  void refusesAClientThatExpects100ContinueBeforeItSendsTheBody() throws Exception {
    hold(60 * KB);
    NetSocket socket = get(net.connect(edge.actualPort(), "127.0.0.1"));
    Buffer received = Buffer.buffer();
    socket.handler(received::appendBuffer);
    socket.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: " + (50 * KB)
        + "\r\n\r\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> complete(received.toString(StandardCharsets.ISO_8859_1)));
    assertThat(received.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 503 ")
        .contains("http.maxInFlightBytes");
    socket.close();
    releaseHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().used() == 0);
  }

  @Test
  void aReloadChangesTheBudget() throws Exception {
    ProxyConfig bigger = ConfigLoader.build(new JsonObject().put("http", new JsonObject().put("port", 0)
        .put("maxBodySize", "64KB").put("maxMessageSize", "64KB").put("maxInFlightBytes", "200KB")));
    ProxyConfigCodec.register(vertx);
    vertx.eventBus().publish(Addresses.CONFIG_CHANGED, bigger, new DeliveryOptions().setLocalOnly(true));
    await().atMost(Duration.ofSeconds(10)).until(() -> edge.budget().limit() == 200 * KB);
    hold(60 * KB);
    assertThat(post("/echo", bytes(60 * KB)).status()).isEqualTo(200);
  }
}
