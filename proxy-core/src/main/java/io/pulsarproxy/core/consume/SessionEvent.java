package io.pulsarproxy.core.consume;

import io.pulsarproxy.core.error.ProxyException;
import java.util.List;

/**
 * What the consumer service sends to a session's address ({@code Addresses.session(id)}), in order.
 */
public sealed interface SessionEvent {
  /**
   * One or more messages, in the order Pulsar delivered them; each took one permit. Messages that came from Pulsar
   * together come in one event, so that an edge can write them with one flush.
   */
  record Delivered(List<InboundMessage> messages) implements SessionEvent {
    public Delivered {
      messages = List.copyOf(messages);
    }
  }

  /** The Pulsar side of the session is gone (closed by the broker, topic deleted, proxy stopping). */
  record Ended(ProxyException reason) implements SessionEvent {}
}
