package io.pulsarproxy.ws;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.pulsarproxy.edge.auth.Principal;
import io.opentelemetry.context.Scope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted WebSocket and what it opened on the Pulsar side, which it releases exactly once when the socket
 * closes for whatever reason (client, error, idle timeout, shutdown). Subclasses implement a role.
 *
 * <p>Confined to the edge verticle's event loop: every handler runs there.
 */
abstract class SocketSession {
  private static final Logger LOG = LoggerFactory.getLogger(SocketSession.class);
  /** RFC 6455: a close reason is at most 123 bytes of UTF-8. */
  private static final int MAX_REASON_BYTES = 123;

  static final short NORMAL = 1000;
  static final short GOING_AWAY = 1001;
  static final short UNSUPPORTED_DATA = 1003;
  static final short INVALID_PAYLOAD = 1007;
  static final short POLICY_VIOLATION = 1008;
  static final short TOO_BIG = 1009;
  static final short SERVER_ERROR = 1011;

  final Vertx vertx;
  final ServerWebSocket socket;
  final WsSessions sessions;
  final String id;
  final String description;
  /** Who the socket acts for, as the edge authenticated its handshake. */
  final Principal principal;
  /** The event loop's context, where every handler of the socket runs. */
  final Context context;
  private final Promise<Void> closed = Promise.promise();
  private long lastActivityNanos = System.nanoTime();
  private long lastPingNanos = System.nanoTime();
  private boolean closing;
  /** The handshake's trace context: current while the socket's frames are handled. */
  private io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.root();

  SocketSession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, String description,
      Principal principal) {
    this.vertx = vertx;
    this.socket = socket;
    this.sessions = sessions;
    this.id = id;
    this.description = description;
    this.principal = principal;
    this.context = vertx.getOrCreateContext();
  }

  abstract WsPath.Role role();

  /** Starts the role's work once the socket's handlers are set. */
  abstract void opened();

  /** One complete text message from the client. */
  abstract void text(String text);

  /** Releases what the session holds on the Pulsar side; called once, after the socket closed. */
  abstract void release();

  /** The proxy is stopping: finish what can be finished quickly, then close with 1001. */
  void shutdown() {
    close(GOING_AWAY, "the proxy is shutting down");
  }

  final void start() {
    socket.frameHandler(frame -> touch());
    socket.textMessageHandler(text -> {
      if (closing) {
        return;
      }
      long limit = sessions.config().maxFrameBytes();
      // The server enforces the limit it started with; a lower limit loaded since applies to this check.
      if (limit < sessions.serverFrameLimit() && utf8Length(text) > limit) {
        close(TOO_BIG, "message larger than " + limit + " bytes (ws.maxFrameSize)");
        return;
      }
      try (Scope scope = traced()) {
        text(text);
      }
    });
    socket.binaryMessageHandler(binary ->
        close(UNSUPPORTED_DATA, "binary frames are not part of Pulsar's WebSocket API; send JSON text frames"));
    socket.exceptionHandler(this::failed);
    socket.closeHandler(v -> finish());
    opened();
  }

  /** Continues the trace of the handshake (its {@code traceparent}, or the trace the proxy started for it). */
  void trace(io.opentelemetry.context.Context handshake) {
    trace = handshake;
  }

  /**
   * Makes the handshake's trace context current on this context until the scope is closed: what the socket does
   * meanwhile (event-bus requests, log lines) belongs to that trace.
   */
  Scope traced() {
    return trace.makeCurrent();
  }

  /** Releases the session once, whichever of the close event and a failed start comes first. */
  final void finish() {
    closing = true;
    if (closed.future().isComplete()) {
      return;
    }
    sessions.remove(this);
    try {
      release();
    } finally {
      closed.complete();
    }
  }

  /** Completes once the socket is closed and the session released. */
  Future<Void> closed() {
    return closed.future();
  }

  /** Whether the socket is closing or closed, by either side (a close frame may have come before the close event). */
  boolean isClosing() {
    return closing || socket.isClosed();
  }

  /** Writes one text frame; does nothing once the socket is closing. */
  void write(String text) {
    writeAll(List.of(text));
  }

  /**
   * Writes text frames in order, on the socket's event loop; does nothing once the socket is closing. The frames
   * written in one turn of the loop, by this socket and the others of its connection's loop, leave with one flush
   * per connection at the end of the turn: the proxy's transport consolidates flushes ({@code FlushConsolidation} in
   * proxy-edge). Frames written and not yet flushed count against the socket's write queue.
   */
  void writeAll(List<String> frames) {
    if (isClosing() || frames.isEmpty()) {
      return;
    }
    touch();
    for (String frame : frames) {
      socket.writeTextMessage(frame);
    }
  }

  /** Whether the socket's write queue is above its high-water mark (false once closing). */
  boolean writeQueueFull() {
    return !isClosing() && socket.writeQueueFull();
  }

  /** Closes the socket with a legal status code and a reason (cut to what a close frame can carry). */
  void close(short code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    LOG.debug("Closing {} socket {} on {}: {} {}", role().label(), id, description, code, reason);
    // Written after the frames written before it, so that a client gets every ack before the close.
    socket.close(code, truncate(reason));
  }

  /** Called by the registry's sweeper: pings due clients, closes idle sockets. */
  void sweep(long nowNanos, long idleNanos, long pingNanos) {
    if (isClosing()) {
      return;
    }
    if (idleNanos > 0 && nowNanos - lastActivityNanos >= idleNanos) {
      close(GOING_AWAY, "idle for " + idleNanos / 1_000_000 + " ms (ws.idleTimeout)");
      return;
    }
    if (pingNanos > 0 && nowNanos - lastPingNanos >= pingNanos) {
      lastPingNanos = nowNanos;
      socket.writePing(Buffer.buffer("ping"));
    }
  }

  private void touch() {
    lastActivityNanos = System.nanoTime();
  }

  private void failed(Throwable error) {
    String message = String.valueOf(error.getMessage());
    if (error instanceof CorruptedWebSocketFrameException corrupted) {
      // Netty refused a frame (too large, bad encoding): close with the status it chose.
      short code = (short) corrupted.closeStatus().code();
      close(code, code == TOO_BIG ? "frame larger than " + sessions.serverFrameLimit() + " bytes (ws.maxFrameSize)"
          : message);
    } else if (message.contains("max message size")) {
      close(TOO_BIG, "message larger than " + sessions.serverFrameLimit() + " bytes (ws.maxFrameSize)");
    } else if (!closing) {
      LOG.debug("Error on {} socket {} on {}: {}", role().label(), id, description, message);
      close(SERVER_ERROR, message);
    }
  }

  static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON_BYTES) {
      return reason;
    }
    int end = MAX_REASON_BYTES;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--; // do not cut a character in two
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  private static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
