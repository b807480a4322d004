package io.pulsarproxy.ws;

import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.edge.auth.Principal;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;

/**
 * A reader socket. The window is {@code receiverQueueSize} messages; as in Pulsar, any frame from the client other
 * than {@code {"type":"isEndOfTopic"}} answers one delivered message and frees one slot (a reader acknowledges
 * nothing on the broker).
 */
final class ReaderSession extends DeliverySession {
  private final int window;
  /** Delivered and not yet answered by a frame. */
  private int unanswered;

  ReaderSession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, WsEndpoint.Reader endpoint,
      Principal principal, ConsumerClient consumers) {
    super(vertx, socket, sessions, id, endpoint.describe(), principal, consumers);
    this.window = Math.max(1, endpoint.spec().receiverQueueSize());
  }

  @Override
  WsPath.Role role() {
    return WsPath.Role.READER;
  }

  @Override
  int room() {
    return window - unanswered;
  }

  @Override
  void delivered(String messageId) {
    unanswered++;
  }

  @Override
  void text(String text) {
    if (isEndOfTopic(text)) {
      consumers.isEndOfTopic(id)
          .onSuccess(reached -> write(Frames.endOfTopic(reached)))
          .onFailure(err -> close(SERVER_ERROR, "isEndOfTopic failed: " + err.getMessage()));
    } else if (unanswered > 0) {
      // More frames than messages must not widen the window.
      unanswered--;
      topUp();
    }
  }

  private static boolean isEndOfTopic(String text) {
    try {
      return "isEndOfTopic".equals(Frames.command(text).type());
    } catch (Frames.BadCommand notACommand) {
      return false; // still an answer for flow control
    }
  }
}
