package io.pulsarproxy.ws;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.produce.ProduceReply;
import io.pulsarproxy.core.produce.ProduceRequest;
import io.pulsarproxy.core.produce.ProduceResult;
import io.pulsarproxy.core.produce.ProducerCommand;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A producer socket: each text frame is one message, sent through the produce service with the producer this socket
 * opened (and holds until it closes). Acks are written in the order the frames came.
 *
 * <p>Bounded: at most {@code maxInFlight} frames await their ack; a frame beyond that is answered at once with
 * {@code send-error:8} and not sent. When the socket's write queue is full (a client that does not read its acks),
 * the socket stops reading frames until it drains.
 */
final class ProducerSession extends SocketSession {
  private final WsEndpoint.Producer endpoint;
  private final int maxInFlight;
  private final DeliveryOptions sendOptions;
  /** Acks in frame order; an entry's ack is null until its answer came. */
  private final ArrayDeque<PendingAck> pending = new ArrayDeque<>();
  private boolean readingPaused;
  private boolean draining;

  private static final class PendingAck {
    JsonObject ack;
  }

  ProducerSession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, WsEndpoint.Producer endpoint,
      long sendDeadlineMs) {
    super(vertx, socket, sessions, id, endpoint.describe());
    this.endpoint = endpoint;
    this.maxInFlight = sessions.config().maxInFlightPerProducer();
    this.sendOptions = new DeliveryOptions(Codecs.LOCAL).setSendTimeout(sendDeadlineMs);
  }

  @Override
  WsPath.Role role() {
    return WsPath.Role.PRODUCER;
  }

  @Override
  void opened() {
    socket.drainHandler(v -> {
      if (readingPaused && !isClosing()) {
        readingPaused = false;
        socket.resume();
      }
    });
  }

  @Override
  void text(String text) {
    Frames.ProducerFrame frame = Frames.producerFrame(text);
    if (pending.size() >= maxInFlight) {
      write(Frames.refusal(Frames.SEND_FAILED, "more than " + maxInFlight + " messages of this socket await the "
          + "broker (ws.maxInFlightPerProducer); wait for acks", frame.context()).encode());
      return;
    }
    PendingAck entry = new PendingAck();
    pending.add(entry);
    if (frame.refusal() != null) {
      entry.ack = frame.refusal();
      flush();
      return;
    }
    ProduceRequest request = new ProduceRequest(endpoint.topic(), endpoint.options(), List.of(frame.message()));
    vertx.eventBus().<ProduceReply>request(Addresses.PRODUCE, request, sendOptions)
        .onComplete(reply -> {
          entry.ack = ack(reply, frame.context());
          flush();
        });
  }

  private static JsonObject ack(AsyncResult<Message<ProduceReply>> reply, String context) {
    if (reply.failed()) {
      return Frames.refusal(Frames.SEND_FAILED, "the produce service did not answer: " + reply.cause().getMessage(),
          context);
    }
    ProduceResult result = reply.result().body().results().get(0);
    return result.isOk() ? Frames.ack(result.messageId(), context) : Frames.refusal(result.error(), context);
  }

  /** Writes the acks that are next in order; pauses reading while the client does not take them. */
  private void flush() {
    while (!pending.isEmpty() && pending.peekFirst().ack != null) {
      write(pending.pollFirst().ack.encode());
    }
    if (!readingPaused && writeQueueFull()) {
      readingPaused = true;
      socket.pause();
    }
    if (draining && pending.isEmpty()) {
      close(GOING_AWAY, "the proxy is shutting down");
    }
  }

  /** Stops reading frames and closes once the frames already taken have their acks. */
  @Override
  void shutdown() {
    draining = true;
    socket.pause();
    flush();
  }

  @Override
  void release() {
    vertx.eventBus().send(Addresses.PRODUCERS,
        new ProducerCommand.Release(endpoint.topic(), endpoint.options()), Codecs.LOCAL);
  }
}
