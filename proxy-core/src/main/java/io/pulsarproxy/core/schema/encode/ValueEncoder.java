package io.pulsarproxy.core.schema.encode;

/**
 * Encodes the natural JSON form of a value (as Vert.x parses it: JsonObject, JsonArray, String, Number, Boolean,
 * null) to the bytes of one schema. Thread-safe and reusable: one is built per topic schema version and cached.
 */
public interface ValueEncoder {
  /**
   * @param json the value
   * @param path where the value is, for mismatches ({@code value})
   * @throws SchemaMismatch when the value does not fit the schema
   */
  Encoded encode(Object json, String path);
}
