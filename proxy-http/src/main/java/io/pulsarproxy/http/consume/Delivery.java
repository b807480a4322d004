package io.pulsarproxy.http.consume;

import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.error.ProxyException;
import java.util.List;

/**
 * Where the messages of a consumer instance go: a buffer drained by long polls ({@link PollBuffer}) or an SSE
 * connection ({@link SseStream}). Called on the edge verticle's context.
 */
interface Delivery {
  /** A message the consume service delivered (it used one permit). */
  void onMessage(InboundMessage message);

  /** Messages the consume service delivered together, in order (each used one permit). */
  default void onMessages(List<InboundMessage> messages) {
    messages.forEach(this::onMessage);
  }

  /** The instance is gone (closed, expired, ended by Pulsar, proxy stopping): answer what waits, then stop. */
  void onEnded(ProxyException reason);

  /** The subscription moved: what was received and not yet handed out will come again from the new position. */
  default void onSeek() {}

  /** Whether the instance closes when idle: a stream's connection is its activity, polls are not. */
  boolean expiresWhenIdle();
}
