package io.pulsarproxy.core.schema.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;
import org.junit.jupiter.api.Test;

class SchemaDecodersTest {
  static final String AVRO = """
      {"type":"record","name":"Order","namespace":"shop","fields":[
        {"name":"id","type":"long"},
        {"name":"count","type":"int"},
        {"name":"price","type":"double"},
        {"name":"ratio","type":"float"},
        {"name":"paid","type":"boolean"},
        {"name":"name","type":"string"},
        {"name":"nickname","type":["null","string"],"default":null},
        {"name":"missing","type":["null","string"],"default":null},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","SHIPPED"]}},
        {"name":"tags","type":{"type":"array","items":"string"}},
        {"name":"attributes","type":{"type":"map","values":"int"}},
        {"name":"blob","type":"bytes"},
        {"name":"hash","type":{"type":"fixed","name":"Hash","size":2}},
        {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"atMicros","type":{"type":"long","logicalType":"timestamp-micros"}},
        {"name":"day","type":{"type":"int","logicalType":"date"}},
        {"name":"time","type":{"type":"int","logicalType":"time-millis"}},
        {"name":"timeMicros","type":{"type":"long","logicalType":"time-micros"}},
        {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
        {"name":"ref","type":{"type":"string","logicalType":"uuid"}},
        {"name":"address","type":{"type":"record","name":"Address","fields":[
          {"name":"city","type":"string"},{"name":"zip","type":["null","int"]}]}}
      ]}""";

  static byte[] avro(Schema schema, GenericRecord record) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  static GenericRecord order(Schema schema) {
    GenericData.Record address = new GenericData.Record(schema.getField("address").schema());
    address.put("city", "Lyon");
    address.put("zip", 69001);
    GenericData.Record r = new GenericData.Record(schema);
    r.put("id", 1234567890123L);
    r.put("count", 7);
    r.put("price", 12.5);
    r.put("ratio", 0.25f);
    r.put("paid", true);
    r.put("name", "Ada");
    r.put("nickname", "ada");
    r.put("missing", null);
    r.put("status", new GenericData.EnumSymbol(schema.getField("status").schema(), "SHIPPED"));
    r.put("tags", List.of("a", "b"));
    r.put("attributes", Map.of("x", 1));
    r.put("blob", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    r.put("hash", new GenericData.Fixed(schema.getField("hash").schema(), new byte[] {-1, 0}));
    r.put("at", Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli());
    r.put("atMicros", 1767323045678901L);
    r.put("day", (int) LocalDate.parse("2026-01-02").toEpochDay());
    r.put("time", (int) (LocalTime.parse("03:04:05.678").toNanoOfDay() / 1_000_000));
    r.put("timeMicros", LocalTime.parse("03:04:00").toNanoOfDay() / 1_000);
    Schema decimal = schema.getField("amount").schema();
    r.put("amount", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.34"), decimal,
        LogicalTypes.decimal(10, 2)));
    r.put("ref", "6c3a0e52-64a3-4d7a-9f1e-3c2b2a1d0e9f");
    r.put("address", address);
    return r;
  }

  @Test
  void avroMapsEveryTypeToItsNaturalJson() throws Exception {
    Schema schema = new Schema.Parser().parse(AVRO);
    Object json = AvroJson.decoder(AVRO).decode(avro(schema, order(schema)), null);

    assertThat(json).isEqualTo(new JsonObject()
        .put("id", 1234567890123L).put("count", 7).put("price", 12.5).put("ratio", 0.25f).put("paid", true)
        .put("name", "Ada").put("nickname", "ada").putNull("missing").put("status", "SHIPPED")
        .put("tags", new JsonArray().add("a").add("b")).put("attributes", new JsonObject().put("x", 1))
        .put("blob", "AQID").put("hash", "/wA=")
        .put("at", "2026-01-02T03:04:05.678Z").put("atMicros", "2026-01-02T03:04:05.678901Z")
        .put("day", "2026-01-02").put("time", "03:04:05.678").put("timeMicros", "03:04:00")
        .put("amount", "12.34").put("ref", "6c3a0e52-64a3-4d7a-9f1e-3c2b2a1d0e9f")
        .put("address", new JsonObject().put("city", "Lyon").put("zip", 69001)));
  }

  @Test
  void avroBytesThatDoNotFitTheSchemaAreUndecodableWithAShortReason() throws Exception {
    Schema schema = new Schema.Parser().parse(AVRO);
    byte[] good = avro(schema, order(schema));
    ValueDecoder decoder = SchemaDecoders.forSchema(info(SchemaType.AVRO, AVRO.getBytes(StandardCharsets.UTF_8)));

    DecodedValue truncated = SchemaDecoders.decode(decoder, java.util.Arrays.copyOf(good, good.length / 2), null);
    DecodedValue garbage = SchemaDecoders.decode(decoder, "not avro at all".getBytes(StandardCharsets.UTF_8), null);
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);
    DecodedValue trailing = SchemaDecoders.decode(decoder, longer, null);

    for (DecodedValue d : List.of(truncated, garbage, trailing)) {
      assertThat(d.failed()).isTrue();
      assertThat(d.error()).startsWith("not Avro binary of its schema").doesNotContain("Exception", "org.");
    }
  }

  @Test
  void lengthsBeyondTheBodyAreUndecodableWithoutAllocatingThem() {
    // zig-zag varint of 2^30: a string, bytes, array and key of a gigabyte in a 5-byte body
    byte[] huge = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
    for (String type : List.of("\"string\"", "\"bytes\"", "{\"type\":\"array\",\"items\":\"null\"}",
        "{\"type\":\"map\",\"values\":\"null\"}")) {
      ValueDecoder decoder = AvroJson.decoder(type);
      assertThat(SchemaDecoders.decode(decoder, huge, null).failed()).as(type).isTrue();
    }
    ValueDecoder inline = SchemaDecoders.forSchema(keyValue("INLINE"));
    byte[] bigKey = ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).putInt(0).array();
    assertThat(SchemaDecoders.decode(inline, bigKey, null).error()).isEqualTo("not an INLINE key/value body");
  }

  @Test
  void aSchemaThatCannotBeParsedIsUndecodable() {
    assertThatThrownBy(() -> SchemaDecoders.forSchema(info(SchemaType.AVRO, "{nope".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(UndecodableException.class).hasMessage("the Avro schema of this version cannot be parsed");
  }

  @Test
  void jsonSchemaBodiesAreTheirJson() {
    ValueDecoder decoder = SchemaDecoders.forSchema(info(SchemaType.JSON, "{}".getBytes(StandardCharsets.UTF_8)));
    assertThat(decoder.decode("{\"a\":[1,\"x\"]}".getBytes(StandardCharsets.UTF_8), null))
        .isEqualTo(new JsonObject().put("a", new JsonArray().add(1).add("x")));
    assertThat(SchemaDecoders.decode(decoder, "{".getBytes(StandardCharsets.UTF_8), null).error()).isEqualTo("not JSON");
  }

  static Descriptor protobufType() throws Exception {
    FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("sensor.proto").setPackage("iot")
        .setSyntax("proto3")
        .addMessageType(DescriptorProto.newBuilder().setName("Reading")
            .addField(field("sensor_id", 1, FieldDescriptorProto.Type.TYPE_STRING))
            .addField(field("celsius", 2, FieldDescriptorProto.Type.TYPE_DOUBLE))
            .addField(field("count", 3, FieldDescriptorProto.Type.TYPE_INT64)))
        .build();
    return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("Reading");
  }

  static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type) {
    return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).build();
  }

  /** Pulsar's PROTOBUF_NATIVE schema data for {@code type}. */
  static byte[] protobufSchemaData(Descriptor type) {
    FileDescriptorSet set = FileDescriptorSet.newBuilder().addFile(type.getFile().toProto()).build();
    return new JsonObject()
        .put("fileDescriptorSet", Base64.getEncoder().encodeToString(set.toByteArray()))
        .put("rootMessageTypeName", type.getFullName())
        .put("rootFileDescriptorName", type.getFile().getName())
        .encode().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void protobufNativeIsItsCanonicalJsonWithProtoFieldNames() throws Exception {
    Descriptor type = protobufType();
    byte[] body = DynamicMessage.newBuilder(type)
        .setField(type.findFieldByName("sensor_id"), "s-1")
        .setField(type.findFieldByName("celsius"), 21.5)
        .setField(type.findFieldByName("count"), 9L)
        .build().toByteArray();
    ValueDecoder decoder = SchemaDecoders.forSchema(info(SchemaType.PROTOBUF_NATIVE, protobufSchemaData(type)));

    // JsonFormat gives 64-bit integers as strings
    assertThat(decoder.decode(body, null))
        .isEqualTo(new JsonObject().put("sensor_id", "s-1").put("celsius", 21.5).put("count", "9"));
    assertThat(SchemaDecoders.decode(decoder, new byte[] {(byte) 0xff, 1}, null).error())
        .isEqualTo("not Protobuf of message type iot.Reading");
  }

  @Test
  void primitivesAsPulsarEncodesThem() {
    assertThat(primitive(SchemaType.STRING, "héllo".getBytes(StandardCharsets.UTF_8))).isEqualTo("héllo");
    assertThat(primitive(SchemaType.INT64, ByteBuffer.allocate(8).putLong(-5L).array())).isEqualTo(-5L);
    assertThat(primitive(SchemaType.INT32, ByteBuffer.allocate(4).putInt(70000).array())).isEqualTo(70000);
    assertThat(primitive(SchemaType.INT8, new byte[] {-3})).isEqualTo(-3);
    assertThat(primitive(SchemaType.BOOLEAN, new byte[] {1})).isEqualTo(true);
    assertThat(primitive(SchemaType.DOUBLE, ByteBuffer.allocate(8).putDouble(1.5).array())).isEqualTo(1.5);
    assertThat(primitive(SchemaType.FLOAT, ByteBuffer.allocate(4).putFloat(Float.NaN).array())).isEqualTo("NaN");
    assertThat(primitive(SchemaType.TIMESTAMP, ByteBuffer.allocate(8)
        .putLong(Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli()).array()))
        .isEqualTo("2026-01-02T03:04:05.678Z");
    assertThat(primitive(SchemaType.INSTANT, ByteBuffer.allocate(12).putLong(1767323045L).putInt(5).array()))
        .isEqualTo("2026-01-02T03:04:05.000000005Z");
    assertThat(primitive(SchemaType.LOCAL_DATE, ByteBuffer.allocate(8)
        .putLong(LocalDate.parse("2026-01-02").toEpochDay()).array())).isEqualTo("2026-01-02");
    assertThat(primitive(SchemaType.LOCAL_TIME, ByteBuffer.allocate(8)
        .putLong(LocalTime.parse("03:04:05.678").toNanoOfDay()).array())).isEqualTo("03:04:05.678");
    LocalDateTime t = LocalDateTime.parse("2026-01-02T03:04:05.678");
    assertThat(primitive(SchemaType.LOCAL_DATE_TIME, ByteBuffer.allocate(16)
        .putLong(t.toLocalDate().toEpochDay()).putLong(t.toLocalTime().toNanoOfDay()).array()))
        .isEqualTo("2026-01-02T03:04:05.678");

    ValueDecoder int64 = SchemaDecoders.forSchema(info(SchemaType.INT64, new byte[0]));
    assertThat(SchemaDecoders.decode(int64, new byte[] {1, 2}, null).error())
        .isEqualTo("not INT64: expected 8 bytes, got 2");
    ValueDecoder text = SchemaDecoders.forSchema(info(SchemaType.STRING, new byte[0]));
    assertThat(SchemaDecoders.decode(text, new byte[] {(byte) 0xc3}, null).error())
        .isEqualTo("not STRING: the bytes are not UTF-8");
  }

  @Test
  void bytesSchemasAreUntyped() {
    assertThat(SchemaDecoders.forSchema(info(SchemaType.BYTES, new byte[0]))).isNull();
    assertThat(SchemaDecoders.forSchema(info(SchemaType.NONE, new byte[0]))).isNull();
  }

  @Test
  void keyValueInlineAndSeparated() throws Exception {
    Schema avro = new Schema.Parser().parse(AVRO);
    byte[] value = avro(avro, order(avro));
    byte[] key = "k-1".getBytes(StandardCharsets.UTF_8);
    byte[] inlineBody = ByteBuffer.allocate(8 + key.length + value.length)
        .putInt(key.length).put(key).putInt(value.length).put(value).array();
    Object expectedValue = AvroJson.decoder(AVRO).decode(value, null);

    ValueDecoder inline = SchemaDecoders.forSchema(keyValue("INLINE"));
    assertThat(inline.decode(inlineBody, null))
        .isEqualTo(new JsonObject().put("key", "k-1").put("value", expectedValue));
    ValueDecoder separated = SchemaDecoders.forSchema(keyValue("SEPARATED"));
    assertThat(separated.decode(value, key)).isEqualTo(new JsonObject().put("key", "k-1").put("value", expectedValue));
    assertThat(SchemaDecoders.decode(inline, new byte[] {0, 0, 0, 9}, null).error())
        .isEqualTo("not an INLINE key/value body");
  }

  @Test
  void decodingIsCheapEnoughForTheEventLoop() throws Exception {
    Schema schema = new Schema.Parser().parse(AVRO);
    byte[] body = avro(schema, order(schema));
    ValueDecoder decoder = SchemaDecoders.forSchema(info(SchemaType.AVRO, AVRO.getBytes(StandardCharsets.UTF_8)));
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      decoder.decode(body, null); // warm-up
    }
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      decoder.decode(body, null);
    }
    long perMessageNs = (System.nanoTime() - start) / n;
    System.out.printf("Avro 21-field record to JSON: %d ns per message%n", perMessageNs);
    // Generous for a loaded machine; a blocking or quadratic decoder would be orders of magnitude slower.
    assertThat(perMessageNs).isLessThan(200_000);
  }

  private static SchemaInfo keyValue(String encoding) {
    byte[] keySchema = new byte[0];
    byte[] valueSchema = AVRO.getBytes(StandardCharsets.UTF_8);
    byte[] data = ByteBuffer.allocate(8 + valueSchema.length).putInt(keySchema.length).put(keySchema)
        .putInt(valueSchema.length).put(valueSchema).array();
    return SchemaInfo.builder().name("KeyValue").type(SchemaType.KEY_VALUE).schema(data)
        .properties(Map.of("key.schema.type", "STRING", "value.schema.type", "AVRO", "kv.encoding.type", encoding))
        .build();
  }

  private static Object primitive(SchemaType type, byte[] body) {
    return SchemaDecoders.forSchema(info(type, new byte[0])).decode(body, null);
  }

  static SchemaInfo info(SchemaType type, byte[] data) {
    return SchemaInfo.builder().name("t").type(type).schema(data).properties(Map.of()).build();
  }
}
