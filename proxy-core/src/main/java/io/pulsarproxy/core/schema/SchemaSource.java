package io.pulsarproxy.core.schema;

import io.vertx.core.Future;
import java.util.Optional;

/** Where schemas come from: Pulsar's schema registry. */
@FunctionalInterface
public interface SchemaSource {
  /**
   * The schema of {@code topic} (a partitioned topic's own name, not a partition's) at {@code version}, null for the
   * latest; empty when the topic has none (or not that version). Fails with {@code BROKER_UNAVAILABLE} when the
   * registry cannot be asked.
   */
  Future<Optional<RegisteredSchema>> fetch(String topic, Long version);
}
