package io.pulsarproxy.core.consume;

import io.pulsarproxy.config.Secret;
import java.util.List;

/**
 * Requests to the consumer service on {@code Addresses.CONSUMER}. Each is answered with a {@link CommandReply};
 * the reply of {@link Open} comes once the Pulsar consumer or reader exists.
 */
public sealed interface ConsumerCommand {
  /** The session the command is about. */
  String sessionId();

  /**
   * Opens a subscription or reader whose messages go to {@code Addresses.session(sessionId)}, acting with a client's
   * forwarded {@code token} (null: the proxy's own credentials). With {@code decodeValues}, each message of a topic
   * with a schema comes decoded with the schema version it was written with ({@link InboundMessage#decoded()}).
   */
  record Open(String sessionId, SessionSpec spec, Secret token, boolean decodeValues) implements ConsumerCommand {
    /** With the proxy's own credentials. */
    public Open(String sessionId, SessionSpec spec) {
      this(sessionId, spec, null, false);
    }

    /** Bodies as they are, not decoded. */
    public Open(String sessionId, SessionSpec spec, Secret token) {
      this(sessionId, spec, token, false);
    }
  }

  /** Allows {@code count} more messages to be delivered. */
  record Permit(String sessionId, int count) implements ConsumerCommand {}

  /** Stops (true) or resumes (false) taking messages from Pulsar, e.g. while the client's socket is full. */
  record Pause(String sessionId, boolean paused) implements ConsumerCommand {}

  /** Acknowledges these ids, then allows {@code permits} more messages (the push window's refill). */
  record Ack(String sessionId, List<String> messageIds, int permits) implements ConsumerCommand {}

  /** Acknowledges every message up to and including this id (Exclusive and Failover subscriptions). */
  record AckCumulative(String sessionId, String messageId) implements ConsumerCommand {}

  /** Asks for redelivery of these ids, then allows {@code permits} more messages. */
  record Nack(String sessionId, List<String> messageIds, int permits) implements ConsumerCommand {}

  /** Removes the subscription; the session delivers nothing more. */
  record Unsubscribe(String sessionId) implements ConsumerCommand {}

  /** Replies {@code Boolean}: whether the topic is terminated and everything was read. */
  record IsEndOfTopic(String sessionId) implements ConsumerCommand {}

  /**
   * Replies {@code Boolean}: whether a reader has more messages to read now (those it delivered or holds included in
   * what it knows of the topic), so that a page of reads can end without waiting. Readers only.
   */
  record HasMessageAvailable(String sessionId) implements ConsumerCommand {}

  /** Moves the subscription or reader to an id or a publish time (exactly one is set). */
  record Seek(String sessionId, String messageId, Long timestamp) implements ConsumerCommand {}

  /** Closes the Pulsar side; with {@code unsubscribe}, removes the subscription first. */
  record Close(String sessionId, boolean unsubscribe) implements ConsumerCommand {}
}
