package io.pulsarproxy.http.consume;

import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.edge.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Server-Sent Events stream of a consumer instance: {@code data:} the message JSON, {@code id:} the event's id.
 *
 * <p>Flow: the consume service gets a small window of permits ({@link #WINDOW} at most); the events of messages
 * delivered together are written as one chunk, which refills their permits once the connection has taken it (its
 * write completed), and while the connection's write queue is full the Pulsar consumer is paused until it drains.
 * A slow reader therefore holds at most the window plus one write queue.
 *
 * <p>With {@code ack=client} the event id is the message id, only the permit is refilled after a write, and the
 * client acknowledges through the instance's endpoints.
 *
 * <p>With {@code ack=auto} a written message is acknowledged only once confirmed: when the stream stayed healthy (open,
 * its connection taking what is written) for {@code httpConsumer.sseConfirmDelay} after the write, or when a later
 * stream's {@code Last-Event-ID} covers it ({@link SseResumes}: the event id is the stream's id and the event's
 * number). Written and unconfirmed messages are at most {@code httpConsumer.sseMaxUnconfirmed}: at the limit no
 * permit is refilled until confirmations free room. When the stream ends they are negatively acknowledged, and the
 * consumer is closed right after, which makes Pulsar deliver them again at once. Messages a reconnection's
 * {@code Last-Event-ID} confirmed are acknowledged, not sent, when Pulsar delivers them again.
 *
 * <p>Confined to the edge verticle's context.
 */
final class SseStream implements Delivery {
  /** Permits in flight per stream: what the proxy holds for a reader that does not read. */
  static final int WINDOW = 16;
  private static final Logger LOG = LoggerFactory.getLogger(SseStream.class);

  private final HttpConsumer consumer;
  private final HttpServerResponse response;
  private final ConsumerClient service;
  private final Vertx vertx;
  private final boolean clientAck;
  private final SseResumes resumes;
  private final String streamId = SseResumes.newStreamId();
  private final String subscription;
  /** Messages the client confirmed before reconnecting: acknowledged, not sent, when Pulsar delivers them again. */
  private final Set<String> confirmedBefore;
  private final long confirmDelayMs;
  private final int maxUnconfirmed;
  private final int window;
  /** The ids of the messages written and not confirmed, in event order; the first is event {@link #firstNumber}. */
  private final ArrayDeque<String> unconfirmed = new ArrayDeque<>();
  private long firstNumber = 1;
  private long nextNumber = 1;
  /** Completed writes waiting for their confirmation: {their last event's number, when they completed (ms)}. */
  private final ArrayDeque<long[]> written = new ArrayDeque<>();
  /** Permits given to the consume service and not used yet. */
  private int permits;
  private long heartbeat = -1;
  private long confirmTimer = -1;
  private boolean paused;
  private boolean ended;

  SseStream(HttpConsumer consumer, HttpServerResponse response, ConsumerClient service, Vertx vertx,
      boolean clientAck, SseResumes resumes, String subscription, Set<String> confirmedBefore,
      long confirmDelayMs, int maxUnconfirmed) {
    this.consumer = consumer;
    this.response = response;
    this.service = service;
    this.vertx = vertx;
    this.clientAck = clientAck;
    this.resumes = resumes;
    this.subscription = subscription;
    this.confirmedBefore = confirmedBefore;
    this.confirmDelayMs = confirmDelayMs;
    this.maxUnconfirmed = maxUnconfirmed;
    int w = Math.min(WINDOW, consumer.spec.receiverQueueSize());
    this.window = clientAck ? w : Math.min(w, maxUnconfirmed);
  }

  @Override
  public boolean expiresWhenIdle() {
    return false;
  }

  /**
   * Sends the headers (and the {@code consumer} event with client acks), then lets messages flow. {@code end} ends
   * the stream: a reconnection naming one of its events does it, after confirming up to that event.
   */
  void start(long heartbeatMs, Runnable end) {
    if (ended) {
      return;
    }
    if (!clientAck) {
      resumes.started(streamId, consumer.principal.name(), subscription, number -> {
        confirmUpTo(number);
        end.run();
      });
    }
    response.setStatusCode(200).setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    response.write(clientAck ? "event: consumer\ndata: " + consumer.created().encode() + "\n\n" : ": stream\n\n");
    if (heartbeatMs > 0) {
      heartbeat = vertx.setPeriodic(heartbeatMs, t -> {
        if (!ended && !response.writeQueueFull()) {
          response.write(": keep-alive\n\n");
        }
      });
    }
    permits = window;
    command(new ConsumerCommand.Permit(consumer.id, window));
  }

  @Override
  public void onMessage(InboundMessage m) {
    onMessages(List.of(m));
  }

  /**
   * Writes the messages as one chunk (one flush); once the connection took it, refills their permits (with client
   * acks) or starts their confirmation delay.
   */
  @Override
  public void onMessages(List<InboundMessage> messages) {
    if (ended) {
      return;
    }
    permits = Math.max(0, permits - messages.size());
    List<String> confirmed = new ArrayList<>();
    int sent = 0;
    Buffer events = Buffer.buffer();
    for (InboundMessage m : messages) {
      if (!clientAck && confirmedBefore.remove(m.messageId())) {
        confirmed.add(m.messageId()); // the client received it before reconnecting
        continue;
      }
      String id = clientAck ? m.messageId() : SseResumes.eventId(streamId, nextNumber++);
      if (!clientAck) {
        unconfirmed.addLast(m.messageId());
      }
      events.appendString("id: " + id + "\ndata: ")
          .appendBuffer(MessageJson.of(m, consumer.format).toBuffer())
          .appendString("\n\n");
      sent++;
    }
    if (!confirmed.isEmpty()) {
      command(new ConsumerCommand.Ack(consumer.id, confirmed, 0));
      refill();
    }
    if (sent == 0) {
      return;
    }
    int count = sent;
    long last = nextNumber - 1;
    response.write(events).onSuccess(v -> {
      if (clientAck) {
        permits += count;
        command(new ConsumerCommand.Permit(consumer.id, count));
      } else if (!ended) {
        written.addLast(new long[] {last, System.currentTimeMillis()});
        scheduleConfirmation();
        refill();
      }
    });
    if (!paused && response.writeQueueFull()) {
      paused = true;
      command(new ConsumerCommand.Pause(consumer.id, true));
      response.drainHandler(v -> {
        paused = false;
        command(new ConsumerCommand.Pause(consumer.id, false));
        scheduleConfirmation();
      });
    }
  }

  /** Gives back permits up to the window, as far as the unconfirmed messages leave room ({@code ack=auto}). */
  private void refill() {
    if (ended || clientAck) {
      return;
    }
    int room = Math.min(window - permits, maxUnconfirmed - unconfirmed.size() - permits);
    if (room > 0) {
      permits += room;
      command(new ConsumerCommand.Permit(consumer.id, room));
    }
  }

  /** Arms the timer of the oldest write waiting for confirmation, unless armed or the connection is backed up. */
  private void scheduleConfirmation() {
    if (ended || paused || confirmTimer >= 0 || written.isEmpty()) {
      return;
    }
    long due = written.peekFirst()[1] + confirmDelayMs - System.currentTimeMillis();
    confirmTimer = vertx.setTimer(Math.max(1, due), t -> {
      confirmTimer = -1;
      if (ended || paused) {
        return; // a backed-up connection is not healthy: wait for it to drain
      }
      long now = System.currentTimeMillis();
      long upTo = 0;
      while (!written.isEmpty() && written.peekFirst()[1] + confirmDelayMs <= now) {
        upTo = written.pollFirst()[0];
      }
      confirmUpTo(upTo);
      scheduleConfirmation();
    });
  }

  /** Acknowledges the unconfirmed messages up to event {@code number}, then refills the permits they held back. */
  private void confirmUpTo(long number) {
    List<String> ids = new ArrayList<>();
    while (firstNumber <= number && !unconfirmed.isEmpty()) {
      ids.add(unconfirmed.pollFirst());
      firstNumber++;
    }
    if (!ids.isEmpty()) {
      command(new ConsumerCommand.Ack(consumer.id, ids, 0));
      refill();
    }
  }

  @Override
  public void onEnded(ProxyException reason) {
    if (ended) {
      return;
    }
    ended = true;
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
    }
    if (confirmTimer >= 0) {
      vertx.cancelTimer(confirmTimer);
    }
    List<String> ids = List.copyOf(unconfirmed);
    if (!ids.isEmpty()) {
      command(new ConsumerCommand.Nack(consumer.id, ids, 0));
    }
    // What the client confirmed before and Pulsar has not delivered again: still confirmed (bounded as the rest).
    Set<String> carried = confirmedBefore.size() <= maxUnconfirmed ? confirmedBefore
        : confirmedBefore.stream().limit(maxUnconfirmed).collect(Collectors.toSet());
    resumes.ended(streamId, consumer.principal.name(), subscription, firstNumber, ids, carried, System.currentTimeMillis());
    if (!response.ended() && !response.closed()) {
      JsonObject envelope = ErrorResponses.envelope(reason);
      response.end("event: end\ndata: " + envelope.encode() + "\n\n");
    }
  }

  private void command(ConsumerCommand command) {
    Future<Object> sent = service.send(command);
    sent.onFailure(err -> LOG.debug("{} of stream {}: {}", command.getClass().getSimpleName(), consumer.id,
        err.getMessage()));
  }
}
