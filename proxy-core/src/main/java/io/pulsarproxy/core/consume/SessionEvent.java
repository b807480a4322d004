package io.pulsarproxy.core.consume;

import io.pulsarproxy.core.error.ProxyException;

/**
 * What the consumer service sends to a session's address ({@code Addresses.session(id)}), in order.
 */
public sealed interface SessionEvent {
  /** One message; it took one permit. */
  record Delivered(InboundMessage message) implements SessionEvent {}

  /** The Pulsar side of the session is gone (closed by the broker, topic deleted, proxy stopping). */
  record Ended(ProxyException reason) implements SessionEvent {}
}
