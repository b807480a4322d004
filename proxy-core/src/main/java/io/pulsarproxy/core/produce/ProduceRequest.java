package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.topic.Topic;
import java.util.List;

/**
 * Event-bus request to {@code proxy.produce}: send these messages, in this order, to this topic. The reply is a
 * {@link ProduceReply} with one result per message, in the same order; the request is never failed as a whole, except
 * that a request with an {@link Idempotency} may be refused (see {@link ProduceReply#rejection()}).
 */
public record ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages,
    Idempotency idempotency) {
  public ProduceRequest {
    messages = List.copyOf(messages);
  }

  /** A request without an {@code Idempotency-Key}. */
  public ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages) {
    this(topic, options, messages, null);
  }

  /** The same request for some of its messages only. */
  ProduceRequest only(List<OutgoingMessage> subset) {
    return new ProduceRequest(topic, options, subset, idempotency);
  }
}
