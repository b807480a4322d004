package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.topic.Topic;
import io.pulsarproxy.core.schema.SchemaSpec;
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
    Idempotency idempotency, SchemaSpec schema, boolean independent, Map<String, String> trace) {
  public ProduceRequest {
    messages = List.copyOf(messages);
    trace = trace == null ? Map.of() : Map.copyOf(trace);
  }

  /** A request without a schema of its own: JSON values are encoded to the topic's latest schema, if it has one. */
  public ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages,
      Idempotency idempotency) {
    this(topic, options, messages, idempotency, null, false, Map.of());
  }

  /** An HTTP request: all or nothing when a value does not fit the schema. */
  public ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages,
      Idempotency idempotency, SchemaSpec schema) {
    this(topic, options, messages, idempotency, schema, false, Map.of());
  }

  /**
   * Messages that are each their own request (a WebSocket producer's frames): a value that does not fit the schema
   * fails that message only, with {@code SCHEMA_MISMATCH}, and the others are sent.
   */
  public static ProduceRequest independent(Topic topic, ProducerOptions options, List<OutgoingMessage> messages) {
    return new ProduceRequest(topic, options, messages, null, null, true, Map.of());
  }

  /**
   * Whether the request's messages may have to be encoded to a schema: it names a schema, or a message has a JSON
   * value. Other requests are sent as bytes without looking at the topic's schema.
   */
  public boolean mayBeTyped() {
    return schema != null || messages.stream().anyMatch(m -> m.value() != null);
  }

  /** A request without an {@code Idempotency-Key}. */
  public ProduceRequest(Topic topic, ProducerOptions options, List<OutgoingMessage> messages) {
    this(topic, options, messages, null);
  }

  /** The same request for some of its messages only. */
  ProduceRequest only(List<OutgoingMessage> subset) {
    return new ProduceRequest(topic, options, subset, idempotency, schema, independent, trace);
  }

  /** The same request, its messages carrying {@code context}. */
  ProduceRequest traced(Map<String, String> context) {
    return new ProduceRequest(topic, options, messages, idempotency, schema, independent, context);
  }
}
