package io.pulsarproxy.core.schema.decode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.pulsar.common.schema.SchemaType;

/**
 * Pulsar's primitive schemas → natural JSON, reading the encodings of Pulsar's own schema classes: numbers big-endian
 * of their width, a boolean one byte, {@code DATE}/{@code TIME}/{@code TIMESTAMP} epoch milliseconds,
 * {@code INSTANT} seconds and nanoseconds, {@code LOCAL_DATE} the epoch day, {@code LOCAL_TIME} the nanosecond of
 * the day, {@code LOCAL_DATE_TIME} both. Times and dates become ISO-8601 strings, bytes base64.
 */
public final class PrimitiveJson {
  private PrimitiveJson() {}

  /** The decoder of a primitive {@code type}, or null when {@code type} is not one. */
  public static ValueDecoder decoder(SchemaType type) {
    return switch (type) {
      case STRING -> (body, key) -> utf8(body);
      case BYTES -> (body, key) -> AvroJson.base64(body);
      case BOOLEAN -> (body, key) -> fixed(body, 1, type).get() != 0;
      case INT8 -> (body, key) -> (int) fixed(body, 1, type).get();
      case INT16 -> (body, key) -> (int) fixed(body, 2, type).getShort();
      case INT32 -> (body, key) -> fixed(body, 4, type).getInt();
      case INT64 -> (body, key) -> fixed(body, 8, type).getLong();
      case FLOAT -> (body, key) -> {
        float f = fixed(body, 4, type).getFloat();
        return AvroJson.number(f, f);
      };
      case DOUBLE -> (body, key) -> {
        double d = fixed(body, 8, type).getDouble();
        return AvroJson.number(d, d);
      };
      case DATE, TIMESTAMP -> (body, key) -> AvroJson.iso(Instant.ofEpochMilli(fixed(body, 8, type).getLong()));
      case TIME -> (body, key) -> AvroJson.time(
          LocalTime.ofInstant(Instant.ofEpochMilli(fixed(body, 8, type).getLong()), ZoneOffset.UTC));
      case INSTANT -> (body, key) -> {
        ByteBuffer b = fixed(body, 12, type);
        return AvroJson.iso(Instant.ofEpochSecond(b.getLong(), b.getInt()));
      };
      case LOCAL_DATE -> (body, key) -> LocalDate.ofEpochDay(fixed(body, 8, type).getLong()).toString();
      case LOCAL_TIME -> (body, key) -> AvroJson.time(LocalTime.ofNanoOfDay(fixed(body, 8, type).getLong()));
      case LOCAL_DATE_TIME -> (body, key) -> {
        ByteBuffer b = fixed(body, 16, type);
        LocalDateTime t = LocalDateTime.of(LocalDate.ofEpochDay(b.getLong()), LocalTime.ofNanoOfDay(b.getLong()));
        return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
      };
      default -> null;
    };
  }

  private static ByteBuffer fixed(byte[] body, int size, SchemaType type) {
    if (body.length != size) {
      throw new UndecodableException("not " + type + ": expected " + size + " bytes, got " + body.length);
    }
    return ByteBuffer.wrap(body);
  }

  private static String utf8(byte[] body) {
    String text = strictUtf8(body);
    if (text == null) {
      throw new UndecodableException("not STRING: the bytes are not UTF-8");
    }
    return text;
  }

  /** {@code body} as text, or null when it is not valid UTF-8 (never replaced characters). */
  public static String strictUtf8(byte[] body) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
