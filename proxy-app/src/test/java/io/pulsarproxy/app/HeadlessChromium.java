package io.pulsarproxy.app;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * A headless Chromium (Debian's {@code chromium} package) showing one page, driven through the Chrome DevTools
 * Protocol over its WebSocket: enough to evaluate JavaScript in the page and read its DOM.
 */
final class HeadlessChromium implements AutoCloseable {
  static final String BINARY = "chromium";

  private final Process process;
  private final Path profile;
  private final WebSocketClient client;
  private final WebSocket devtools;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> calls = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, Path profile, WebSocketClient client, WebSocket devtools) {
    this.process = process;
    this.profile = profile;
    this.client = client;
    this.devtools = devtools;
    devtools.textMessageHandler(text -> {
      JsonObject message = new JsonObject(text);
      CompletableFuture<JsonObject> call = message.containsKey("id") ? calls.remove(message.getInteger("id")) : null;
      if (call != null) {
        call.complete(message);
      }
    });
  }

  /** Whether a Chromium can be started here. */
  static boolean available() {
    try {
      Process version = new ProcessBuilder(BINARY, "--version").redirectErrorStream(true).start();
      return version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Starts Chromium on {@code url} with a fresh profile and connects to the page's DevTools socket. */
  static HeadlessChromium open(Vertx vertx, String url) throws Exception {
    Path profile = Files.createTempDirectory("chromium-profile-");
    Process process = new ProcessBuilder(BINARY, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--remote-debugging-port=0", url)
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("chromium.log").toFile())
        .start();
    try {
      // Chromium writes the port it picked into the profile directory.
      Path activePort = profile.resolve("DevToolsActivePort");
      Awaitility.await().atMost(Duration.ofSeconds(60))
          .until(() -> Files.exists(activePort) && Files.readAllLines(activePort).size() >= 2);
      int port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
      String pageSocket = pageSocket(port, url);
      WebSocketClient client = vertx.createWebSocketClient();
      URI uri = URI.create(pageSocket);
      WebSocket devtools = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
              .setURI(uri.getPath()).setAllowOriginHeader(false))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new HeadlessChromium(process, profile, client, devtools);
    } catch (Exception | AssertionError e) {
      stop(process);
      throw e;
    }
  }

  private static String pageSocket(int port, String url) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String[] found = new String[1];
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/json/list")).build(), HttpResponse.BodyHandlers.ofString());
      for (Object target : new JsonArray(list.body())) {
        JsonObject t = (JsonObject) target;
        if ("page".equals(t.getString("type")) && t.getString("url", "").startsWith(url.split("\\?")[0])) {
          found[0] = t.getString("webSocketDebuggerUrl");
        }
      }
      return found[0] != null;
    });
    return found[0];
  }

  /** Evaluates {@code expression} in the page and returns its value as a string (null for undefined). */
  String evaluate(String expression) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    calls.put(id, answer);
    devtools.writeTextMessage(new JsonObject().put("id", id).put("method", "Runtime.evaluate")
        .put("params", new JsonObject().put("expression", expression).put("returnByValue", true)
            .put("awaitPromise", true)).encode());
    JsonObject response = answer.get(30, TimeUnit.SECONDS);
    JsonObject result = response.getJsonObject("result", new JsonObject());
    if (result.containsKey("exceptionDetails")) {
      throw new IllegalStateException("page threw: " + result.getJsonObject("exceptionDetails").encode());
    }
    Object value = result.getJsonObject("result", new JsonObject()).getValue("value");
    return value == null ? null : value.toString();
  }

  /** What Chromium printed, for failure messages. */
  String log() throws IOException {
    List<String> lines = Files.readAllLines(profile.resolve("chromium.log"));
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  @Override
  public void close() throws Exception {
    devtools.close();
    client.close();
    stop(process);
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  private static void stop(Process process) throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
