package io.pulsarproxy.core.schema.decode;

/**
 * Turns the encoded body of a message written with one schema version into its natural JSON: a Vert.x
 * {@code JsonObject} or {@code JsonArray}, a {@code String}, {@code Number}, {@code Boolean}, or null. Immutable and
 * thread-safe once built.
 */
@FunctionalInterface
public interface ValueDecoder {
  /**
   * @param body     the message payload
   * @param keyBytes the message key's bytes (a KeyValue schema with SEPARATED encoding reads its key there); may be
   *                 null
   * @throws UndecodableException when the body does not fit the schema
   */
  Object decode(byte[] body, byte[] keyBytes);
}
