package io.pulsarproxy.ws;

import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.edge.auth.Principal;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
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
  /** Acknowledgements read in this turn of the event loop, not yet sent; at most what one read of the socket holds. */
  private List<String> acks = new ArrayList<>();
  private List<String> nacks = new ArrayList<>();
  /** Slots of the push window the grouped acknowledgements freed. */
  private int refill;

  ConsumerSession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, WsEndpoint.Consumer endpoint,
      Principal principal, ConsumerClient consumers) {
    super(vertx, socket, sessions, id, endpoint.describe(), principal, consumers);
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
      if (type.equals("permit") || type.equals("unsubscribe") || type.equals("isEndOfTopic")) {
        // Commands keep their order with the acknowledgements read before them.
        sendAcks();
      }
      switch (type) {
        case "permit" -> permit(command);
        case "unsubscribe" -> consumers.send(new ConsumerCommand.Unsubscribe(id))
            .onFailure(err -> close(SERVER_ERROR, "unsubscribe failed: " + err.getMessage()));
        case "isEndOfTopic" -> consumers.isEndOfTopic(id)
            .onSuccess(reached -> write(Frames.endOfTopic(reached)))
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

  /**
   * Takes an acknowledgement (or negative one) into the group of those read in the same turn of the event loop; the
   * group goes to the consume service as one command at the end of the turn ({@link #sendAcks()}).
   */
  private void acknowledge(Frames.Command command, boolean negative) throws Frames.BadCommand {
    String messageId = Frames.messageId(command);
    boolean freed = freeSlot(messageId);
    if (acks.isEmpty() && nacks.isEmpty()) {
      context.runOnContext(v -> sendAcks());
    }
    (negative ? nacks : acks).add(messageId);
    if (freed) {
      refill++;
    }
  }

  /** Sends the grouped acknowledgements, and the permits their freed slots allow, before anything else is sent. */
  private void sendAcks() {
    if (acks.isEmpty() && nacks.isEmpty()) {
      return;
    }
    List<String> acked = acks;
    List<String> nacked = nacks;
    acks = new ArrayList<>();
    nacks = new ArrayList<>();
    // Credit is taken once the whole group freed its slots, so that one command carries the refill.
    int permits = refill > 0 ? takeCredit() : 0;
    refill = 0;
    if (!nacked.isEmpty()) {
      send(nacked, true, 0);
    }
    if (!acked.isEmpty() || permits > 0) {
      send(acked, false, permits);
    }
  }

  private void send(List<String> ids, boolean negative, int permits) {
    ConsumerCommand command = negative
        ? new ConsumerCommand.Nack(id, ids, permits)
        : new ConsumerCommand.Ack(id, ids, permits);
    consumers.send(command).onFailure(err -> {
      LOG.debug("{} of {} message(s) on {} failed: {}", negative ? "Nack" : "Ack", ids.size(), description,
          err.getMessage());
      creditLost(permits, err);
    });
  }

  @Override
  void beforeRelease() {
    sendAcks();
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
