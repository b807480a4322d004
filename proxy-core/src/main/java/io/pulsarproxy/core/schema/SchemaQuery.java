package io.pulsarproxy.core.schema;

import io.pulsarproxy.core.topic.Topic;

/** Event-bus request to {@code proxy.schemas}: the topic's schema at {@code version} (null: the latest). */
public record SchemaQuery(Topic topic, Long version) {}
