package io.pulsarproxy.core.schema.encode;

import io.pulsarproxy.core.schema.KeyValueSchemaData;
import io.vertx.core.json.JsonObject;

/**
 * Pulsar's KEY_VALUE schema: the JSON is {@code {"key": …, "value": …}}, each encoded with its own schema. INLINE
 * puts both in the payload as Pulsar's {@code KeyValue.encode} does (length-prefixed key, then value); SEPARATED
 * puts the encoded key in the message key and the value in the payload.
 */
public final class KeyValueEncoder implements ValueEncoder {
  private final ValueEncoder key;
  private final ValueEncoder value;
  private final boolean separated;

  public KeyValueEncoder(ValueEncoder key, ValueEncoder value, boolean separated) {
    this.key = key;
    this.value = value;
    this.separated = separated;
  }

  public boolean separated() {
    return separated;
  }

  @Override
  public Encoded encode(Object json, String path) {
    if (!(json instanceof JsonObject kv)) {
      throw SchemaMismatch.expected(path, "object {\"key\": …, \"value\": …}", json);
    }
    for (String name : kv.fieldNames()) {
      if (!name.equals("key") && !name.equals("value")) {
        throw new SchemaMismatch(path + "." + name, "is not a field of a key/value ({\"key\": …, \"value\": …})");
      }
    }
    byte[] k = key.encode(kv.getValue("key"), path + ".key").value();
    byte[] v = value.encode(kv.getValue("value"), path + ".value").value();
    if (separated) {
      return new Encoded(k, v);
    }
    return Encoded.of(KeyValueSchemaData.join(k, v));
  }
}
