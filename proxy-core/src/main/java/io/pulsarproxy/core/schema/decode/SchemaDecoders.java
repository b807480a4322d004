package io.pulsarproxy.core.schema.decode;

import io.pulsarproxy.core.schema.KeyValueSchemaData;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;

/** Builds the {@link ValueDecoder} of a schema version as Pulsar's registry holds it ({@link SchemaInfo}). */
public final class SchemaDecoders {
  private SchemaDecoders() {}

  /**
   * The decoder of {@code schema}, or null when its bodies are untyped bytes ({@code BYTES}, {@code NONE}): such
   * messages are read as on a topic without a schema.
   *
   * @throws UndecodableException when the schema itself cannot be read or its type cannot be decoded
   */
  public static ValueDecoder forSchema(SchemaInfo schema) {
    SchemaType type = schema.getType();
    if (type == SchemaType.BYTES || type == SchemaType.NONE) {
      return null;
    }
    try {
      return guarded(type, typed(type, schema.getSchema(), schema.getProperties()));
    } catch (UndecodableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new UndecodableException("the " + type + " schema of this version cannot be read");
    }
  }

  /** Decodes {@code body} with {@code decoder}; any failure becomes the short reason of a {@link DecodedValue}. */
  public static DecodedValue decode(ValueDecoder decoder, byte[] body, byte[] keyBytes) {
    try {
      return DecodedValue.of(decoder.decode(body, keyBytes));
    } catch (UndecodableException e) {
      return DecodedValue.failed(e.getMessage());
    }
  }

  private static ValueDecoder typed(SchemaType type, byte[] data, Map<String, String> properties) {
    ValueDecoder primitive = PrimitiveJson.decoder(type);
    if (primitive != null) {
      return primitive;
    }
    return switch (type) {
      case AVRO -> AvroJson.decoder(new String(data, StandardCharsets.UTF_8));
      case JSON -> (body, key) -> {
        try {
          return Json.decodeValue(Buffer.buffer(body));
        } catch (DecodeException e) {
          throw new UndecodableException("not JSON");
        }
      };
      case PROTOBUF_NATIVE -> ProtobufJson.decoder(data);
      case KEY_VALUE -> keyValue(data, properties);
      default -> throw new UndecodableException(type + " schemas cannot be decoded to JSON");
    };
  }

  /**
   * A KeyValue schema's data holds the key's and the value's schema data ({@link KeyValueSchemaData#split} layout), its
   * properties their types and properties and the encoding: INLINE bodies hold key and value in the same format,
   * SEPARATED bodies the value only, the key being the message key.
   */
  private static ValueDecoder keyValue(byte[] data, Map<String, String> properties) {
    byte[][] parts = KeyValueSchemaData.split(data);
    if (parts == null) {
      throw new UndecodableException("the KeyValue schema of this version cannot be read");
    }
    ValueDecoder key = part("key", parts[0] == null ? new byte[0] : parts[0], properties);
    ValueDecoder value = part("value", parts[1] == null ? new byte[0] : parts[1], properties);
    boolean separated = "SEPARATED".equalsIgnoreCase(properties.get("kv.encoding.type"));
    return (body, keyBytes) -> {
      if (separated) {
        return new JsonObject()
            .put("key", keyBytes == null ? null : key.decode(keyBytes, null))
            .put("value", value.decode(body, null));
      }
      byte[][] inline = KeyValueSchemaData.split(body);
      if (inline == null) {
        throw new UndecodableException("not an INLINE key/value body");
      }
      return new JsonObject()
          .put("key", inline[0] == null ? null : key.decode(inline[0], null))
          .put("value", inline[1] == null ? null : value.decode(inline[1], null));
    };
  }

  private static ValueDecoder part(String which, byte[] data, Map<String, String> properties) {
    SchemaType type;
    try {
      type = SchemaType.valueOf(properties.getOrDefault(which + ".schema.type", "BYTES"));
    } catch (IllegalArgumentException e) {
      throw new UndecodableException("the KeyValue schema names an unknown " + which + " type");
    }
    return type == SchemaType.NONE ? PrimitiveJson.decoder(SchemaType.BYTES) : typed(type, data, Map.of());
  }

  /** Failures a decoder did not foresee (a date out of range, a broken nested length) become a short reason too. */
  private static ValueDecoder guarded(SchemaType type, ValueDecoder decoder) {
    return (body, keyBytes) -> {
      try {
        return decoder.decode(body, keyBytes);
      } catch (UndecodableException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new UndecodableException("the body does not fit its " + type + " schema");
      }
    };
  }
}
