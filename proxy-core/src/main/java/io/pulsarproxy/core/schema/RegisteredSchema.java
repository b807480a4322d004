package io.pulsarproxy.core.schema;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;

/**
 * One version of a topic's schema in Pulsar's schema registry.
 *
 * @param info    the schema (type, definition, properties)
 * @param version its version on the topic (0 is the first)
 */
public record RegisteredSchema(SchemaInfo info, long version) {

  /** Pulsar's schema version bytes: the version as an 8-byte big-endian long. */
  public static byte[] versionBytes(long version) {
    return ByteBuffer.allocate(8).putLong(version).array();
  }

  /** The version in Pulsar's version bytes, or null when there are none (a topic without a schema). */
  public static Long version(byte[] bytes) {
    return bytes == null || bytes.length != 8 ? null : ByteBuffer.wrap(bytes).getLong();
  }

  /**
   * What the schema endpoint answers: {@code type}, {@code version}, {@code schema} (the definition as JSON: an Avro
   * or JSON schema as an object; a KeyValue schema as its key and value schemas and encoding; a primitive schema has
   * none) and {@code properties}.
   */
  public JsonObject toJson() {
    JsonObject out = new JsonObject().put("type", info.getType().name()).put("version", version);
    Object definition = definition(info);
    if (definition != null) {
      out.put("schema", definition);
    }
    JsonObject properties = new JsonObject();
    info.getProperties().forEach(properties::put);
    return out.put("properties", properties);
  }

  static Object definition(SchemaInfo info) {
    if (info.getType() == SchemaType.KEY_VALUE) {
      KeyValueSchemaData parts = KeyValueSchemaData.of(info);
      return new JsonObject()
          .put("keySchema", part(parts.key()))
          .put("valueSchema", part(parts.value()))
          .put("encoding", parts.separated() ? "SEPARATED" : "INLINE");
    }
    byte[] data = info.getSchema();
    if (data == null || data.length == 0) {
      return null;
    }
    String text = new String(data, StandardCharsets.UTF_8);
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      return Base64.getEncoder().encodeToString(data);
    }
  }

  private static JsonObject part(SchemaInfo info) {
    JsonObject out = new JsonObject().put("type", info.getType().name());
    Object definition = definition(info);
    return definition == null ? out : out.put("schema", definition);
  }
}
