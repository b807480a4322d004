package io.pulsarproxy.core.schema.encode;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * The natural JSON form of an Avro value, turned into Avro's generic representation (what
 * {@link org.apache.avro.generic.GenericDatumWriter} writes, logical types as their underlying type):
 *
 * <ul>
 *   <li>record: an object with the record's fields (a field left out takes its default, or null when it may be
 *       null); a field the record does not have is a mismatch</li>
 *   <li>enum: the symbol; array and map: an array and an object</li>
 *   <li>union: the plain value, encoded as the first branch it fits</li>
 *   <li>bytes and fixed: base64; decimal: a string or a number ({@code "12.34"}), at most the schema's scale</li>
 *   <li>timestamp-millis/micros: an ISO-8601 instant or offset date-time, or a number of millis/micros; date:
 *       {@code 2026-01-02} or days; time-millis/micros: {@code 03:04:05.678} or millis/micros of the day; uuid: a
 *       string</li>
 * </ul>
 *
 * Every mismatch names its path ({@code value.address.zip}).
 */
public final class AvroJson {
  private AvroJson() {}

  /** The path of the value being converted, relative to itself. */
  private static final String HERE = "";

  /**
   * @throws SchemaMismatch when {@code json} does not fit {@code schema}
   */
  public static Object toAvro(Schema schema, Object json, String path) {
    try {
      return convert(schema, json);
    } catch (SchemaMismatch e) {
      throw new SchemaMismatch(path + e.path(), e.problem());
    }
  }

  /**
   * The conversion, with mismatches naming their path relative to {@code json} ({@code ""} for the value itself,
   * {@code .address.zip} below it): paths are only built for a value that does not fit, not for every field of
   * every value.
   */
  private static Object convert(Schema schema, Object json) {
    String path = HERE;
    LogicalType logical = schema.getLogicalType();
    if (logical != null) {
      return logical(schema, logical, json, path);
    }
    switch (schema.getType()) {
      case NULL:
        if (json != null) {
          throw SchemaMismatch.expected(path, "null", json);
        }
        return null;
      case BOOLEAN:
        if (json instanceof Boolean b) {
          return b;
        }
        throw SchemaMismatch.expected(path, "boolean", json);
      case INT:
        return (int) whole(json, path, "int", Integer.MIN_VALUE, Integer.MAX_VALUE);
      case LONG:
        return whole(json, path, "long", Long.MIN_VALUE, Long.MAX_VALUE);
      case FLOAT:
        return number(json, path, "float").floatValue();
      case DOUBLE:
        return number(json, path, "double").doubleValue();
      case STRING:
        if (json instanceof String s) {
          return s;
        }
        throw SchemaMismatch.expected(path, "string", json);
      case BYTES:
        return ByteBuffer.wrap(base64(json, path));
      case FIXED: {
        byte[] bytes = base64(json, path);
        if (bytes.length != schema.getFixedSize()) {
          throw new SchemaMismatch(path, "expected " + schema.getFixedSize() + " bytes (fixed " + schema.getName()
              + "), got " + bytes.length);
        }
        return new GenericData.Fixed(schema, bytes);
      }
      case ENUM:
        if (json instanceof String s && schema.hasEnumSymbol(s)) {
          return new GenericData.EnumSymbol(schema, s);
        }
        if (json instanceof String s) {
          throw new SchemaMismatch(path, "'" + s + "' is not one of " + schema.getEnumSymbols());
        }
        throw SchemaMismatch.expected(path, "one of " + schema.getEnumSymbols(), json);
      case ARRAY: {
        if (!(json instanceof JsonArray array)) {
          throw SchemaMismatch.expected(path, "array", json);
        }
        List<Object> out = new ArrayList<>(array.size());
        List<?> items = array.getList();
        for (int i = 0; i < items.size(); i++) {
          Object item = items.get(i);
          try {
            out.add(convert(schema.getElementType(), plain(item) ? item : array.getValue(i)));
          } catch (SchemaMismatch e) {
            throw new SchemaMismatch("[" + i + "]" + e.path(), e.problem());
          }
        }
        return new GenericData.Array<>(schema, out);
      }
      case MAP: {
        if (!(json instanceof JsonObject object)) {
          throw SchemaMismatch.expected(path, "object (map)", json);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object) {
          out.put(e.getKey(), convertAt(schema.getValueType(), e.getValue(), e.getKey()));
        }
        return out;
      }
      case RECORD:
        return record(schema, json);
      case UNION:
        return union(schema, json);
      default:
        throw new SchemaMismatch(path, "schema type " + schema.getType() + " is not supported");
    }
  }

  /**
   * Whether a value of a parsed JSON object or array is taken as it is, without {@link JsonObject#getValue}, whose
   * wrapping of maps and lists tests every value against interfaces: the costliest part of converting a record of
   * strings and numbers.
   */
  private static boolean plain(Object raw) {
    return raw == null || raw instanceof String || raw instanceof Integer || raw instanceof Long
        || raw instanceof Double || raw instanceof Boolean;
  }

  /** {@code json}, the value of {@code name} in an object, converted; a mismatch is named below {@code name}. */
  private static Object convertAt(Schema schema, Object json, String name) {
    try {
      return convert(schema, json);
    } catch (SchemaMismatch e) {
      throw new SchemaMismatch("." + name + e.path(), e.problem());
    }
  }

  private static GenericData.Record record(Schema schema, Object json) {
    String path = HERE;
    if (!(json instanceof JsonObject object)) {
      throw SchemaMismatch.expected(path, "object (record " + schema.getName() + ")", json);
    }
    // One look-up per field given (each value put at its field's position), not one per check.
    List<Schema.Field> fields = schema.getFields();
    Object[] values = new Object[fields.size()];
    boolean[] given = new boolean[fields.size()];
    for (Map.Entry<String, Object> e : object.getMap().entrySet()) {
      Schema.Field field = schema.getField(e.getKey());
      if (field == null) {
        throw new SchemaMismatch(path + "." + e.getKey(), "is not a field of record " + schema.getName());
      }
      values[field.pos()] = e.getValue();
      given[field.pos()] = true;
    }
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : fields) {
      if (given[field.pos()]) {
        Object value = plain(values[field.pos()]) ? values[field.pos()] : object.getValue(field.name());
        record.put(field.pos(), convertAt(field.schema(), value, field.name()));
      } else if (field.hasDefaultValue()) {
        record.put(field.pos(), GenericData.get().deepCopy(field.schema(), GenericData.get().getDefaultValue(field)));
      } else if (field.schema().isNullable()) {
        record.put(field.pos(), null);
      } else {
        throw new SchemaMismatch("." + field.name(), "is missing (" + describe(field.schema()) + ", no default)");
      }
    }
    return record;
  }

  private static Object union(Schema schema, Object json) {
    String path = HERE;
    for (Schema branch : schema.getTypes()) {
      if (json == null && branch.getType() == Schema.Type.NULL) {
        return null;
      }
    }
    SchemaMismatch nested = null;
    for (Schema branch : schema.getTypes()) {
      if (branch.getType() == Schema.Type.NULL) {
        continue;
      }
      try {
        return convert(branch, json);
      } catch (SchemaMismatch e) {
        // A mismatch deeper in the only branch of its kind (an object in [null, record]) says more than "expected
        // one of".
        if (!e.path().equals(HERE) && nested == null) {
          nested = e;
        }
      }
    }
    if (nested != null && nonNullBranches(schema) == 1) {
      throw nested;
    }
    throw SchemaMismatch.expected(path, describe(schema), json);
  }

  private static long nonNullBranches(Schema union) {
    return union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).count();
  }

  /** {@code int}, {@code record Address}, {@code one of [null, string]}. */
  static String describe(Schema schema) {
    if (schema.getLogicalType() != null) {
      return schema.getLogicalType().getName();
    }
    return switch (schema.getType()) {
      case RECORD -> "record " + schema.getName();
      case ENUM -> "enum " + schema.getName();
      case FIXED -> "fixed " + schema.getName();
      case UNION -> {
        List<String> names = new ArrayList<>();
        schema.getTypes().forEach(s -> names.add(describe(s)));
        yield "one of " + names;
      }
      default -> schema.getType().getName();
    };
  }

  private static Object logical(Schema schema, LogicalType logical, Object json, String path) {
    String name = logical.getName();
    switch (name) {
      case "timestamp-millis", "local-timestamp-millis":
        if (json instanceof String s) {
          return instant(s, path, name).toEpochMilli();
        }
        return whole(json, path, name + " (ISO-8601 instant or epoch millis)", Long.MIN_VALUE, Long.MAX_VALUE);
      case "timestamp-micros", "local-timestamp-micros":
        if (json instanceof String s) {
          Instant i = instant(s, path, name);
          return ChronoUnit.MICROS.between(Instant.EPOCH, i);
        }
        return whole(json, path, name + " (ISO-8601 instant or epoch micros)", Long.MIN_VALUE, Long.MAX_VALUE);
      case "date":
        if (json instanceof String s) {
          try {
            return (int) LocalDate.parse(s).toEpochDay();
          } catch (DateTimeParseException e) {
            throw new SchemaMismatch(path, "expected date (yyyy-mm-dd), got '" + s + "'");
          }
        }
        return (int) whole(json, path, "date (yyyy-mm-dd or days since 1970-01-01)", Integer.MIN_VALUE,
            Integer.MAX_VALUE);
      case "time-millis":
        if (json instanceof String s) {
          return (int) (time(s, path, name).toNanoOfDay() / 1_000_000);
        }
        return (int) whole(json, path, "time-millis (hh:mm:ss.sss or millis of the day)", 0, 86_400_000L);
      case "time-micros":
        if (json instanceof String s) {
          return time(s, path, name).toNanoOfDay() / 1_000;
        }
        return whole(json, path, "time-micros (hh:mm:ss.ssssss or micros of the day)", 0, 86_400_000_000L);
      case "decimal":
        return decimal(schema, (LogicalTypes.Decimal) logical, json, path);
      case "uuid":
        if (json instanceof String s) {
          try {
            UUID.fromString(s);
          } catch (IllegalArgumentException e) {
            throw new SchemaMismatch(path, "expected uuid, got '" + s + "'");
          }
          return schema.getType() == Schema.Type.FIXED ? uuidFixed(schema, s) : s;
        }
        throw SchemaMismatch.expected(path, "uuid (string)", json);
      default:
        // A logical type this mapping does not know: its underlying type.
        return convert(withoutLogicalType(schema), json);
    }
  }

  private static Object uuidFixed(Schema schema, String s) {
    UUID uuid = UUID.fromString(s);
    ByteBuffer b = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits());
    return new GenericData.Fixed(schema, b.array());
  }

  private static Schema withoutLogicalType(Schema schema) {
    return switch (schema.getType()) {
      case FIXED -> Schema.createFixed(schema.getName(), schema.getDoc(), schema.getNamespace(),
          schema.getFixedSize());
      default -> Schema.create(schema.getType());
    };
  }

  private static Object decimal(Schema schema, LogicalTypes.Decimal decimal, Object json, String path) {
    BigDecimal value;
    if (json instanceof String s) {
      try {
        value = new BigDecimal(s.trim());
      } catch (NumberFormatException e) {
        throw new SchemaMismatch(path, "expected decimal (a string like \"12.34\"), got '" + s + "'");
      }
    } else if (json instanceof Number n) {
      value = new BigDecimal(n.toString());
    } else {
      throw SchemaMismatch.expected(path, "decimal (a string like \"12.34\")", json);
    }
    BigDecimal scaled;
    try {
      scaled = value.setScale(decimal.getScale());
    } catch (ArithmeticException e) {
      throw new SchemaMismatch(path, "decimal " + value.toPlainString() + " has more than "
          + decimal.getScale() + " digits after the point");
    }
    if (scaled.precision() > decimal.getPrecision()) {
      throw new SchemaMismatch(path, "decimal " + value.toPlainString() + " has more than "
          + decimal.getPrecision() + " digits");
    }
    byte[] unscaled = scaled.unscaledValue().toByteArray();
    if (schema.getType() == Schema.Type.FIXED) {
      int size = schema.getFixedSize();
      if (unscaled.length > size) {
        throw new SchemaMismatch(path, "decimal " + value.toPlainString() + " does not fit in " + size + " bytes");
      }
      byte[] fixed = new byte[size];
      byte pad = (byte) (scaled.signum() < 0 ? 0xFF : 0x00);
      int offset = size - unscaled.length;
      java.util.Arrays.fill(fixed, 0, offset, pad);
      System.arraycopy(unscaled, 0, fixed, offset, unscaled.length);
      return new GenericData.Fixed(schema, fixed);
    }
    return ByteBuffer.wrap(unscaled);
  }

  private static Instant instant(String s, String path, String what) {
    Instant utc = utcInstant(s);
    if (utc != null) {
      return utc;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e2) {
        throw new SchemaMismatch(path, "expected " + what + " (ISO-8601 instant, e.g. 2026-01-02T03:04:05.678Z), got '"
            + s + "'");
      }
    }
  }

  /**
   * The common form of an instant, {@code 2026-01-02T03:04:05Z} or with a fraction of 1 to 9 digits, read without
   * the JDK's formatter (several times slower, and one is read per timestamp of every value); null for any other
   * form or a date that does not exist, which the formatter then reads or refuses.
   */
  static Instant utcInstant(String s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    int nanos = 0;
    if (n > 20) {
      if (s.charAt(19) != '.' || n == 21) {
        return null;
      }
      int fraction = digits(s, 20, n - 1);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction;
      for (int i = n - 1 - 20; i < 9; i++) {
        nanos *= 10;
      }
    }
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    long days = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The number written with the digits {@code s[from, to)}, or -1 when one is not a digit. */
  private static int digits(String s, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static LocalTime time(String s, String path, String what) {
    try {
      return LocalTime.parse(s);
    } catch (DateTimeParseException e) {
      throw new SchemaMismatch(path, "expected " + what + " (hh:mm:ss.sss), got '" + s + "'");
    }
  }

  static long whole(Object json, String path, String what, long min, long max) {
    if (json instanceof Integer || json instanceof Long || json instanceof Short || json instanceof Byte) {
      long v = ((Number) json).longValue();
      if (v < min || v > max) {
        throw new SchemaMismatch(path, "expected " + what + ", got " + v + " (out of range)");
      }
      return v;
    }
    if (json instanceof BigInteger || json instanceof BigDecimal || json instanceof Double
        || json instanceof Float) {
      BigDecimal d = new BigDecimal(json.toString());
      try {
        BigInteger exact = d.toBigIntegerExact();
        if (exact.compareTo(BigInteger.valueOf(min)) >= 0 && exact.compareTo(BigInteger.valueOf(max)) <= 0) {
          return exact.longValue();
        }
        throw new SchemaMismatch(path, "expected " + what + ", got " + json + " (out of range)");
      } catch (ArithmeticException e) {
        throw new SchemaMismatch(path, "expected " + what + ", got " + json + " (not a whole number)");
      }
    }
    throw SchemaMismatch.expected(path, what, json);
  }

  private static Number number(Object json, String path, String what) {
    if (json instanceof Number n) {
      return n;
    }
    throw SchemaMismatch.expected(path, what, json);
  }

  /** Standard base64. */
  static byte[] base64(Object json, String path) {
    if (!(json instanceof String s)) {
      throw SchemaMismatch.expected(path, "bytes (base64 string)", json);
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new SchemaMismatch(path, "expected bytes (base64 string), got a string that is not base64");
    }
  }
}
