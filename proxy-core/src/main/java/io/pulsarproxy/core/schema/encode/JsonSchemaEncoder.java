package io.pulsarproxy.core.schema.encode;

import io.vertx.core.json.Json;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;

/**
 * Pulsar's JSON schema: the definition is an Avro schema describing the JSON document (what {@code Schema.JSON(Pojo)}
 * registers). The value is checked against it with the Avro mapping ({@link AvroJson}) and stored as the JSON text
 * it is.
 */
public final class JsonSchemaEncoder implements ValueEncoder {
  private final Schema schema;

  public JsonSchemaEncoder(Schema schema) {
    this.schema = schema;
  }

  @Override
  public Encoded encode(Object json, String path) {
    AvroJson.toAvro(schema, json, path);
    return Encoded.of(Json.encode(json).getBytes(StandardCharsets.UTF_8));
  }
}
