package io.pulsarproxy.ws;

import io.pulsarproxy.core.consume.ConsumerCommand;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer socket. Push mode (the default): the window is {@code receiverQueueSize} messages delivered and not yet
 * acknowledged or negatively acknowledged; each such frame frees one slot. Pull mode: nothing is delivered beyond
 * the permits the client sends; acknowledgements add none.
 *
 * <p>A command that cannot be understood closes the socket with 1007 and the reason. As in Pulsar, a frame with an
 * unknown {@code type} is an acknowledgement.
 */
final class ConsumerSession extends DeliverySession {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerSession.class);

  private final boolean pullMode;
  private final int window;

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
  void started() {
    if (!pullMode) {
      send(new ConsumerCommand.Permit(id, window));
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
      send(new ConsumerCommand.Permit(id, count));
    }
  }

  private void acknowledge(Frames.Command command, boolean negative) throws Frames.BadCommand {
    String messageId = Frames.messageId(command);
    int refill = answered() && !pullMode ? 1 : 0;
    ConsumerCommand ack = negative
        ? new ConsumerCommand.Nack(id, List.of(messageId), refill)
        : new ConsumerCommand.Ack(id, List.of(messageId), refill);
    request(ack).onFailure(err -> LOG.debug("{} of {} on {} failed: {}", negative ? "Nack" : "Ack", messageId,
        description, err.getMessage()));
  }
}
