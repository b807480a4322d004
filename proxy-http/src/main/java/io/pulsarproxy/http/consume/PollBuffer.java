package io.pulsarproxy.http.consume;

import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-poll side of a consumer instance. Permits are given on demand: a poll for {@code max} messages makes sure
 * that what is buffered plus what is permitted and not yet delivered reaches {@code min(max, receiverQueueSize)}, so
 * the buffer never holds more than the instance's receiverQueueSize and an instance nobody polls takes nothing more
 * from Pulsar. A poll is answered as soon as a message is there (after the messages already on their way to this
 * event loop have arrived, so they share one answer), or with {@code []} after its wait.
 *
 * <p>Messages handed to a poll are not acknowledged. When the answer cannot be written (the client went away), the
 * edge that writes it has them negatively acknowledged so that Pulsar delivers them again soon. A poll comes from
 * whichever edge instance the client's connection is on ({@link PollReply}); a poll whose client went away is
 * {@linkplain #cancel cancelled}. Confined to the context of the edge instance that owns the consumer instance.
 */
final class PollBuffer implements Delivery {
  private static final Logger LOG = LoggerFactory.getLogger(PollBuffer.class);

  private final HttpConsumer consumer;
  private final ConsumerClient service;
  private final Vertx vertx;
  private final int window;
  private final ArrayDeque<InboundMessage> buffer = new ArrayDeque<>();
  /** Permits given to the consume service and not yet used by a delivery. */
  private int outstanding;
  private Pending pending;
  private boolean answerScheduled;

  private record Pending(PollReply reply, int max, long timer) {}

  /** Where a poll's answer goes: the edge instance serving the client's request. */
  interface PollReply {
    /** Identifies the poll, so that a cancellation names the poll it is about. */
    String pollId();

    /** The messages, as a JSON array; {@code ids} are their ids, to redeliver if the answer cannot be written. */
    void answer(JsonArray messages, List<String> ids);

    /** The poll ends with {@code error} (the instance went away). */
    void fail(ProxyException error);
  }

  PollBuffer(HttpConsumer consumer, ConsumerClient service, Vertx vertx) {
    this.consumer = consumer;
    this.service = service;
    this.vertx = vertx;
    this.window = consumer.spec.receiverQueueSize();
  }

  int buffered() {
    return buffer.size();
  }

  @Override
  public boolean expiresWhenIdle() {
    return pending == null;
  }

  /** Answers now when messages are buffered or {@code waitMs} is 0, else when one arrives or after the wait. */
  void poll(PollReply reply, int max, long waitMs) {
    if (pending != null) {
      throw new ProxyException(ErrorCode.CONFLICT, "consumer instance " + consumer.id
          + " is already being polled; poll one at a time");
    }
    int wanted = Math.min(max, window);
    int more = wanted - buffer.size() - outstanding;
    if (more > 0) {
      outstanding += more;
      service.send(new ConsumerCommand.Permit(consumer.id, more))
          .onFailure(err -> LOG.debug("Permits for {}: {}", consumer.id, err.getMessage()));
    }
    if (!buffer.isEmpty() || waitMs == 0) {
      answer(reply, wanted);
      return;
    }
    long timer = vertx.setTimer(waitMs, t -> answerPending());
    pending = new Pending(reply, wanted, timer);
  }

  /**
   * The client of poll {@code pollId} went away before its answer: that poll ends (answered with nothing) and the
   * instance may be polled again. Nothing happens when that poll is no longer the one waiting.
   */
  void cancel(String pollId) {
    Pending p = pending;
    if (p != null && p.reply().pollId().equals(pollId)) {
      vertx.cancelTimer(p.timer());
      pending = null;
      consumer.lastActivity = System.currentTimeMillis();
      p.reply().answer(new JsonArray(), List.of());
    }
  }

  @Override
  public void onMessage(InboundMessage message) {
    buffer.add(message);
    outstanding = Math.max(0, outstanding - 1);
    if (pending != null && !answerScheduled) {
      answerScheduled = true;
      vertx.runOnContext(v -> {
        answerScheduled = false;
        answerPending();
      });
    }
  }

  @Override
  public void onSeek() {
    buffer.clear();
  }

  /**
   * The instance moves to another node: a waiting poll gets {@code []} (the client polls again, and reaches the new
   * owner), and what is buffered is dropped (Pulsar delivers it again once the consumer closed).
   */
  void handOver() {
    buffer.clear();
    Pending p = pending;
    pending = null;
    if (p != null) {
      vertx.cancelTimer(p.timer());
      p.reply().answer(new JsonArray(), List.of());
    }
  }

  @Override
  public void onEnded(ProxyException reason) {
    buffer.clear();
    Pending p = pending;
    pending = null;
    if (p != null) {
      vertx.cancelTimer(p.timer());
      p.reply().fail(reason);
    }
  }

  private void answerPending() {
    Pending p = pending;
    if (p == null) {
      return;
    }
    pending = null;
    vertx.cancelTimer(p.timer());
    answer(p.reply(), p.max());
  }

  private void answer(PollReply reply, int max) {
    consumer.lastActivity = System.currentTimeMillis();
    JsonArray messages = new JsonArray();
    List<String> ids = new ArrayList<>();
    while (!buffer.isEmpty() && ids.size() < max) {
      InboundMessage m = buffer.poll();
      ids.add(m.messageId());
      messages.add(MessageJson.of(m, consumer.format));
    }
    reply.answer(messages, ids);
  }
}
