package io.pulsarproxy.core.schema;

/**
 * What a produce request says about the schema its values were written against: nothing (the topic's latest schema),
 * a version of the topic's schema, or a schema of its own that the broker registers or checks for compatibility.
 *
 * @param version the topic's schema version, or null
 * @param schema  a schema given with the request, or null
 */
public record SchemaSpec(Long version, ProducerSchema schema) {
  /** The topic's latest schema. */
  public static final SchemaSpec LATEST = new SchemaSpec(null, null);
}
