package io.pulsarproxy.ws;

import io.opentelemetry.context.Scope;
import io.pulsarproxy.core.produce.OutgoingMessage;
import io.pulsarproxy.core.produce.ProduceClient;
import io.pulsarproxy.core.produce.ProduceReply;
import io.pulsarproxy.core.produce.ProduceRequest;
import io.pulsarproxy.core.produce.ProduceResult;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.edge.quota.ProduceThrottle;
import io.vertx.core.AsyncResult;
import io.pulsarproxy.edge.MemoryBudget;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A producer socket: each text frame is one message, sent through the produce service with the producer this socket
 * opened (and holds until it closes). Acks are written in the order the frames came.
 *
 * <p>Backpressure, not refusals: at most {@code maxInFlight} frames of the socket await their ack (the broker's
 * answer, or their turn in frame order). When that many do, the session stops reading the socket until acks free room;
 * the client's frames then wait in TCP buffers, and a client that sends without waiting for acks is slowed to what the
 * broker takes instead of being answered {@code send-error}. The session also stops reading while the socket's write
 * queue is full (a client that does not read its acks), until it drains. Only a send that fails is answered
 * {@code send-error:8} (the producer's queue or the client's memory is full, a broken producer, a timeout).
 *
 * <p>Frames that arrive while reading is paused are taken like any other, never refused: the window is where reading
 * stops, not a hard limit. How far past it a socket can go: Vert.x's {@code pause()} takes effect at the next frame
 * (frames decoded after it wait in Vert.x's queues and reach the session only after {@code resume()}), so with
 * Vert.x 5 the session itself holds at most {@code maxInFlight} frames. What Vert.x holds for it meanwhile is bounded
 * as well: up to 16 frames in the socket's inbound queue, then the connection's further frames, whose reading it
 * turns off at the end of the read in progress once 8 of them wait (a read takes at most 16 buffers of at most 64 KiB
 * from the kernel). Beyond its window a paused socket thus costs at most 23 frames and those of one read, each frame
 * at most {@code ws.maxFrameSize}; the rest waits in TCP buffers, and TCP's flow control slows the client. Should a
 * frame still reach the session after the pause, it is sent all the same, within the same bound.
 *
 * <p>Every frame's bytes also count against the edge's budget of in-flight bytes ({@code http.maxInFlightBytes},
 * shared with HTTP bodies) until its ack is written: a frame Vert.x has read is always taken, and when the budget is
 * spent the session stops reading until bytes come back, so across all sockets the budget is exceeded by at most one
 * frame per socket.
 *
 * <p>Over its principal's produce rate ({@code quotas.*}) the session stops reading for as long as the rate says, and
 * takes every frame it read.
 *
 * <p>Frames that arrive together (one read from the socket hands over several) go to the produce service as one
 * request, sent once the event loop has handled what it read: one event-bus round trip for the group instead of one
 * per frame, which was a third of the socket's event-loop time under load. The messages are still sent one by one
 * in frame order by the shared producer, and every frame gets its own ack; the group's acks are written when the
 * broker has answered for all of it (the producer completes sends in order, so that is when the last one is acked).
 *
 * <p>Confined to the edge verticle's event loop, like every socket's state.
 */
final class ProducerSession extends SocketSession {
  /** How soon a socket looks at the budget again when it cannot register to be told. */
  private static final long BUDGET_RETRY_MS = 50;
  private final WsEndpoint.Producer endpoint;
  private final int maxInFlight;
  private final ProduceClient producers;
  /** Acks in frame order; an entry's ack is null until its answer came. */
  private final ArrayDeque<PendingAck> pending = new ArrayDeque<>();
  /** Frames taken since the last request went out, sent together; bounded by what the socket may have in flight. */
  private List<OutgoingMessage> group = new ArrayList<>();
  private List<PendingAck> groupAcks = new ArrayList<>();
  private boolean readingPaused;
  private boolean draining;
  private final MemoryBudget budget;
  /** Waiting for the budget to release bytes (registered once). */
  private boolean awaitingBudget;
  private ProduceThrottle throttle = ProduceThrottle.NONE;
  /** Not reading while the principal is over its produce rate; -1 when not. */
  private long rateTimer = -1;

  private static final class PendingAck {
    final String context;
    /** The frame's bytes held in the budget until its ack is written. */
    long bytes;
    /** The ack's text; null until the answer came. */
    String ack;

    PendingAck(String context, long bytes) {
      this.context = context;
      this.bytes = bytes;
    }
  }

  ProducerSession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, WsEndpoint.Producer endpoint,
      Principal principal, ProduceClient producers) {
    super(vertx, socket, sessions, id, endpoint.describe(), principal);
    this.endpoint = endpoint;
    this.maxInFlight = sessions.config().maxInFlightPerProducer();
    this.producers = producers;
    this.budget = sessions.budget();
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
    socket.drainHandler(v -> updateReading());
  }

  /** Takes every frame it is handed, also past the window (see the class comment), and stops reading at the window. */
  @Override
  void text(String text) {
    Frames.ProducerFrame frame = Frames.producerFrame(text, endpoint.jsonValues());
    PendingAck entry = new PendingAck(frame.context(), text.length());
    pending.add(entry);
    if (!budget.acquireTaken(entry.bytes)) {
      sessions.metrics().inFlightBytesExhausted("ws");
    }
    if (frame.refusal() != null) {
      entry.ack = frame.refusal().encode();
      flush();
      return;
    }
    if (group.isEmpty()) {
      context.runOnContext(v -> sendGroup());
    }
    group.add(frame.message());
    groupAcks.add(entry);
    throttleAfter(frame.message());
    if (!readingPaused && (inFlight() >= maxInFlight || budget.exhausted() || rateTimer >= 0)) {
      updateReading();
    }
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
    rateTimer = vertx.setTimer(Math.max(1, (pauseNanos + 999_999) / 1_000_000), t -> {
      rateTimer = -1;
      updateReading();
    });
  }

  /** Sends the frames taken since the last call as one produce request; their acks fill in when it is answered. */
  private void sendGroup() {
    List<OutgoingMessage> messages = group;
    List<PendingAck> entries = groupAcks;
    group = new ArrayList<>();
    groupAcks = new ArrayList<>();
    ProduceRequest request = endpoint.jsonValues()
        ? ProduceRequest.independent(endpoint.topic(), endpoint.options(), messages)
        : new ProduceRequest(endpoint.topic(), endpoint.options(), messages);
    try (Scope scope = traced()) {
      producers.send(request)
          .onComplete(reply -> {
            for (int i = 0; i < entries.size(); i++) {
              PendingAck entry = entries.get(i);
              entry.ack = ack(reply, i, entry.context);
            }
            flush();
          });
    }
  }

  private static String ack(AsyncResult<ProduceReply> reply, int index, String context) {
    if (reply.failed()) {
      return Frames.refusal(Frames.SEND_FAILED, reply.cause().getMessage(), context).encode();
    }
    if (reply.result().rejection() != null) {
      return Frames.refusal(reply.result().rejection(), context).encode();
    }
    ProduceResult result = reply.result().results().get(index);
    return result.isOk() ? Frames.okAck(result.messageId(), context, result.schemaVersion())
        : Frames.refusal(result.error(), context).encode();
  }

  /** Writes the acks that are next in order, as one run; pauses reading while the client does not take them. */
  private void flush() {
    List<String> acks = null;
    long freed = 0;
    while (!pending.isEmpty() && pending.peekFirst().ack != null) {
      if (acks == null) {
        acks = new ArrayList<>();
      }
      PendingAck done = pending.pollFirst();
      acks.add(done.ack);
      freed += done.bytes;
      done.bytes = 0;
    }
    budget.release(freed);
    if (acks != null) {
      writeAll(acks);
    }
    if (draining && pending.isEmpty()) {
      close(GOING_AWAY, "the proxy is shutting down");
    }
    updateReading();
  }

  /**
   * Frames of this socket the proxy holds: awaiting the broker or their turn to be acked. Acks written and not yet
   * sent are bounded by the socket's write queue, which stops reading when full.
   */
  private int inFlight() {
    return pending.size();
  }

  /** Reads the socket while its window and its write queue have room, else pauses it. */
  private void updateReading() {
    if (draining || isClosing()) {
      return; // shutdown paused the socket for good; a closing one is not resumed
    }
    boolean pause = inFlight() >= maxInFlight || writeQueueFull() || budgetSpent() || rateTimer >= 0;
    if (pause != readingPaused) {
      readingPaused = pause;
      if (pause) {
        socket.pause();
      } else {
        socket.resume();
      }
    }
  }

  /**
   * Whether the edge's byte budget is spent; if so, asks to be called when bytes come back (once per wait; when too
   * many sockets wait already, looks again shortly).
   */
  private boolean budgetSpent() {
    if (!budget.exhausted()) {
      return false;
    }
    if (!awaitingBudget) {
      awaitingBudget = true;
      Handler<Void> retry = v -> {
        awaitingBudget = false;
        updateReading();
      };
      if (!budget.whenReleased(context, retry)) {
        vertx.setTimer(BUDGET_RETRY_MS, id -> retry.handle(null));
      }
    }
    return true;
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
    long held = 0;
    for (PendingAck entry : pending) {
      held += entry.bytes;
      entry.bytes = 0;
    }
    budget.release(held);
    if (rateTimer >= 0) {
      vertx.cancelTimer(rateTimer);
    }
    if (!endpoint.jsonValues()) {
      producers.release(endpoint.topic(), endpoint.options());
    }
  }
}
