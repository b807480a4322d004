package io.pulsarproxy.ws;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.produce.OutgoingMessage;
import io.pulsarproxy.core.produce.ProduceReply;
import io.pulsarproxy.core.produce.ProduceRequest;
import io.pulsarproxy.core.produce.ProduceResult;
import io.pulsarproxy.core.produce.ProducerCommand;
import io.pulsarproxy.edge.quota.ProduceThrottle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A producer socket: each text frame is one message, sent through the produce service with the producer this socket
 * opened (and holds until it closes). Acks are written in the order the frames came.
 *
 * <p>Bounded: at most {@code maxInFlight} frames await their ack; a frame beyond that is answered at once with
 * {@code send-error:8} and not sent. When the socket's write queue is full (a client that does not read its acks),
 * the socket stops reading frames until it drains. Over its principal's produce rate ({@code quotas.*}) it stops
 * reading for as long as the rate says, and takes every frame it read.
 *
 * <p>Frames that arrive together (one read from the socket hands over several) go to the produce service as one
 * request, sent once the event loop has handled what it read: one event-bus round trip for the group instead of one
 * per frame, which was a third of the socket's event-loop time under load. The messages are still sent one by one
 * in frame order by the shared producer, and every frame gets its own ack; the group's acks are written when the
 * broker has answered for all of it (the producer completes sends in order, so that is when the last one is acked).
 */
final class ProducerSession extends SocketSession {
  private final WsEndpoint.Producer endpoint;
  private final int maxInFlight;
  private final DeliveryOptions sendOptions;
  private final Context context;
  /** Acks in frame order; an entry's ack is null until its answer came. */
  private final ArrayDeque<PendingAck> pending = new ArrayDeque<>();
  /** Frames taken since the last request went out, sent together; bounded by {@code maxInFlight}. */
  private List<OutgoingMessage> group = new ArrayList<>();
  private List<PendingAck> groupAcks = new ArrayList<>();
  private boolean readingPaused;
  private boolean draining;
  private ProduceThrottle throttle = ProduceThrottle.NONE;
  /** Not reading while the principal is over its produce rate; -1 when not. */
  private long rateTimer = -1;

  private static final class PendingAck {
    final String context;
    /** The ack's text; null until the answer came. */
    String ack;

    PendingAck(String context) {
      this.context = context;
    }
  }

  ProducerSession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, WsEndpoint.Producer endpoint,
      long sendDeadlineMs) {
    super(vertx, socket, sessions, id, endpoint.describe());
    this.endpoint = endpoint;
    this.maxInFlight = sessions.config().maxInFlightPerProducer();
    this.sendOptions = new DeliveryOptions(Codecs.LOCAL).setSendTimeout(sendDeadlineMs);
    this.context = vertx.getOrCreateContext();
  }

  @Override
  WsPath.Role role() {
    return WsPath.Role.PRODUCER;
  }

  /** The principal's produce rate ({@code quotas.produce*PerSecond}); unlimited unless set. */
  void throttle(ProduceThrottle throttle) {
    this.throttle = throttle;
  }

  @Override
  void opened() {
    socket.drainHandler(v -> {
      if (readingPaused && !isClosing()) {
        readingPaused = false;
        if (rateTimer < 0) {
          socket.resume();
        }
      }
    });
  }

  @Override
  void text(String text) {
    Frames.ProducerFrame frame = Frames.producerFrame(text);
    // Acks not yet written count: the window bounds what the socket holds in the proxy, not only at the broker.
    if (pending.size() + unwritten() >= maxInFlight) {
      write(Frames.refusal(Frames.SEND_FAILED, "more than " + maxInFlight + " messages of this socket await their "
          + "ack (ws.maxInFlightPerProducer); wait for acks", frame.context()).encode());
      return;
    }
    PendingAck entry = new PendingAck(frame.context());
    pending.add(entry);
    if (frame.refusal() != null) {
      entry.ack = frame.refusal().encode();
      flush();
      return;
    }
    throttleAfter(frame.message());
    if (group.isEmpty()) {
      context.runOnContext(v -> sendGroup());
    }
    group.add(frame.message());
    groupAcks.add(entry);
  }

  /**
   * Charges the frame to the principal's produce rate. The frame is sent whatever the answer; over the rate, the
   * socket stops reading until the buckets have paid back what was taken beyond them (TCP then holds the client back):
   * nothing is refused or lost for the quota.
   */
  private void throttleAfter(OutgoingMessage message) {
    long pauseNanos = throttle.charge(1, message.payload().length);
    if (pauseNanos <= 0 || rateTimer >= 0) {
      return;
    }
    socket.pause();
    rateTimer = vertx.setTimer(Math.max(1, (pauseNanos + 999_999) / 1_000_000), t -> {
      rateTimer = -1;
      if (!readingPaused && !draining && !isClosing()) {
        socket.resume();
      }
    });
  }

  /** Sends the frames taken since the last call as one produce request; their acks fill in when it is answered. */
  private void sendGroup() {
    List<OutgoingMessage> messages = group;
    List<PendingAck> entries = groupAcks;
    group = new ArrayList<>();
    groupAcks = new ArrayList<>();
    ProduceRequest request = new ProduceRequest(endpoint.topic(), endpoint.options(), messages);
    vertx.eventBus().<ProduceReply>request(Addresses.PRODUCE, request, sendOptions)
        .onComplete(reply -> {
          for (int i = 0; i < entries.size(); i++) {
            PendingAck entry = entries.get(i);
            entry.ack = ack(reply, i, entry.context);
          }
          flush();
        });
  }

  private static String ack(AsyncResult<Message<ProduceReply>> reply, int index, String context) {
    if (reply.failed()) {
      return Frames.refusal(Frames.SEND_FAILED, "the produce service did not answer: " + reply.cause().getMessage(),
          context).encode();
    }
    ProduceResult result = reply.result().body().results().get(index);
    return result.isOk() ? Frames.okAck(result.messageId(), context) : Frames.refusal(result.error(), context).encode();
  }

  /** Writes the acks that are next in order, as one run; pauses reading while the client does not take them. */
  private void flush() {
    List<String> acks = null;
    while (!pending.isEmpty() && pending.peekFirst().ack != null) {
      if (acks == null) {
        acks = new ArrayList<>();
      }
      acks.add(pending.pollFirst().ack);
    }
    if (acks != null) {
      writeAll(acks);
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
    if (rateTimer >= 0) {
      vertx.cancelTimer(rateTimer);
    }
    vertx.eventBus().send(Addresses.PRODUCERS,
        new ProducerCommand.Release(endpoint.topic(), endpoint.options()), Codecs.LOCAL);
  }
}
