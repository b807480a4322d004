package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.topic.Topic;

/**
 * Requests to the producer service on {@code Addresses.PRODUCERS} about a producer itself rather than its messages.
 * A long-lived client (a WebSocket) opens its producer before it is accepted, so that creation errors become its
 * handshake answer, holds it while it is connected (a held producer is never closed as idle or evicted), and
 * releases it when it goes. The messages themselves still go to {@code Addresses.PRODUCE} with the same topic and
 * options.
 */
public sealed interface ProducerCommand {
  Topic topic();

  ProducerOptions options();

  /**
   * Creates the producer if needed and holds it until {@link Release}. Answered with a {@link ProducerOpened} once the
   * broker has accepted the producer. A producer with a fixed name has one holder at a time: a second Open of the
   * same topic and options fails with {@code CONFLICT}.
   */
  record Open(Topic topic, ProducerOptions options) implements ProducerCommand {}

  /** Ends the hold of one {@link Open}; a named producer is closed, which frees its name on the broker. No reply. */
  record Release(Topic topic, ProducerOptions options) implements ProducerCommand {}
}
