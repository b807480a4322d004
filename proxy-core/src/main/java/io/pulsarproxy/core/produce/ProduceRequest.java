package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.topic.Topic;
import java.util.List;

/**
 * Event-bus request to {@code proxy.produce}: send these messages, in this order, to this topic. The reply is a
 * {@link ProduceReply} with one result per message, in the same order; the request is never failed as a whole.
 */
public record ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages) {
  public ProduceRequest {
    messages = List.copyOf(messages);
  }
}
