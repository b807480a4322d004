package io.pulsarproxy.core.schema;

import io.pulsarproxy.core.schema.encode.ValueEncoder;

/**
 * The schema a produce request's values are encoded to, with its encoder.
 *
 * @param producer the schema the producer announces
 * @param version  its version on the topic, when known before producing (null for a schema given with the request)
 * @param encoder  encodes JSON values to it
 */
public record TopicSchema(ProducerSchema producer, Long version, ValueEncoder encoder) {}
