package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.WsFrameCheck;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulsar WebSocket API v2 producer and consumer loops, shared by the WebSocket and mixed simulations.
 *
 * <p><b>How Gatling sees a socket.</b> A socket has at most one armed check sequence, armed by a send; a frame that
 * arrives while nothing is armed goes to the unmatched-message buffer, which the next send clears. Sends and checks
 * run on the socket's event loop, and consecutive actions (no pause, no loop boundary between them) run in one go,
 * so no frame is read between them. The loops below are built on those two facts:
 * <ul>
 *   <li><b>Producer:</b> a burst of {@code window} sends in a row, the last one arming {@code window} checks, one per
 *   {@code context}, in send order (Pulsar acknowledges a socket's sends in order). Every ack is checked
 *   ({@code result == "ok"}) and timed from the burst (the sends of a burst leave within microseconds), so the
 *   {@code ack} response time is each message's own send-to-ack latency with {@code window} messages in flight.</li>
 *   <li><b>Consumer:</b> every send (an ack) is preceded, in the same run of actions, by a look at the unmatched
 *   buffer; a message that arrived between two loop iterations is therefore taken from there and acknowledged, never
 *   lost. The {@code receive} response time is the wait for the next message after an ack, not a latency.</li>
 * </ul>
 */
final class WsChains {

  /** Messages received and acknowledged by the consumer loops of this JVM (printed after the run). */
  static final LongAdder RECEIVED = new LongAdder();
  static final LongAdder ACKED = new LongAdder();
  static final LongAdder RECEIVED_BETWEEN_CHECKS = new LongAdder();

  private static final String BURST = "burst";
  private static final String TO_ACK = "toAck";
  private static final String LAST_ID = "lastMessageId";
  private static final String DRAIN = "acksLeft";
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\"\\s*:\\s*\"([^\"]+)\"");
  /** How many queued acks one consumer iteration may send before it waits for the next message. */
  private static final int ACKS_PER_ITERATION = 8;

  private WsChains() {
  }

  static String producerPath(Settings settings, String topic, String query) {
    return "/ws/v2/producer/" + settings.topicPath(topic) + (query.isEmpty() ? "" : "?" + query);
  }

  static String consumerPath(Settings settings, String topic, String subscription, String query) {
    return "/ws/v2/consumer/" + settings.topicPath(topic) + "/" + subscription
        + (query.isEmpty() ? "" : "?" + query);
  }

  /**
   * Connects a producer socket, sends bursts of {@code window} messages for {@code duration} (paced to reach
   * {@code ratePerUser} messages per second per user when it is above zero), then closes.
   */
  static ChainBuilder producer(String url, int window, String payloadBase64, Duration duration, double ratePerUser,
      Duration ackTimeout) {
    ChainBuilder burst = burst(window, payloadBase64, ackTimeout);
    ChainBuilder iteration = ratePerUser > 0
        ? exec(pace(Duration.ofNanos((long) (window / ratePerUser * 1e9))), burst)
        : burst;
    return exec(session -> session.set(BURST, 0L))
        .exec(ws("connect producer").connect(url))
        .exec(during(duration).on(iteration))
        .exec(ws("close producer").close());
  }

  private static ChainBuilder burst(int window, String payloadBase64, Duration ackTimeout) {
    List<WsFrameCheck> acks = new ArrayList<>(window);
    for (int i = 0; i < window; i++) {
      int index = i;
      acks.add(ws.checkTextMessage("ack")
          .matching(jsonPath("$.context").is(session -> context(session, index)))
          .check(jsonPath("$.result").is("ok"), jsonPath("$.messageId").exists()));
    }
    ChainBuilder chain = exec(session -> session.set(BURST, session.getLong(BURST) + 1));
    for (int i = 0; i < window - 1; i++) {
      int index = i;
      chain = chain.exec(ws("send").sendText(session -> frame(payloadBase64, context(session, index))));
    }
    int last = window - 1;
    return chain.exec(ws("send").sendText(session -> frame(payloadBase64, context(session, last)))
        .await(ackTimeout).on(acks));
  }

  private static String context(Session session, int index) {
    return session.userId() + "-" + session.getLong(BURST) + "-" + index;
  }

  private static String frame(String payloadBase64, String context) {
    return "{\"payload\":\"" + payloadBase64 + "\",\"context\":\"" + context + "\"}";
  }

  /**
   * Connects a consumer socket (push mode), waits until {@code from} (epoch ms: when the producers begin), receives
   * and acknowledges messages until {@code until} (epoch ms; the same moment for every consumer, however late it
   * started), acknowledges what is still queued, then closes. A receive that waits longer than
   * {@code receiveTimeout} fails: counted from {@code from}, so a consumer that connected early in the ramp does not
   * time out waiting for producers that have not started.
   */
  static ChainBuilder consumer(Function<Session, String> url, LongSupplier from, LongSupplier until,
      Duration receiveTimeout) {
    WsFrameCheck receive = ws.checkTextMessage("receive")
        .matching(jsonPath("$.messageId").exists())
        .check(jsonPath("$.messageId").saveAs(LAST_ID), jsonPath("$.payload").exists());

    ChainBuilder iteration = exec(TAKE_UNMATCHED);
    for (int i = 0; i < ACKS_PER_ITERATION; i++) {
      iteration = iteration.exec(doIf(session -> queue(session).size() > 1).then(
          exec(ws("send ack").sendText(WsChains::nextAck))));
    }
    iteration = iteration
        .exec(doIfOrElse(session -> !queue(session).isEmpty())
            .then(exec(ws("send ack").sendText(WsChains::nextAck).await(receiveTimeout).on(receive)))
            // Nothing to acknowledge (the first iteration, or after a timeout): a harmless command arms the check.
            .orElse(exec(ws("isEndOfTopic").sendText("{\"type\":\"isEndOfTopic\"}")
                .await(receiveTimeout).on(receive))))
        .exec(WsChains::queueReceived);

    // Acknowledges what was received; what arrives meanwhile is left unacknowledged, so Pulsar redelivers it to
    // another consumer once this one closes (a drain that took new messages could go on while producers run).
    // Gatling re-evaluates a repeat count on every turn: count the queue once, before the loop.
    ChainBuilder drain = exec(session -> session.set(DRAIN, queue(session).size()))
        .repeat(session -> session.getInt(DRAIN)).on(exec(ws("send ack").sendText(WsChains::nextAck)));

    return exec(session -> session.set(TO_ACK, new ArrayDeque<String>()))
        .exec(ws("connect consumer").connect(url))
        .exec(pause(session -> Duration.ofMillis(Math.max(0, from.getAsLong() - System.currentTimeMillis()))))
        .exec(asLongAs(session -> System.currentTimeMillis() < until.getAsLong()).on(iteration))
        .exec(drain)
        .exec(ws("close consumer").close());
  }

  /** Prints what the consumer loops of this JVM received and acknowledged. */
  static void printConsumerTotals() {
    System.out.printf("WebSocket consumers: %d messages received (%d of them between two checks), %d acks sent%n",
        RECEIVED.sum(), RECEIVED_BETWEEN_CHECKS.sum(), ACKED.sum());
  }

  @SuppressWarnings("unchecked")
  private static ArrayDeque<String> queue(Session session) {
    // Mutable, but only ever touched by its own virtual user, whose actions run one at a time.
    return (ArrayDeque<String>) session.get(TO_ACK);
  }

  private static String nextAck(Session session) {
    ACKED.increment();
    return "{\"messageId\":\"" + queue(session).poll() + "\"}";
  }

  private static Session queueReceived(Session session) {
    if (session.contains(LAST_ID)) {
      queue(session).add(session.getString(LAST_ID));
      RECEIVED.increment();
      return session.remove(LAST_ID);
    }
    return session;
  }

  /** Moves the messages that arrived while no check was armed into the ack queue. */
  private static final ActionBuilder TAKE_UNMATCHED = ws.processUnmatchedMessages((messages, session) -> {
    for (WsInboundMessage message : messages) {
      if (message instanceof WsInboundMessage.Text text) {
        Matcher id = MESSAGE_ID.matcher(text.message());
        if (id.find()) {
          queue(session).add(id.group(1));
          RECEIVED.increment();
          RECEIVED_BETWEEN_CHECKS.increment();
        }
      }
    }
    return session;
  });

  /** Frames kept for {@link #TAKE_UNMATCHED}: at least a consumer's receive window (Pulsar's maximum is 1000). */
  static final int UNMATCHED_BUFFER = 2000;
}
