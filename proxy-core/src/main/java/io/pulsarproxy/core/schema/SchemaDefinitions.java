package io.pulsarproxy.core.schema;

import io.pulsarproxy.core.error.ProxyException.Detail;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;

/**
 * Schemas given with a produce request, in the form of PIP-64's REST produce: {@code valueSchema} (and for a
 * KeyValue topic {@code keySchema}) as {@code {"type": "AVRO", "schema": <definition>, "properties": {…}}}. The
 * definition is a JSON object or its text (AVRO, JSON, PROTOBUF_NATIVE); primitive types have none.
 */
public final class SchemaDefinitions {
  private SchemaDefinitions() {}

  /**
   * The schema of {@code valueSchema} (and {@code keySchema}, which makes a KEY_VALUE schema with {@code encoding},
   * INLINE when null). Every problem is added to {@code problems}, named by its field; null when there is one.
   */
  public static ProducerSchema of(Object valueSchema, Object keySchema, Object encoding, List<Detail> problems) {
    int before = problems.size();
    SchemaInfo value = info(valueSchema, "valueSchema", problems);
    if (keySchema == null) {
      if (encoding != null) {
        problems.add(new Detail("keyValueEncoding", "is only for a request with a keySchema"));
      }
      return problems.size() > before ? null : new ProducerSchema(value);
    }
    SchemaInfo key = info(keySchema, "keySchema", problems);
    boolean separated = false;
    if (encoding instanceof String s && (s.equalsIgnoreCase("INLINE") || s.equalsIgnoreCase("SEPARATED"))) {
      separated = s.equalsIgnoreCase("SEPARATED");
    } else if (encoding != null) {
      problems.add(new Detail("keyValueEncoding", "must be INLINE or SEPARATED"));
    }
    if (problems.size() > before) {
      return null;
    }
    return new ProducerSchema(new KeyValueSchemaData(key, value, separated).toSchemaInfo("KeyValue"));
  }

  private static SchemaInfo info(Object raw, String field, List<Detail> problems) {
    if (!(raw instanceof JsonObject o)) {
      problems.add(new Detail(field, raw == null ? "is missing" : "must be an object {\"type\": …, \"schema\": …}"));
      return null;
    }
    for (String name : o.fieldNames()) {
      if (!List.of("type", "schema", "properties").contains(name)) {
        problems.add(new Detail(field + "." + name, "is not a known field (type, schema, properties)"));
      }
    }
    SchemaType type = null;
    if (o.getValue("type") instanceof String s) {
      try {
        type = SchemaType.valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(new Detail(field + ".type", "'" + s + "' is not a Pulsar schema type"));
      }
    } else {
      problems.add(new Detail(field + ".type", "must be a schema type such as AVRO, JSON, PROTOBUF_NATIVE, STRING"));
    }
    if (type == SchemaType.KEY_VALUE || type != null && type.getValue() < 0) {
      problems.add(new Detail(field + ".type", type + " cannot be given here (a KeyValue schema is keySchema and "
          + "valueSchema)"));
    }
    Object definition = o.getValue("schema");
    byte[] data = new byte[0];
    if (definition instanceof JsonObject d) {
      data = d.encode().getBytes(StandardCharsets.UTF_8);
    } else if (definition instanceof String d) {
      data = d.getBytes(StandardCharsets.UTF_8);
    } else if (definition != null) {
      problems.add(new Detail(field + ".schema", "must be the schema definition, a JSON object or its text"));
    }
    boolean structured = type == SchemaType.AVRO || type == SchemaType.JSON || type == SchemaType.PROTOBUF_NATIVE
        || type == SchemaType.PROTOBUF;
    if (structured && data.length == 0) {
      problems.add(new Detail(field + ".schema", "is needed for " + type));
    }
    Map<String, String> properties = new LinkedHashMap<>();
    Object props = o.getValue("properties");
    if (props instanceof JsonObject p) {
      p.forEach(e -> {
        if (e.getValue() instanceof String v) {
          properties.put(e.getKey(), v);
        } else {
          problems.add(new Detail(field + ".properties." + e.getKey(), "must be a string"));
        }
      });
    } else if (props != null) {
      problems.add(new Detail(field + ".properties", "must be an object of strings"));
    }
    if (type == null) {
      return null;
    }
    return SchemaInfo.builder().name("").type(type).schema(data).properties(properties).build();
  }
}
