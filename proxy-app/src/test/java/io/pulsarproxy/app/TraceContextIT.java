package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.pulsarproxy.app.logging.TraceConverter;
import io.pulsarproxy.core.produce.ProducerVerticle;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** W3C trace context from requests through Pulsar to consumers, the spans it makes and the log lines it marks. */
@ExtendWith(PulsarExtension.class)
class TraceContextIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";

  private static ProxyFixture proxy;
  private static PulsarBroker broker;
  private static PulsarClient client;
  private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  private static final TracedLines LINES = new TracedLines();

  /** Keeps each line with the trace ids its pattern's {@code %trace} gave it when it was written. */
  static final class TracedLines extends ListAppender<ILoggingEvent> {
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final TraceConverter trace = new TraceConverter();

    @Override
    protected void append(ILoggingEvent event) {
      lines.add(trace.convert(event) + event.getLoggerName() + " " + event.getFormattedMessage());
    }

    List<String> of(String loggerOrText) {
      return lines.stream().filter(l -> l.contains(loggerOrText)).toList();
    }
  }

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
    LINES.setContext(logs);
    LINES.start();
    Logger root = logs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(LINES);
    logs.getLogger(ProducerVerticle.class).setLevel(Level.DEBUG);
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), cfg("log", "access", true), SPANS);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        .detachAppender(LINES);
  }

  private static String traceId() {
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      id.append(Character.forDigit((int) (Math.random() * 16), 16));
    }
    return id.toString();
  }

  private static HttpResponse<String> produce(String topic, String body, Map<String, String> headers) {
    return produce(topic, "", body, headers);
  }

  private static HttpResponse<String> produce(String topic, String query, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(proxy.url(producePath(topic) + query)))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return proxy.send(request.build());
  }

  private static List<Message<byte[]>> read(String topic, int count) throws Exception {
    List<Message<byte[]>> messages = new ArrayList<>();
    try (Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      for (int i = 0; i < count; i++) {
        Message<byte[]> m = reader.readNext(30, TimeUnit.SECONDS);
        assertThat(m).as("message %d of %d", i + 1, count).isNotNull();
        messages.add(m);
      }
    }
    return messages;
  }

  /** [version, trace id, parent span id, flags] of a {@code traceparent}. */
  private static String[] parts(String traceparent) {
    assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    return traceparent.split("-");
  }

  private static SpanData span(String traceId, SpanKind kind, String namePrefix) {
    await().atMost(WAIT).until(() -> SPANS.getFinishedSpanItems().stream().anyMatch(s ->
        s.getTraceId().equals(traceId) && s.getKind() == kind && s.getName().startsWith(namePrefix)));
    return SPANS.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId) && s.getKind() == kind
        && s.getName().startsWith(namePrefix)).findFirst().orElseThrow();
  }

  @Test
  void aBatchedProduceCarriesTheRequestsTraceIntoEveryMessageUnderTheProxysSendSpan() throws Exception {
    String topic = broker.uniqueTopic("trace-produce");
    String trace = traceId();
    HttpResponse<String> response = produce(topic, """
        {"messages":[
          {"value":"one","properties":{"traceparent":"00-11111111111111111111111111111111-2222222222222222-01",
                                       "tracestate":"client=set","source":"it"}},
          {"value":"two"}
        ]}""", Map.of("traceparent", "00-" + trace + "-" + CLIENT_SPAN + "-01", "tracestate", "vendor=abc"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String[] answered = parts(response.headers().firstValue("traceparent").orElseThrow());
    assertThat(answered[1]).isEqualTo(trace);
    assertThat(answered[2]).isNotEqualTo(CLIENT_SPAN);

    List<Message<byte[]>> messages = read(topic, 2);
    SpanData send = span(trace, SpanKind.PRODUCER, "send ");
    for (Message<byte[]> m : messages) {
      String[] carried = parts(m.getProperty("traceparent"));
      assertThat(carried[1]).isEqualTo(trace);
      assertThat(carried[2]).isEqualTo(send.getSpanId()).isNotEqualTo(CLIENT_SPAN);
      assertThat(carried[3]).isEqualTo("01");
      assertThat(m.getProperty("tracestate")).isEqualTo("vendor=abc");
    }
    assertThat(messages.get(0).getProperty("source")).isEqualTo("it");
    assertThat(new String(messages.get(1).getValue(), StandardCharsets.UTF_8)).isEqualTo("\"two\"");

    // The request's span continues the client's and is the one the answer named; the send span is below it.
    await().atMost(WAIT).until(() -> SPANS.getFinishedSpanItems().stream()
        .anyMatch(s -> s.getSpanId().equals(answered[2])));
    Map<String, SpanData> spans = new java.util.HashMap<>();
    SPANS.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace))
        .forEach(s -> spans.put(s.getSpanId(), s));
    SpanData request = spans.get(answered[2]);
    assertThat(request).as("the span the response named, among %s", spans.values()).isNotNull();
    assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(request.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    SpanData ancestor = send;
    while (ancestor != null && ancestor != request) {
      ancestor = spans.get(ancestor.getParentSpanId());
    }
    assertThat(ancestor).as("the request's span above the send span").isSameAs(request);
    assertThat(send.getAttributes().asMap().toString()).contains("messaging.batch.message_count=2");
  }

  @Test
  void aMissingOrMalformedTraceparentStartsANewTrace() throws Exception {
    String topic = broker.uniqueTopic("trace-new");
    HttpResponse<String> malformed = produce(topic, "{\"messages\":[{\"value\":1}]}",
        Map.of("traceparent", "00-zzzz-00f067aa0ba902b7-01"));
    HttpResponse<String> absent = produce(topic, "{\"messages\":[{\"value\":2}]}", Map.of());

    assertThat(malformed.statusCode()).isEqualTo(200);
    assertThat(absent.statusCode()).isEqualTo(200);
    String first = parts(malformed.headers().firstValue("traceparent").orElseThrow())[1];
    String second = parts(absent.headers().firstValue("traceparent").orElseThrow())[1];
    assertThat(first).isNotEqualTo(second).isNotEqualTo("0".repeat(32));
    List<Message<byte[]>> messages = read(topic, 2);
    assertThat(parts(messages.get(0).getProperty("traceparent"))[1]).isEqualTo(first);
    assertThat(parts(messages.get(1).getProperty("traceparent"))[1]).isEqualTo(second);
    // A failed request answers with its trace too.
    assertThat(proxy.get(proxy.url("/api/v1/nothing-here")).headers().firstValue("traceparent")).isPresent();
  }

  @Test
  void sseAndWebSocketConsumersGetTheMessagesTraceContext() throws Exception {
    String topic = broker.uniqueTopic("trace-consume");
    String topicPath = topic.replace("://", "/");
    WebSocketAppIT.Listener consumed = new WebSocketAppIT.Listener();
    WebSocket consumer = proxy.http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + proxy.app.httpPort() + "/ws/v2/consumer/" + topicPath + "/ws-sub"),
            consumed).get(30, TimeUnit.SECONDS);
    try (SseReader sse = SseReader.open(proxy, "/api/v1/topics/" + topicPath
        + "/subscriptions/sse-sub/events?initialPosition=Earliest&format=text", Map.of())) {
      String trace = traceId();
      HttpResponse<String> response = produce(topic, "{\"messages\":[{\"value\":\"traced\"}]}",
          Map.of("traceparent", "00-" + trace + "-" + CLIENT_SPAN + "-01"));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      String carried = read(topic, 1).get(0).getProperty("traceparent");
      assertThat(parts(carried)[1]).isEqualTo(trace);

      JsonObject event = new JsonObject(sse.next(WAIT).data());
      assertThat(event.getString("text")).isEqualTo("\"traced\"");
      assertThat(event.getString("traceparent")).isEqualTo(carried);
      assertThat(event.getJsonObject("properties").getString("traceparent")).isEqualTo(carried);

      await().atMost(WAIT).until(() -> !consumed.messages.isEmpty());
      assertThat(consumed.messages.get(0).getJsonObject("properties").getString("traceparent")).isEqualTo(carried);
      // The proxy's deliveries (one for the SSE stream, one for the socket) continue the producer's send span.
      await().atMost(WAIT).until(() -> SPANS.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)
          && s.getKind() == SpanKind.CONSUMER && s.getParentSpanId().equals(parts(carried)[2])).count() >= 2);
    } finally {
      consumer.abort();
    }
  }

  @Test
  void aWebSocketProducerContinuesItsHandshakesTrace() throws Exception {
    String topic = broker.uniqueTopic("trace-ws");
    String trace = traceId();
    String path = "/ws/v2/producer/" + topic.replace("://", "/");
    String traceparent = "00-" + trace + "-" + CLIENT_SPAN + "-01";
    // The handshake's answer, read off the wire (the JDK client does not show it).
    try (Socket raw = new Socket("127.0.0.1", proxy.app.httpPort())) {
      raw.setSoTimeout(30_000);
      raw.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
          + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dHJhY2UtY29udGV4dC1pdA==\r\n"
          + "traceparent: " + traceparent + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      BufferedReader answer = new BufferedReader(new InputStreamReader(raw.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(answer.readLine()).startsWith("HTTP/1.1 101");
      String header = null;
      for (String line = answer.readLine(); line != null && !line.isEmpty(); line = answer.readLine()) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("traceparent:")) {
          header = line.substring("traceparent:".length()).trim();
        }
      }
      assertThat(parts(header)[1]).isEqualTo(trace);
    }

    WebSocketAppIT.Listener acks = new WebSocketAppIT.Listener();
    WebSocket socket = proxy.http.newWebSocketBuilder().header("traceparent", traceparent)
        .buildAsync(URI.create("ws://127.0.0.1:" + proxy.app.httpPort() + path), acks).get(30, TimeUnit.SECONDS);
    try {
      for (String text : List.of("a", "b")) {
        socket.sendText(new JsonObject().put("context", text)
            .put("payload", Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))).encode(), true)
            .get(30, TimeUnit.SECONDS);
      }
      await().atMost(WAIT).until(() -> acks.messages.size() == 2);
      assertThat(acks.messages).allMatch(a -> a.getString("result").equals("ok"));

      for (Message<byte[]> m : read(topic, 2)) {
        String[] carried = parts(m.getProperty("traceparent"));
        assertThat(carried[1]).isEqualTo(trace);
        assertThat(carried[2]).isNotEqualTo(CLIENT_SPAN);
      }
      span(trace, SpanKind.PRODUCER, "send ");
    } finally {
      socket.abort();
    }
  }

  @Test
  void logLinesOfARequestCarryItsTraceAlsoAfterThePulsarCallback() throws Exception {
    String topic = broker.uniqueTopic("trace-logs");
    String first = traceId();
    String second = traceId();
    for (String trace : List.of(first, second)) {
      HttpResponse<String> response = produce(topic, "?token=s3cret", "{\"messages\":[{\"value\":1},{\"value\":2}]}",
          Map.of("traceparent", "00-" + trace + "-" + CLIENT_SPAN + "-01"));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
    assertThat(read(topic, 4)).hasSize(4);

    for (String trace : List.of(first, second)) {
      // Written on the producer verticle's context after the broker's acks came back on a Pulsar thread.
      await().atMost(WAIT).untilAsserted(() -> assertThat(LINES.of(ProducerVerticle.class.getName()))
          .anyMatch(l -> l.startsWith("trace_id=" + trace + " ") && l.contains("answered by the broker")));
      await().atMost(WAIT).untilAsserted(() -> assertThat(LINES.of("io.pulsarproxy.access"))
          .anyMatch(l -> l.contains("POST ") && l.contains("trace_id=" + trace) && l.contains(" 200 ")));
    }
    // No line of one request carries the other's trace.
    assertThat(LINES.lines.stream().filter(l -> l.contains("answered by the broker") && l.contains(topic)))
        .allMatch(l -> l.startsWith("trace_id=" + first) || l.startsWith("trace_id=" + second));
    assertThat(LINES.of("io.pulsarproxy.access")).noneMatch(l -> l.contains("s3cret"))
        .anyMatch(l -> l.contains("token=***"));
  }
}
