package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.topic.Topic;
import java.util.List;
import java.util.Map;

/**
 * Event-bus request to {@code proxy.produce}: send these messages, in this order, to this topic. The reply is a
 * {@link ProduceReply} with one result per message, in the same order; the request is never failed as a whole, except
 * that a request with an {@link Idempotency} may be refused (see {@link ProduceReply#rejection()}).
 *
 * @param trace the trace context its messages carry in their properties ({@code traceparent}, {@code tracestate}),
 *              set by the produce service from its send span; empty when there is none
 */
public record ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages,
    Idempotency idempotency, Map<String, String> trace) {
  public ProduceRequest {
    messages = List.copyOf(messages);
    trace = trace == null ? Map.of() : Map.copyOf(trace);
  }

  public ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages,
      Idempotency idempotency) {
    this(topic, options, messages, idempotency, Map.of());
  }

  /** A request without an {@code Idempotency-Key}. */
  public ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages) {
    this(topic, options, messages, null);
  }

  /** The same request for some of its messages only. */
  ProduceRequest only(List<OutgoingMessage> subset) {
    return new ProduceRequest(topic, options, subset, idempotency, trace);
  }

  /** The same request, its messages carrying {@code context}. */
  ProduceRequest traced(Map<String, String> context) {
    return new ProduceRequest(topic, options, messages, idempotency, context);
  }
}
