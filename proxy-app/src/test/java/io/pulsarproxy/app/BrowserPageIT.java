package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser page in a real headless Chromium: it subscribes through the WebSocket API, shows what the REST API
 * produced, reconnects after a drop and produces from its own form.
 *
 * <p>Needs Debian's {@code chromium}; without it the test is skipped, unless {@code -Dbrowser.required=true} (as
 * {@code .ci/run} sets it) turns that into a failure.
 */
@ExtendWith(PulsarExtension.class)
class BrowserPageIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** An origin whose pages may use the proxy; the test's other page is served from another. */
  private static final String ALLOWED_ORIGIN = "http://allowed.example";
  private static PulsarBroker broker;
  private static ProxyFixture proxy;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    boolean available = HeadlessChromium.available();
    if (Boolean.getBoolean("browser.required")) {
      assertThat(available).as("chromium must be installed (apt-get install -y chromium)").isTrue();
    }
    assumeTrue(available, "chromium is not installed; the browser page test is skipped");
    broker = pulsar;
    // With CORS on, the proxy's own page (same origin) must still work; pages of other origins must not.
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(),
        new JsonObject().put("cors", new JsonObject().put("allowedOrigins", new JsonArray().add(ALLOWED_ORIGIN))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void showsMessagesProducedThroughTheRestApiAndReconnectsAfterADrop() throws Exception {
    String topic = broker.uniqueTopic("page");
    String page = "http://127.0.0.1:" + proxy.app.httpPort() + "/?autoconnect=1&position=Earliest&subscription=page-sub"
        + "&topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
    try (HeadlessChromium chromium = HeadlessChromium.open(proxy.app.vertx(), page)) {
      awaitState(chromium, "open");
      // the page's consumer is what the broker sees on the subscription
      assertThat(broker.admin().topics().getStats(topic).getSubscriptions().get("page-sub").getConsumers())
          .hasSize(1);

      assertThat(restProduce(topic, new JsonObject().put("value",
          new JsonObject().put("greeting", "hello from the REST API").put("n", 1))
          .put("key", "key-1").put("properties", new JsonObject().put("via", "rest")))).isEqualTo(200);
      awaitText(chromium, "#messages", "\"greeting\": \"hello from the REST API\"");
      String shown = chromium.evaluate("document.querySelector('#messages .message').innerText");
      assertThat(shown).contains("key-1").contains("via").contains("rest").contains("\"n\": 1");
      assertThat(chromium.evaluate("document.querySelector('#messages .message .publish-time').dateTime"))
          .matches("\\d{4}-\\d\\d-\\d\\dT.*");
      // auto-acknowledged: nothing left in the backlog
      Awaitility.await().atMost(WAIT).until(() -> broker.admin().topics().getStats(topic).getSubscriptions()
          .get("page-sub").getMsgBacklog() == 0);

      // a dropped connection comes back by itself
      chromium.evaluate("window.pulsarProxyPage.socket().close(4000, 'dropped by the test')");
      awaitState(chromium, "open");
      assertThat(restProduce(topic, new JsonObject().put("text", "after the reconnect"))).isEqualTo(200);
      awaitText(chromium, "#messages", "after the reconnect");

      // the page's own form produces through the WebSocket producer API
      chromium.evaluate("document.getElementById('produce-payload').value = 'typed into the page';"
          + "document.getElementById('produce-key').value = 'form-key';"
          + "document.getElementById('produce').click()");
      awaitText(chromium, "#produce-result", "message id");
      awaitText(chromium, "#messages", "typed into the page");
      assertThat(read(topic)).contains("typed into the page");
      assertThat(chromium.evaluate("document.getElementById('count').textContent")).isEqualTo("3");
    }
  }

  @Test
  void aPageOfAnotherOriginCannotOpenAWebSocketOrCallTheApi() throws Exception {
    String topic = broker.uniqueTopic("foreign-page");
    String base = "ws://127.0.0.1:" + proxy.app.httpPort();
    String api = "http://127.0.0.1:" + proxy.app.httpPort() + "/api/v1/topics/" + topic.replace("://", "/")
        + "/messages";
    // A page on another port is another origin: it tries a WebSocket consumer and a REST produce to the proxy.
    String html = "<!DOCTYPE html><html><head><title>foreign</title></head><body><p id='ws'>pending</p>"
        + "<p id='rest'>pending</p><script>"
        + "const ws = new WebSocket('" + base + "/ws/v2/consumer/" + topic.replace("://", "/") + "/foreign');"
        + "ws.onopen = () => document.getElementById('ws').textContent = 'open';"
        + "ws.onclose = (e) => document.getElementById('ws').textContent = 'closed ' + e.code;"
        + "fetch('" + api + "', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        + " body: JSON.stringify({messages: [{text: 'from a foreign page'}]})})"
        + ".then(r => document.getElementById('rest').textContent = 'status ' + r.status)"
        + ".catch(e => document.getElementById('rest').textContent = 'blocked');"
        + "</script></body></html>";
    HttpServer foreign = proxy.app.vertx().createHttpServer()
        .requestHandler(request -> request.response().putHeader("Content-Type", "text/html").end(html))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try (HeadlessChromium chromium = HeadlessChromium.open(proxy.app.vertx(),
        "http://127.0.0.1:" + foreign.actualPort() + "/foreign.html")) {
      // the handshake is answered 403: the browser reports an abnormal close (1006), never an open socket
      awaitText(chromium, "#ws", "closed 1006");
      // the preflight of the JSON POST gets no CORS approval: the browser blocks the request
      awaitText(chromium, "#rest", "blocked");
    } finally {
      foreign.close();
    }
    assertThat(broker.admin().topics().getList("public/default")).doesNotContain(topic);
  }

  private void awaitState(HeadlessChromium chromium, String state) {
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        // ?. : the page may still be loading
        assertThat(chromium.evaluate("document.getElementById('state')?.dataset.state"))
            .as(() -> "page state; chromium log:\n" + log(chromium)).isEqualTo(state));
  }

  private void awaitText(HeadlessChromium chromium, String selector, String text) {
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(chromium.evaluate("document.querySelector('" + selector + "')?.innerText")).contains(text));
  }

  private static String log(HeadlessChromium chromium) {
    try {
      return chromium.log();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private int restProduce(String topic, JsonObject message) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.app.httpPort()
            + "/api/v1/topics/" + topic.replace("://", "/") + "/messages"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("messages", new JsonArray().add(message))
            .encode())).build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }

  /** Every payload of the topic, read by a Java reader: what really reached Pulsar. */
  private static String read(String topic) throws Exception {
    StringBuilder all = new StringBuilder();
    try (PulsarClient client = broker.newClient();
         Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      Message<byte[]> m;
      while ((m = reader.readNext(5, TimeUnit.SECONDS)) != null) {
        all.append(new String(m.getValue(), StandardCharsets.UTF_8)).append('\n');
      }
    }
    return all.toString();
  }
}
