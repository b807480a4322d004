package io.pulsarproxy.core.schema.encode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.apache.pulsar.common.schema.SchemaType;

/**
 * Pulsar's primitive schemas, encoded as Pulsar's own schema classes do: STRING as UTF-8; INT8…INT64 big-endian;
 * FLOAT and DOUBLE as IEEE bits; BOOLEAN as one byte; BYTES from base64; DATE, TIME and TIMESTAMP as epoch millis
 * (from an ISO-8601 instant, or a number); INSTANT as seconds and nanos; LOCAL_DATE as epoch days; LOCAL_TIME as
 * nanos of the day; LOCAL_DATE_TIME as both.
 */
public final class PrimitiveEncoder implements ValueEncoder {
  private final SchemaType type;

  public PrimitiveEncoder(SchemaType type) {
    this.type = type;
  }

  /** Whether {@code type} is one of the primitive schemas this encoder knows. */
  public static boolean supports(SchemaType type) {
    return switch (type) {
      case STRING, INT8, INT16, INT32, INT64, FLOAT, DOUBLE, BOOLEAN, BYTES, DATE, TIME, TIMESTAMP, INSTANT,
          LOCAL_DATE, LOCAL_TIME, LOCAL_DATE_TIME -> true;
      default -> false;
    };
  }

  @Override
  public Encoded encode(Object json, String path) {
    return Encoded.of(switch (type) {
      case STRING -> {
        if (json instanceof String s) {
          yield s.getBytes(StandardCharsets.UTF_8);
        }
        throw SchemaMismatch.expected(path, "string", json);
      }
      case INT8 -> new byte[] {(byte) whole(json, path, "int8", Byte.MIN_VALUE, Byte.MAX_VALUE)};
      case INT16 -> ByteBuffer.allocate(2).putShort((short) whole(json, path, "int16", Short.MIN_VALUE,
          Short.MAX_VALUE)).array();
      case INT32 -> ByteBuffer.allocate(4).putInt((int) whole(json, path, "int32", Integer.MIN_VALUE,
          Integer.MAX_VALUE)).array();
      case INT64 -> ByteBuffer.allocate(8).putLong(whole(json, path, "int64", Long.MIN_VALUE, Long.MAX_VALUE))
          .array();
      case FLOAT -> ByteBuffer.allocate(4).putInt(Float.floatToIntBits(number(json, path, "float").floatValue()))
          .array();
      case DOUBLE -> ByteBuffer.allocate(8).putLong(Double.doubleToLongBits(number(json, path, "double")
          .doubleValue())).array();
      case BOOLEAN -> {
        if (json instanceof Boolean b) {
          yield new byte[] {(byte) (b ? 1 : 0)};
        }
        throw SchemaMismatch.expected(path, "boolean", json);
      }
      case BYTES -> AvroJson.base64(json, path);
      case DATE, TIME, TIMESTAMP -> ByteBuffer.allocate(8).putLong(millis(json, path)).array();
      case INSTANT -> {
        Instant i = json instanceof String s ? instant(s, path) : Instant.ofEpochMilli(millis(json, path));
        yield ByteBuffer.allocate(12).putLong(i.getEpochSecond()).putInt(i.getNano()).array();
      }
      case LOCAL_DATE -> ByteBuffer.allocate(8).putLong(parse(json, path, "local date (yyyy-mm-dd)",
          LocalDate::parse).toEpochDay()).array();
      case LOCAL_TIME -> ByteBuffer.allocate(8).putLong(parse(json, path, "local time (hh:mm:ss.sss)",
          LocalTime::parse).toNanoOfDay()).array();
      case LOCAL_DATE_TIME -> {
        LocalDateTime t = parse(json, path, "local date-time (yyyy-mm-ddThh:mm:ss.sss)", LocalDateTime::parse);
        yield ByteBuffer.allocate(16).putLong(t.toLocalDate().toEpochDay()).putLong(t.toLocalTime().toNanoOfDay())
            .array();
      }
      default -> throw new SchemaMismatch(path, "schema type " + type + " is not supported");
    });
  }

  private static <T> T parse(Object json, String path, String what, java.util.function.Function<String, T> parser) {
    if (!(json instanceof String s)) {
      throw SchemaMismatch.expected(path, what, json);
    }
    try {
      return parser.apply(s);
    } catch (DateTimeParseException e) {
      throw new SchemaMismatch(path, "expected " + what + ", got '" + s + "'");
    }
  }

  private static long millis(Object json, String path) {
    if (json instanceof String s) {
      return instant(s, path).toEpochMilli();
    }
    return whole(json, path, "ISO-8601 instant or epoch millis", Long.MIN_VALUE, Long.MAX_VALUE);
  }

  private static Instant instant(String s, String path) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        throw new SchemaMismatch(path, "expected ISO-8601 instant (e.g. 2026-01-02T03:04:05.678Z), got '" + s + "'");
      }
    }
  }

  private static long whole(Object json, String path, String what, long min, long max) {
    return AvroJson.whole(json, path, what, min, max);
  }

  private static Number number(Object json, String path, String what) {
    if (json instanceof Number n) {
      return n;
    }
    throw SchemaMismatch.expected(path, what, json);
  }
}
