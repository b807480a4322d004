package io.pulsarproxy.core.schema.encode;

import java.nio.charset.StandardCharsets;
import io.pulsarproxy.core.schema.KeyValueSchemaData;
import org.apache.pulsar.common.schema.SchemaInfo;

/** The encoder of a schema from the registry. */
public final class Encoders {
  private Encoders() {}

  /**
   * @throws IllegalArgumentException when the schema's type has no JSON mapping here (AUTO types, PROTOBUF with
   *                                  generated classes only) or its definition cannot be read
   */
  public static ValueEncoder forSchema(SchemaInfo info) {
    return switch (info.getType()) {
      case AVRO -> new AvroEncoder(AvroEncoder.parse(definition(info)));
      case JSON -> new JsonSchemaEncoder(AvroEncoder.parse(definition(info)));
      case PROTOBUF_NATIVE -> new ProtobufNativeEncoder(ProtobufNativeEncoder.rootOf(definition(info)));
      case KEY_VALUE -> {
        KeyValueSchemaData parts = KeyValueSchemaData.of(info);
        yield new KeyValueEncoder(forSchema(parts.key()), forSchema(parts.value()), parts.separated());
      }
      default -> {
        if (PrimitiveEncoder.supports(info.getType())) {
          yield new PrimitiveEncoder(info.getType());
        }
        throw new IllegalArgumentException("values of schema type " + info.getType()
            + " cannot be given as JSON; send the encoded bytes as 'payload'");
      }
    };
  }

  static String definition(SchemaInfo info) {
    return new String(info.getSchema(), StandardCharsets.UTF_8);
  }
}
