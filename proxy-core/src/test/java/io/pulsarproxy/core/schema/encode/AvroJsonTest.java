package io.pulsarproxy.core.schema.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.pulsar.common.schema.SchemaType;
import org.junit.jupiter.api.Test;

class AvroJsonTest {
  private static final Schema ORDER = AvroEncoder.parse("""
      {"type":"record","name":"Order","fields":[
        {"name":"id","type":"string"},
        {"name":"qty","type":"int"},
        {"name":"createdAt","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"createdMicros","type":{"type":"long","logicalType":"timestamp-micros"},"default":0},
        {"name":"day","type":{"type":"int","logicalType":"date"},"default":0},
        {"name":"at","type":{"type":"int","logicalType":"time-millis"},"default":0},
        {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2},"default":""},
        {"name":"ref","type":{"type":"string","logicalType":"uuid"},"default":"00000000-0000-0000-0000-000000000000"},
        {"name":"blob","type":"bytes","default":""},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]},"default":"NEW"},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"either","type":["null","int","string"],"default":null},
        {"name":"address","type":["null",{"type":"record","name":"Address","fields":[
          {"name":"zip","type":"int"}]}],"default":null},
        {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
        {"name":"attrs","type":{"type":"map","values":"long"},"default":{}}]}""");

  private static GenericRecord roundTrip(JsonObject json) throws IOException {
    byte[] bytes = new AvroEncoder(ORDER).encode(json, "value").value();
    return new GenericDatumReader<GenericRecord>(ORDER).read(null,
        DecoderFactory.get().binaryDecoder(bytes, null));
  }

  private static JsonObject order() {
    return new JsonObject().put("id", "o-1").put("qty", 3).put("createdAt", "2026-01-02T03:04:05.678Z");
  }

  @Test
  void naturalJsonBecomesAvroWithLogicalTypes() throws IOException {
    GenericRecord r = roundTrip(order()
        .put("createdMicros", "2026-01-02T03:04:05.678901Z")
        .put("day", "2026-01-02").put("at", "03:04:05.678").put("price", "12.34")
        .put("ref", "123e4567-e89b-12d3-a456-426614174000").put("blob", "AAEC/w==").put("status", "PAID")
        .put("note", "hi").put("either", "text").put("address", new JsonObject().put("zip", 12345))
        .put("tags", new JsonArray().add("a")).put("attrs", new JsonObject().put("k", 7)));
    assertThat(r.get("createdAt")).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli());
    assertThat(r.get("createdMicros")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z").getEpochSecond() * 1_000_000
        + 678_901);
    assertThat(r.get("day")).isEqualTo((int) LocalDate.parse("2026-01-02").toEpochDay());
    assertThat(r.get("at")).isEqualTo(((3 * 60 + 4) * 60 + 5) * 1000 + 678);
    assertThat(new BigDecimal(new BigInteger(bytes((ByteBuffer) r.get("price"))), 2))
        .isEqualTo(new BigDecimal("12.34"));
    assertThat(r.get("ref").toString()).isEqualTo("123e4567-e89b-12d3-a456-426614174000");
    assertThat(bytes((ByteBuffer) r.get("blob"))).containsExactly(0, 1, 2, 0xff);
    assertThat(r.get("status").toString()).isEqualTo("PAID");
    assertThat(r.get("note").toString()).isEqualTo("hi");
    assertThat(r.get("either").toString()).isEqualTo("text");
    assertThat(((GenericRecord) r.get("address")).get("zip")).isEqualTo(12345);
    assertThat(((GenericData.Array<?>) r.get("tags")).get(0).toString()).isEqualTo("a");
    assertThat(r.get("attrs").toString()).contains("7");
  }

  @Test
  void leftOutFieldsTakeTheirDefaultAndNumbersAreAcceptedForTimes() throws IOException {
    GenericRecord r = roundTrip(order().put("createdAt", 1767323045678L).put("either", 5));
    assertThat(r.get("createdAt")).isEqualTo(1767323045678L);
    assertThat(r.get("status").toString()).isEqualTo("NEW");
    assertThat(r.get("note")).isNull();
    assertThat(r.get("either")).isEqualTo(5);
  }

  @Test
  void mismatchesNameTheirPath() {
    assertMismatch(order().put("address", new JsonObject().put("zip", "12a")),
        "value.address.zip: expected int, got string");
    assertMismatch(order().put("qty", 1.5), "value.qty: expected int, got 1.5 (not a whole number)");
    assertMismatch(order().put("qty", 3_000_000_000L), "value.qty: expected int, got 3000000000 (out of range)");
    assertMismatch(order().put("tags", new JsonArray().add("a").add(2)), "value.tags[1]: expected string, got number");
    assertMismatch(order().put("status", "LOST"), "value.status: 'LOST' is not one of [NEW, PAID]");
    assertMismatch(order().put("price", "1.234"), "value.price: decimal 1.234 has more than 2 digits after the point");
    assertMismatch(order().put("price", "12345.6"), "value.price: decimal 12345.6 has more than 6 digits");
    assertMismatch(order().put("blob", "***"),
        "value.blob: expected bytes (base64 string), got a string that is not base64");
    assertMismatch(order().put("createdAt", "yesterday"), "value.createdAt: expected timestamp-millis (ISO-8601 "
        + "instant, e.g. 2026-01-02T03:04:05.678Z), got 'yesterday'");
    assertMismatch(order().put("either", true), "value.either: expected one of [null, int, string], got boolean");
    assertMismatch(order().put("colour", "red"), "value.colour: is not a field of record Order");
    assertMismatch(new JsonObject().put("id", "x"), "value.qty: is missing (int, no default)");
    assertMismatch(order().put("ref", "nope"), "value.ref: expected uuid, got 'nope'");
    assertMismatch("text", "value: expected object (record Order), got string");
  }

  private static void assertMismatch(Object json, String message) {
    assertThatThrownBy(() -> new AvroEncoder(ORDER).encode(json, "value"))
        .isInstanceOf(SchemaMismatch.class).hasMessage(message);
  }

  @Test
  void jsonSchemaValidatesAndKeepsTheJsonText() {
    Schema person = AvroEncoder.parse("""
        {"type":"record","name":"P","fields":[{"name":"name","type":["null","string"]},{"name":"age","type":"int"}]}""");
    JsonSchemaEncoder encoder = new JsonSchemaEncoder(person);
    JsonObject ok = new JsonObject().put("name", "ann").put("age", 3);
    assertThat(new String(encoder.encode(ok, "value").value(), StandardCharsets.UTF_8)).isEqualTo(ok.encode());
    assertThatThrownBy(() -> encoder.encode(new JsonObject().put("age", "x"), "value"))
        .hasMessage("value.age: expected int, got string");
  }

  @Test
  void primitivesAreEncodedAsPulsarsSchemasDo() {
    assertThat(new PrimitiveEncoder(SchemaType.INT64).encode(258L, "value").value())
        .containsExactly(0, 0, 0, 0, 0, 0, 1, 2);
    assertThat(new PrimitiveEncoder(SchemaType.INT32).encode(-1, "value").value()).containsExactly(-1, -1, -1, -1);
    assertThat(new PrimitiveEncoder(SchemaType.BOOLEAN).encode(true, "value").value()).containsExactly(1);
    assertThat(new PrimitiveEncoder(SchemaType.STRING).encode("é", "value").value())
        .isEqualTo("é".getBytes(StandardCharsets.UTF_8));
    assertThat(new PrimitiveEncoder(SchemaType.DOUBLE).encode(1.5, "value").value())
        .isEqualTo(ByteBuffer.allocate(8).putDouble(1.5).array());
    assertThat(new PrimitiveEncoder(SchemaType.TIMESTAMP).encode("1970-01-01T00:00:01Z", "value").value())
        .isEqualTo(ByteBuffer.allocate(8).putLong(1000).array());
    assertThat(new PrimitiveEncoder(SchemaType.LOCAL_DATE).encode("1970-01-03", "value").value())
        .isEqualTo(ByteBuffer.allocate(8).putLong(2).array());
    assertThatThrownBy(() -> new PrimitiveEncoder(SchemaType.INT8).encode(300, "value"))
        .hasMessage("value: expected int8, got 300 (out of range)");
    assertThatThrownBy(() -> new PrimitiveEncoder(SchemaType.BOOLEAN).encode("true", "value"))
        .hasMessage("value: expected boolean, got string");
  }

  @Test
  void keyValueInlineIsLengthPrefixedAndSeparatedGivesTheKey() {
    ValueEncoder s = new PrimitiveEncoder(SchemaType.STRING);
    JsonObject kv = new JsonObject().put("key", "k").put("value", "vv");
    assertThat(new KeyValueEncoder(s, s, false).encode(kv, "value").value())
        .containsExactly(0, 0, 0, 1, 'k', 0, 0, 0, 2, 'v', 'v');
    Encoded separated = new KeyValueEncoder(s, s, true).encode(kv, "value");
    assertThat(separated.key()).containsExactly('k');
    assertThat(separated.value()).containsExactly('v', 'v');
    assertThatThrownBy(() -> new KeyValueEncoder(s, s, true).encode(new JsonObject().put("key", 1), "value"))
        .hasMessage("value.key: expected string, got number");
  }

  @Test
  void instantsReadWithoutTheFormatterAreTheFormattersInstants() {
    for (String s : new String[] {"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.6Z", "2026-01-02T03:04:05.678Z",
        "1969-12-31T23:59:59.999999999Z", "0001-01-01T00:00:00Z", "2024-02-29T23:59:59.123456Z",
        "9999-12-31T23:59:59.000001Z"}) {
      assertThat(AvroJson.utcInstant(s)).as(s).isEqualTo(java.time.OffsetDateTime.parse(s).toInstant());
    }
    // Other forms, and dates or times that do not exist, are left to the formatter (which reads or refuses them).
    for (String s : new String[] {"2026-01-02T03:04Z", "2026-01-02T03:04:05+01:00", "2026-01-02t03:04:05z",
        "2026-02-29T03:04:05Z", "2026-01-02T24:00:00Z", "2026-01-02T03:04:60Z", "2026-13-02T03:04:05Z",
        "2026-01-02T03:04:05.Z", "2026-01-02T03:04:05.1234567890Z", "2026-01-02T03:04:05,5Z", "2026-01-0xT03:04:05Z",
        "+2026-01-02T03:04:05Z", "2026-01-02 03:04:05Z"}) {
      assertThat(AvroJson.utcInstant(s)).as(s).isNull();
    }
    Schema ts = AvroEncoder.parse("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}");
    assertThat(AvroJson.toAvro(ts, "2026-01-02T03:04:05+01:00", "value"))
        .isEqualTo(Instant.parse("2026-01-02T02:04:05Z").toEpochMilli());
    assertThatThrownBy(() -> AvroJson.toAvro(ts, "2026-02-29T03:04:05Z", "value"))
        .hasMessageStartingWith("value: expected timestamp-millis");
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
