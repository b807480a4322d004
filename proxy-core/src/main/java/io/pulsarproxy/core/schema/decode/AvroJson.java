package io.pulsarproxy.core.schema.decode;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Avro binary → natural JSON: a record is an object, an enum its symbol, an array or map an array or object, a union
 * the plain value of its branch, bytes and fixed base64; logical types as ISO-8601 strings (timestamps as instants,
 * {@code date}, {@code time-*}, local timestamps) and decimals and uuids as strings. The datum is read without
 * conversions and the logical types mapped here, so the JSON does not depend on what a producer's Avro library
 * converts.
 */
public final class AvroJson {
  private AvroJson() {}

  /** A decoder for bodies written with {@code schemaJson} (an Avro schema definition). */
  public static ValueDecoder decoder(String schemaJson) {
    Schema schema;
    try {
      schema = new Schema.Parser().setValidateDefaults(false).parse(schemaJson);
    } catch (RuntimeException e) {
      throw new UndecodableException("the Avro schema of this version cannot be parsed");
    }
    return decoder(schema);
  }

  public static ValueDecoder decoder(Schema schema) {
    GenericDatumReader<Object> reader = new GenericDatumReader<>(schema, schema, new GenericData());
    return (body, key) -> {
      BinaryDecoder in = DecoderFactory.get().binaryDecoder(body, null);
      Object datum;
      try {
        datum = reader.read(null, in);
        if (!in.isEnd()) {
          throw new UndecodableException("not Avro binary of its schema: bytes left over");
        }
      } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
        throw new UndecodableException("not Avro binary of its schema");
      }
      return toJson(schema, datum);
    };
  }

  /** The natural JSON of {@code datum}, a generic Avro datum of {@code schema}. */
  public static Object toJson(Schema schema, Object datum) {
    if (datum == null) {
      return null;
    }
    LogicalType logical = schema.getLogicalType();
    if (logical != null) {
      return logical(logical, schema, datum);
    }
    return switch (schema.getType()) {
      case RECORD -> {
        IndexedRecord record = (IndexedRecord) datum;
        JsonObject json = new JsonObject();
        for (Schema.Field field : schema.getFields()) {
          json.put(field.name(), toJson(field.schema(), record.get(field.pos())));
        }
        yield json;
      }
      case UNION -> toJson(schema.getTypes().get(GenericData.get().resolveUnion(schema, datum)), datum);
      case ARRAY -> {
        JsonArray json = new JsonArray();
        for (Object item : (List<?>) datum) {
          json.add(toJson(schema.getElementType(), item));
        }
        yield json;
      }
      case MAP -> {
        JsonObject json = new JsonObject();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) datum).entrySet()) {
          json.put(e.getKey().toString(), toJson(schema.getValueType(), e.getValue()));
        }
        yield json;
      }
      case ENUM, STRING -> datum.toString();
      case BYTES -> base64(bytes((ByteBuffer) datum));
      case FIXED -> base64(((GenericFixed) datum).bytes());
      case FLOAT, DOUBLE -> number(((Number) datum).doubleValue(), datum);
      case INT, LONG, BOOLEAN -> datum;
      case NULL -> null;
    };
  }

  private static Object logical(LogicalType logical, Schema schema, Object datum) {
    return switch (logical.getName()) {
      case "timestamp-millis" -> iso(Instant.ofEpochMilli((Long) datum));
      case "timestamp-micros" -> iso(micros((Long) datum));
      case "timestamp-nanos" -> iso(nanos((Long) datum));
      case "local-timestamp-millis" -> isoLocal(Instant.ofEpochMilli((Long) datum));
      case "local-timestamp-micros" -> isoLocal(micros((Long) datum));
      case "local-timestamp-nanos" -> isoLocal(nanos((Long) datum));
      case "date" -> LocalDate.ofEpochDay((Integer) datum).toString();
      case "time-millis" -> time(LocalTime.ofNanoOfDay(((Integer) datum) * 1_000_000L));
      case "time-micros" -> time(LocalTime.ofNanoOfDay(((Long) datum) * 1_000L));
      case "decimal" -> {
        byte[] unscaled = datum instanceof GenericFixed fixed ? fixed.bytes() : bytes((ByteBuffer) datum);
        int scale = ((LogicalTypes.Decimal) logical).getScale();
        yield new BigDecimal(new BigInteger(unscaled), scale).toPlainString();
      }
      case "uuid" -> datum instanceof GenericFixed fixed ? uuid(fixed.bytes()) : datum.toString();
      default -> toJson(withoutLogicalType(schema), datum);
    };
  }

  private static Schema withoutLogicalType(Schema schema) {
    return schema.getType() == Schema.Type.FIXED
        ? Schema.createFixed(schema.getName(), null, schema.getNamespace(), schema.getFixedSize())
        : Schema.create(schema.getType());
  }

  private static Instant micros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  private static Instant nanos(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  static String iso(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  private static String isoLocal(Instant instant) {
    return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
  }

  static String time(LocalTime time) {
    return DateTimeFormatter.ISO_LOCAL_TIME.format(time);
  }

  private static String uuid(byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new java.util.UUID(buf.getLong(), buf.getLong()).toString();
  }

  /** Non-finite numbers have no JSON form: they are given as the strings {@code NaN}, {@code Infinity}. */
  static Object number(double d, Object datum) {
    return Double.isFinite(d) ? datum : Double.toString(d);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
