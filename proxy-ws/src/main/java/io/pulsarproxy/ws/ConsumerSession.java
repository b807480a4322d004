package io.pulsarproxy.ws;

import io.pulsarproxy.core.consume.ConsumerCommand;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer socket. Push mode (the default): the window is {@code receiverQueueSize} messages delivered and not yet
 * acknowledged or negatively acknowledged; an answer to a delivered message frees its slot. Pull mode: nothing is
 * delivered beyond the permits the client sends; acknowledgements add none.
 *
 * <p>A command that cannot be understood closes the socket with 1007 and the reason. As in Pulsar, a frame with an
 * unknown {@code type} is an acknowledgement.
 */
final class ConsumerSession extends DeliverySession {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerSession.class);

  private final boolean pullMode;
  private final int window;
  /**
   * Push mode: deliveries not yet answered, by id (a message redelivered before it was answered counts twice). Only
   * an answer to one of these frees a slot, so repeated or invented acks cannot widen the window. At most
   * {@code window} deliveries.
   */
  private final Map<String, Integer> outstanding = new HashMap<>();
  private int outstandingCount;
  /** Pull mode: permits the client sent and no message has used yet. */
  private long pullPermits;

  ConsumerSession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, WsEndpoint.Consumer endpoint) {
    super(vertx, socket, sessions, id, endpoint.describe());
    this.pullMode = endpoint.pullMode();
    this.window = Math.max(1, endpoint.spec().receiverQueueSize());
  }

  @Override
  WsPath.Role role() {
    return WsPath.Role.CONSUMER;
  }

  @Override
  int room() {
    return pullMode ? (int) Math.min(Integer.MAX_VALUE, pullPermits) : window - outstandingCount;
  }

  @Override
  void delivered(String messageId) {
    if (pullMode) {
      pullPermits = Math.max(0, pullPermits - 1);
    } else {
      outstanding.merge(messageId, 1, Integer::sum);
      outstandingCount++;
    }
  }

  @Override
  void text(String text) {
    try {
      Frames.Command command = Frames.command(text);
      String type = command.type() == null ? "" : command.type();
      switch (type) {
        case "permit" -> permit(command);
        case "unsubscribe" -> request(new ConsumerCommand.Unsubscribe(id))
            .onFailure(err -> close(SERVER_ERROR, "unsubscribe failed: " + err.getMessage()));
        case "isEndOfTopic" -> request(new ConsumerCommand.IsEndOfTopic(id))
            .onSuccess(reached -> write(Frames.endOfTopic(Boolean.TRUE.equals(reached))))
            .onFailure(err -> close(SERVER_ERROR, "isEndOfTopic failed: " + err.getMessage()));
        case "negativeAcknowledge" -> acknowledge(command, true);
        default -> acknowledge(command, false);
      }
    } catch (Frames.BadCommand e) {
      close(INVALID_PAYLOAD, "invalid command: " + e.getMessage());
    }
  }

  private void permit(Frames.Command command) throws Frames.BadCommand {
    Integer count = command.permitMessages();
    if (count == null) {
      throw new Frames.BadCommand("permitMessages is missing");
    }
    if (count <= 0) {
      throw new Frames.BadCommand("permitMessages must be positive");
    }
    if (pullMode) {
      pullPermits += count;
      topUp();
    }
  }

  private void acknowledge(Frames.Command command, boolean negative) throws Frames.BadCommand {
    String messageId = Frames.messageId(command);
    int refill = freeSlot(messageId) ? takeCredit() : 0;
    ConsumerCommand ack = negative
        ? new ConsumerCommand.Nack(id, List.of(messageId), refill)
        : new ConsumerCommand.Ack(id, List.of(messageId), refill);
    request(ack).onFailure(err -> LOG.debug("{} of {} on {} failed: {}", negative ? "Nack" : "Ack", messageId,
        description, err.getMessage()));
  }

  /** Whether the answer to {@code messageId} frees a slot of the push window. */
  private boolean freeSlot(String messageId) {
    Integer deliveries = outstanding.get(messageId);
    if (deliveries == null) {
      return false;
    }
    if (deliveries > 1) {
      outstanding.put(messageId, deliveries - 1);
    } else {
      outstanding.remove(messageId);
    }
    outstandingCount--;
    return true;
  }
}
