package io.pulsarproxy.core.schema.encode;

/**
 * A JSON value encoded to a topic's schema.
 *
 * @param key   the encoded key of a KeyValue schema with SEPARATED encoding (the message's key bytes), else null
 * @param value the message's payload
 */
public record Encoded(byte[] key, byte[] value) {
  public static Encoded of(byte[] value) {
    return new Encoded(null, value);
  }
}
