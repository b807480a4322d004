package io.pulsarproxy.ws;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.consume.SessionEvent;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.edge.auth.Principal;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A socket that receives messages from a consumer or reader session of the consume service
 * ({@code Addresses.session(id)}).
 *
 * <p>Flow control is by credit: the session is permitted at most {@link #CHUNK} messages beyond those it already
 * delivered, and only while the socket's write queue has room. The role decides how many the client may have at all
 * ({@link #room()}: the push window, the client's own permits). So a client that stops reading stops the proxy
 * from taking messages from Pulsar after at most a chunk more than its socket's buffers hold, however large its
 * window; a pause command could not do that, as the whole window may already be on its way when the queue fills.
 * Every command that carries permits is answered: permits the consume service did not take are given back and
 * granted again, or, when it no longer knows the session, the socket is closed with the reason.
 */
abstract class DeliverySession extends SocketSession {
  /** Messages permitted to the consume service ahead of delivery, at most: the brake's slack. */
  static final int CHUNK = 16;
  /** Delay before permits whose command failed are granted again. */
  private static final long CREDIT_RETRY_MS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(DeliverySession.class);

  /** The consume service, where the session's commands go. */
  final ConsumerClient consumers;
  private MessageConsumer<SessionEvent> events;
  /** Permitted to the consume service and not delivered yet. */
  private int credit;

  DeliverySession(Vertx vertx, ServerWebSocket socket, WsSessions sessions, String id, String description,
      Principal principal, ConsumerClient consumers) {
    super(vertx, socket, sessions, id, description, principal);
    this.consumers = consumers;
  }

  @Override
  final void opened() {
    // The session delivers nothing before the first permit, which comes after this registration.
    events = vertx.eventBus().localConsumer(Addresses.session(id), message -> event(message.body()));
    socket.drainHandler(v -> topUp());
    topUp();
  }

  /**
   * How many more messages the client may receive beyond those it was handed: the push window's free slots, or the
   * pull permits not used yet.
   */
  abstract int room();

  /** One message is being written to the client. */
  abstract void delivered(String messageId);

  private void event(SessionEvent event) {
    if (event instanceof SessionEvent.Delivered delivered) {
      List<String> frames = new ArrayList<>(delivered.messages().size());
      for (InboundMessage message : delivered.messages()) {
        credit = Math.max(0, credit - 1);
        delivered(message.messageId());
        frames.add(Frames.message(message));
      }
      // Messages that came together are written with one flush.
      writeAll(frames);
      topUp();
    } else if (event instanceof SessionEvent.Ended ended) {
      boolean stopping = ended.reason().code() == ErrorCode.SHUTTING_DOWN;
      close(stopping ? GOING_AWAY : SERVER_ERROR, ended.reason().getMessage());
    }
  }

  /** Permits more messages when the client has room and the socket can take them. */
  final void topUp() {
    int grant = takeCredit();
    if (grant > 0) {
      consumers.send(new ConsumerCommand.Permit(id, grant)).onFailure(err -> creditLost(grant, err));
    }
  }

  /**
   * A command that carried {@code permits} failed. Unless the consume service took them (it grants the permits of a
   * command before anything else can fail), their credit is given back, so that it cannot stay counted as on its way
   * forever: nothing would be delivered again, and nothing would say why. A session the consume service no longer
   * knows closes the socket with the reason; a reply that timed out is granted again shortly.
   */
  final void creditLost(int permits, Throwable err) {
    if (permits <= 0 || isClosing()) {
      return;
    }
    boolean answered = !ConsumerClient.unanswered(err);
    ErrorCode code = err instanceof ProxyException e ? e.code() : ErrorCode.INTERNAL_ERROR;
    if (answered ? code == ErrorCode.NOT_FOUND : code == ErrorCode.SHUTTING_DOWN) {
      close(SERVER_ERROR, "the consumer session is gone: " + err.getMessage());
      return;
    }
    if (answered) {
      return; // answered by the service, which took the permits before it refused the rest
    }
    credit = Math.max(0, credit - permits);
    LOG.info("{} permit(s) for {} socket {} on {} were not granted ({}); granting again", permits, role().label(), id,
        description, err.getMessage());
    vertx.setTimer(CREDIT_RETRY_MS, t -> topUp());
  }

  /**
   * Reserves the permits to grant now (0 while the socket is full, or while enough are on their way), for a caller
   * that sends them with another command (an acknowledgement).
   */
  final int takeCredit() {
    if (isClosing() || writeQueueFull()) {
      return 0;
    }
    int grant = Math.min(room() - credit, CHUNK - credit);
    // With half a chunk or more on its way, wait to grant a larger batch, unless that is all the room left.
    if (grant <= 0 || credit >= CHUNK / 2 && grant < CHUNK / 2) {
      return 0;
    }
    credit += grant;
    return grant;
  }

  /** Sends what the role still holds for the consume service; called once, before the session is closed there. */
  void beforeRelease() {}

  @Override
  final void release() {
    if (events != null) {
      events.unregister();
    }
    beforeRelease();
    consumers.close(id, false);
  }
}
