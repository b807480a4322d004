package io.pulsarproxy.http.consume;

import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.edge.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Server-Sent Events stream of a consumer instance: {@code id:} the message id, {@code data:} the message JSON.
 *
 * <p>Flow: the consume service gets a small window of permits ({@link #WINDOW} at most); the events of messages
 * delivered together are written as one chunk, which refills their permits once the connection has taken it (its
 * write completed), and while the connection's write queue is full the Pulsar consumer is paused until it drains.
 * A slow reader therefore holds at most the window plus one write queue.
 *
 * <p>With {@code ack=auto} a message is acknowledged (and its permit refilled, in one command) once its event was
 * written; with {@code ack=client} only the permit is refilled and the client acknowledges through the instance's
 * endpoints. Resuming with {@code Last-Event-ID} skips, and acknowledges, what Pulsar delivers again up to that id.
 * Confined to the edge verticle's context.
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
  private MessageId resumeAfter;
  private long heartbeat = -1;
  private boolean paused;
  private boolean ended;

  SseStream(HttpConsumer consumer, HttpServerResponse response, ConsumerClient service, Vertx vertx,
      boolean clientAck, MessageId resumeAfter) {
    this.consumer = consumer;
    this.response = response;
    this.service = service;
    this.vertx = vertx;
    this.clientAck = clientAck;
    this.resumeAfter = resumeAfter;
  }

  @Override
  public boolean expiresWhenIdle() {
    return false;
  }

  /** Sends the headers (and the {@code consumer} event with client acks), then lets messages flow. */
  void start(long heartbeatMs) {
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
    command(new ConsumerCommand.Permit(consumer.id, Math.min(WINDOW, consumer.spec.receiverQueueSize())));
  }

  @Override
  public void onMessage(InboundMessage m) {
    onMessages(List.of(m));
  }

  /**
   * Writes the messages as one chunk (one flush); once the connection took it, acknowledges them (or refills their
   * permits) with one command.
   */
  @Override
  public void onMessages(List<InboundMessage> messages) {
    if (ended) {
      return;
    }
    List<String> resent = new ArrayList<>();
    List<String> sent = new ArrayList<>(messages.size());
    Buffer events = Buffer.buffer();
    for (InboundMessage m : messages) {
      if (resumeAfter != null) {
        if (notAfter(m.messageId(), resumeAfter)) {
          // the client received it before reconnecting: acknowledge it again rather than send it twice
          resent.add(m.messageId());
          continue;
        }
        resumeAfter = null;
      }
      events.appendString("id: " + m.messageId() + "\ndata: ")
          .appendBuffer(MessageJson.of(m, consumer.format).toBuffer())
          .appendString("\n\n");
      sent.add(m.messageId());
    }
    if (!resent.isEmpty()) {
      command(new ConsumerCommand.Ack(consumer.id, resent, resent.size()));
    }
    if (sent.isEmpty()) {
      return;
    }
    response.write(events).onSuccess(v -> command(clientAck
        ? new ConsumerCommand.Permit(consumer.id, sent.size())
        : new ConsumerCommand.Ack(consumer.id, sent, sent.size())));
    if (!paused && response.writeQueueFull()) {
      paused = true;
      command(new ConsumerCommand.Pause(consumer.id, true));
      response.drainHandler(v -> {
        paused = false;
        command(new ConsumerCommand.Pause(consumer.id, false));
      });
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

  /** Whether {@code id} is {@code last} or before it, on the same topic partition. */
  static boolean notAfter(String id, MessageId last) {
    MessageId current = MessageIds.decode(id, "messageId");
    if (current instanceof MessageIdAdv a && last instanceof MessageIdAdv b) {
      if (a.getPartitionIndex() != b.getPartitionIndex()) {
        return false;
      }
      int byEntry = a.getLedgerId() != b.getLedgerId() ? Long.compare(a.getLedgerId(), b.getLedgerId())
          : Long.compare(a.getEntryId(), b.getEntryId());
      return byEntry < 0 || byEntry == 0 && a.getBatchIndex() <= b.getBatchIndex();
    }
    return false;
  }
}
