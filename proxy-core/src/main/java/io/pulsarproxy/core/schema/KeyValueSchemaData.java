package io.pulsarproxy.core.schema;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;

/**
 * Pulsar's KEY_VALUE schema as its registry holds it: the data is the key schema's data and the value schema's, each
 * after its 4-byte big-endian length (-1 for none); the properties name their types ({@code key.schema.type},
 * {@code value.schema.type}), names and properties (as JSON text: {@code key.schema.properties}, …) and the encoding
 * ({@code kv.encoding.type}, INLINE when absent). Message bodies of INLINE topics have the same two-part layout.
 *
 * @param key       the key's schema
 * @param value     the value's schema
 * @param separated SEPARATED encoding: the key is the message key, the body the value only
 */
public record KeyValueSchemaData(SchemaInfo key, SchemaInfo value, boolean separated) {
  private static final String ENCODING = "kv.encoding.type";

  /**
   * The parts of a KEY_VALUE schema.
   *
   * @throws IllegalArgumentException when it is not one, or its data or properties cannot be read
   */
  public static KeyValueSchemaData of(SchemaInfo info) {
    if (info.getType() != SchemaType.KEY_VALUE) {
      throw new IllegalArgumentException("not a KeyValue schema");
    }
    byte[][] parts = split(info.getSchema());
    if (parts == null) {
      throw new IllegalArgumentException("the KeyValue schema's data cannot be read");
    }
    Map<String, String> properties = info.getProperties();
    String encoding = properties.get(ENCODING);
    return new KeyValueSchemaData(part("key", parts[0], properties), part("value", parts[1], properties),
        "SEPARATED".equalsIgnoreCase(encoding));
  }

  /** The KEY_VALUE schema of {@code key} and {@code value}, named {@code name}. */
  public SchemaInfo toSchemaInfo(String name) {
    Map<String, String> properties = new HashMap<>();
    describe("key", key, properties);
    describe("value", value, properties);
    properties.put(ENCODING, separated ? "SEPARATED" : "INLINE");
    return SchemaInfo.builder().name(name).type(SchemaType.KEY_VALUE).schema(join(key.getSchema(), value.getSchema()))
        .properties(properties).build();
  }

  /**
   * The two parts of the key/value layout ({@code [length][bytes][length][bytes]}, length -1 for null; either part
   * may be null), or null when the lengths do not fit: checked before anything is allocated, so a corrupt length
   * costs nothing.
   */
  public static byte[][] split(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data);
    byte[][] parts = new byte[2][];
    for (int i = 0; i < 2; i++) {
      if (in.remaining() < Integer.BYTES) {
        return null;
      }
      int length = in.getInt();
      if (length == -1) {
        continue;
      }
      if (length < 0 || length > in.remaining()) {
        return null;
      }
      parts[i] = new byte[length];
      in.get(parts[i]);
    }
    return in.hasRemaining() ? null : parts;
  }

  /** {@code key} and {@code value} in the key/value layout (a null part has length -1). */
  public static byte[] join(byte[] key, byte[] value) {
    int size = 8 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    ByteBuffer out = ByteBuffer.allocate(size);
    for (byte[] part : new byte[][] {key, value}) {
      if (part == null) {
        out.putInt(-1);
      } else {
        out.putInt(part.length).put(part);
      }
    }
    return out.array();
  }

  private static SchemaInfo part(String which, byte[] data, Map<String, String> properties) {
    SchemaType type = SchemaType.valueOf(properties.getOrDefault(which + ".schema.type", SchemaType.BYTES.name()));
    Map<String, String> own = new LinkedHashMap<>();
    String json = properties.get(which + ".schema.properties");
    if (json != null && !json.isEmpty()) {
      new JsonObject(json).forEach(e -> own.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return SchemaInfo.builder().name(properties.getOrDefault(which + ".schema.name", "")).type(type)
        .schema(data == null ? new byte[0] : data).properties(own).build();
  }

  private static void describe(String which, SchemaInfo info, Map<String, String> properties) {
    properties.put(which + ".schema.name", info.getName() == null ? "" : info.getName());
    properties.put(which + ".schema.type", info.getType().name());
    JsonObject own = new JsonObject();
    info.getProperties().forEach(own::put);
    properties.put(which + ".schema.properties", own.encode());
  }
}
