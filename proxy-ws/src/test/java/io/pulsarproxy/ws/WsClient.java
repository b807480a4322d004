package io.pulsarproxy.ws;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** A WebSocket test client that records what it receives: text frames as JSON, pongs, pings and the close. */
final class WsClient implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  final WebSocket socket;
  final List<JsonObject> received = new CopyOnWriteArrayList<>();
  final List<String> pongs = new CopyOnWriteArrayList<>();
  final List<String> pings = new CopyOnWriteArrayList<>();
  private volatile Short closeStatus;
  private volatile String closeReason;
  /** What the broker and the proxy know of the socket's topic, for a failure message. */
  private final Supplier<String> diagnostics;

  WsClient(WebSocket socket, Supplier<String> diagnostics) {
    this.socket = socket;
    this.diagnostics = diagnostics;
    socket.textMessageHandler(text -> received.add(new JsonObject(text)));
    socket.pongHandler(payload -> pongs.add(payload.toString(StandardCharsets.UTF_8)));
    socket.frameHandler(frame -> {
      if (frame.type() == WebSocketFrameType.PING) {
        pings.add(frame.binaryData().toString(StandardCharsets.UTF_8));
      }
    });
    socket.closeHandler(v -> {
      closeReason = socket.closeReason();
      closeStatus = socket.closeStatusCode() == null ? -1 : socket.closeStatusCode();
    });
  }

  void send(JsonObject frame) {
    send(frame.encode());
  }

  void send(String text) {
    socket.writeTextMessage(text);
  }

  /** A producer frame with a UTF-8 text payload. */
  static JsonObject message(String text, String context) {
    return new JsonObject().put("payload", base64(text)).put("context", context);
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String text(JsonObject message) {
    return new String(Base64.getDecoder().decode(message.getString("payload")), StandardCharsets.UTF_8);
  }

  /**
   * Waits until at least {@code count} frames came, and returns the first {@code count}. Fails as soon as the socket
   * closes short of them, and on timeout; either way the message says what came, how the socket ended, and what the
   * broker knows of the topic's subscriptions.
   */
  List<JsonObject> await(int count) {
    try {
      Awaitility.await().atMost(WAIT).until(() -> received.size() >= count || isClosed());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(explain("waited " + WAIT.toSeconds() + " s for " + count + " frame(s)"), e);
    }
    if (received.size() < count) {
      throw new AssertionError(explain("closed before " + count + " frame(s) came"));
    }
    return received.subList(0, count);
  }

  private String explain(String what) {
    List<JsonObject> frames = List.copyOf(received);
    String last = frames.subList(Math.max(0, frames.size() - 3), frames.size()).toString();
    String state = isClosed() ? "closed " + closeStatus + " \"" + closeReason + "\"" : "open";
    String known;
    try {
      known = diagnostics.get();
    } catch (RuntimeException e) {
      known = "(no diagnostics: " + e + ")";
    }
    return what + ": " + frames.size() + " came (last: " + last + "); socket " + state + "; " + known;
  }

  /** Checks that exactly {@code count} frames came and no more come for two seconds. */
  void staysAt(int count) {
    Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(7))
        .until(() -> received.size() == count);
  }

  /** Waits for the close and returns its status code. */
  short awaitClose() {
    Awaitility.await().atMost(WAIT).until(() -> closeStatus != null);
    return closeStatus;
  }

  String closeReason() {
    return closeReason;
  }

  boolean isClosed() {
    return closeStatus != null;
  }

  void ping(String payload) {
    socket.writePing(Buffer.buffer(payload));
  }

  @Override
  public void close() {
    if (!isClosed()) {
      socket.close();
    }
  }
}
