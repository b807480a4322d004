package io.pulsarproxy.ws;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.consume.CommandReply;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.consume.SessionEvent;
import io.pulsarproxy.core.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;

/**
 * A socket that receives messages from a consumer or reader session of the consume service
 * ({@code Addresses.session(id)}). Flow control is by permits: the subclass grants them (the push window, the
 * client's own permits), and the socket's write queue is a second brake: while it is full, the session is paused,
 * so a client that stops reading stops the proxy from taking messages from Pulsar.
 */
abstract class DeliverySession extends SocketSession {
  private static final DeliveryOptions COMMAND = new DeliveryOptions(Codecs.LOCAL).setSendTimeout(30_000);

  private MessageConsumer<SessionEvent> events;
  /** Delivered and not yet acknowledged (or, for a reader, not yet answered by a frame). */
  private int unacknowledged;
  private boolean paused;

  DeliverySession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, String description) {
    super(vertx, socket, sessions, id, description);
  }

  @Override
  final void opened() {
    // The session delivers nothing before the first permit, which comes after this registration.
    events = vertx.eventBus().consumer(Addresses.session(id), message -> event(message.body()));
    socket.drainHandler(v -> {
      if (paused && !isClosing()) {
        paused = false;
        send(new ConsumerCommand.Pause(id, false));
      }
    });
    started();
  }

  /** The session is ready: grant the first permits. */
  abstract void started();

  private void event(SessionEvent event) {
    if (event instanceof SessionEvent.Delivered delivered) {
      unacknowledged++;
      write(Frames.message(delivered.message()));
      if (!paused && writeQueueFull()) {
        paused = true;
        send(new ConsumerCommand.Pause(id, true));
      }
    } else if (event instanceof SessionEvent.Ended ended) {
      boolean stopping = ended.reason().code() == ErrorCode.SHUTTING_DOWN;
      close(stopping ? GOING_AWAY : SERVER_ERROR, ended.reason().getMessage());
    }
  }

  /**
   * Counts one delivered message as answered, and returns whether it was one (a client may acknowledge more often
   * than it received; such extra frames must not widen the window).
   */
  boolean answered() {
    if (unacknowledged > 0) {
      unacknowledged--;
      return true;
    }
    return false;
  }

  int unacknowledged() {
    return unacknowledged;
  }

  /** Sends a command whose reply does not matter (permits, pauses). */
  void send(ConsumerCommand command) {
    vertx.eventBus().send(Addresses.CONSUMER, command, Codecs.LOCAL);
  }

  /** Sends a command and fails the future with the service's error. */
  Future<Object> request(ConsumerCommand command) {
    return vertx.eventBus().<CommandReply>request(Addresses.CONSUMER, command, COMMAND).compose(reply ->
        reply.body().isOk() ? Future.succeededFuture(reply.body().value()) : Future.failedFuture(reply.body().error()));
  }

  @Override
  final void release() {
    events.unregister();
    send(new ConsumerCommand.Close(id, false));
  }
}
