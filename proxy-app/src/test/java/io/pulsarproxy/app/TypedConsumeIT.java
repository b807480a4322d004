package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import io.pulsarproxy.core.schema.ProducerSchema;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.schema.SchemaDefinition;
import org.apache.pulsar.common.schema.KeyValue;
import org.apache.pulsar.common.schema.KeyValueEncodingType;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Typed topics read back as JSON: messages written by the Java client with Avro, JSON, Protobuf native, KeyValue and
 * primitive schemas come decoded with their own schema version through consumer instances, SSE, reads and
 * WebSocket consumers, and a message that cannot be decoded comes with its bytes and the reason.
 */
@ExtendWith(PulsarExtension.class)
class TypedConsumeIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static ProxyFixture proxy;
  private static ConsumeHttp http;
  private static PulsarClient client;
  private static PulsarBroker broker;

  public enum Status { NEW, SHIPPED }

  public static class Address {
    public String city;
    public int zip;

    public Address() {}

    Address(String city, int zip) {
      this.city = city;
      this.zip = zip;
    }
  }

  /** Reflected by Pulsar's Avro schema: every object field is a union with null. */
  public static class Order {
    public long id;
    public int count;
    public double price;
    public boolean paid;
    public String name;
    public String nickname;
    public Status status;
    public Address address;
    public byte[] blob;
    public Instant at;
    public LocalDate day;
    @org.apache.avro.reflect.AvroSchema(
        "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,\"scale\":2}")
    public BigDecimal amount;
    public List<String> tags;
  }

  static Order order(long id, String nickname) {
    Order o = new Order();
    o.id = id;
    o.count = 3;
    o.price = 9.75;
    o.paid = true;
    o.name = "order " + id;
    o.nickname = nickname;
    o.status = Status.SHIPPED;
    o.address = new Address("Lyon", 69001);
    o.blob = new byte[] {1, 2, (byte) 0xff};
    o.at = Instant.parse("2026-01-02T03:04:05.678Z");
    o.day = LocalDate.parse("2026-01-02");
    o.amount = new BigDecimal("12.34");
    o.tags = List.of("a", "b");
    return o;
  }

  /** The natural JSON of {@link #order}, field by field. */
  static JsonObject orderJson(long id, String nickname) {
    return new JsonObject().put("id", id).put("count", 3).put("price", 9.75).put("paid", true)
        .put("name", "order " + id).put("nickname", nickname).put("status", "SHIPPED")
        .put("address", new JsonObject().put("city", "Lyon").put("zip", 69001))
        .put("blob", Base64.getEncoder().encodeToString(new byte[] {1, 2, (byte) 0xff}))
        .put("at", "2026-01-02T03:04:05.678Z").put("day", "2026-01-02").put("amount", "12.34")
        .put("tags", new JsonArray().add("a").add("b"));
  }

  static Schema<Order> orderSchema() {
    return Schema.AVRO(SchemaDefinition.<Order>builder().withPojo(Order.class).withJSR310ConversionEnabled(true)
        .build());
  }

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), new JsonObject());
    http = new ConsumeHttp(proxy);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  private static <T> List<MessageId> produce(String topic, Schema<T> schema, List<T> values) throws Exception {
    List<MessageId> ids = new ArrayList<>();
    try (Producer<T> producer = client.newProducer(schema).topic(topic).create()) {
      for (T value : values) {
        ids.add(producer.send(value));
      }
    }
    return ids;
  }

  private static JsonArray read(String topic, String format) {
    HttpResponse<String> response = http.get("/api/v1/topics/" + topic.replace("://", "/")
        + "/messages?from=earliest&format=" + format);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("messages");
  }

  private static JsonArray readAll(String topic, String format, int count) {
    JsonArray[] page = new JsonArray[1];
    await().atMost(WAIT).until(() -> (page[0] = read(topic, format)).size() >= count);
    return page[0];
  }

  private static List<Object> values(List<JsonObject> messages) {
    return messages.stream().map(m -> m.getValue("value")).toList();
  }

  private static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(m -> (JsonObject) m).toList();
  }

  @Test
  void avroFromAPojoReadsBackDecodedThroughReadsInstancesSseAndWebSockets() throws Exception {
    String topic = broker.uniqueTopic("typed-avro");
    List<MessageId> ids = produce(topic, orderSchema(), List.of(order(1, "one"), order(2, null)));
    List<Object> expected = List.of(orderJson(1, "one"), orderJson(2, null));

    List<JsonObject> read = objects(readAll(topic, "json", 2));
    assertThat(values(read)).containsExactlyElementsOf(expected);
    assertThat(read).allSatisfy(m -> {
      assertThat(m.getLong("schemaVersion")).isEqualTo(0L);
      assertThat(m.containsKey("payload")).isFalse();
      assertThat(m.containsKey("decodeError")).isFalse();
    });

    // format=base64 on a typed topic: the bytes Pulsar holds, as before
    List<String> stored = new ArrayList<>();
    try (Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      while (reader.hasMessageAvailable()) {
        stored.add(Base64.getEncoder().encodeToString(reader.readNext(10, TimeUnit.SECONDS).getData()));
      }
    }
    List<JsonObject> raw = objects(readAll(topic, "base64", 2));
    assertThat(raw.stream().map(m -> m.getString("payload")).toList()).containsExactlyElementsOf(stored);
    assertThat(raw).allSatisfy(m -> assertThat(m.containsKey("value")).isFalse());

    String instance = http.create(ConsumeHttp.subscription(topic, "typed-instance", "Exclusive").put("format", "json"));
    List<JsonObject> polled = http.pollUntil(instance, 2);
    assertThat(values(polled)).containsExactlyElementsOf(expected);
    assertThat(polled.stream().map(m -> m.getLong("schemaVersion")).toList()).containsExactly(0L, 0L);
    http.close(instance);

    try (SseReader sse = SseReader.open(proxy, "/api/v1/topics/" + topic.replace("://", "/")
        + "/subscriptions/typed-sse/events?initialPosition=Earliest&format=json", Map.of())) {
      List<Object> streamed = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        streamed.add(new JsonObject(sse.next(WAIT).data()).getValue("value"));
      }
      assertThat(streamed).containsExactlyElementsOf(expected);
    }

    String base = "ws://127.0.0.1:" + proxy.app.httpPort() + "/ws/v2/consumer/" + topic.replace("://", "/");
    WebSocketAppIT.Listener decoded = new WebSocketAppIT.Listener();
    WebSocketAppIT.Listener plain = new WebSocketAppIT.Listener();
    WebSocket decoding = proxy.http.newWebSocketBuilder().buildAsync(URI.create(base
        + "/typed-ws?subscriptionInitialPosition=Earliest&valueFormat=json"), decoded).get(30, TimeUnit.SECONDS);
    WebSocket asPulsar = proxy.http.newWebSocketBuilder().buildAsync(URI.create(base
        + "/typed-ws-plain?subscriptionInitialPosition=Earliest"), plain).get(30, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> decoded.messages.size() >= 2 && plain.messages.size() >= 2);
    assertThat(values(decoded.messages)).containsExactlyElementsOf(expected);
    assertThat(decoded.messages).allSatisfy(m -> assertThat(m.getLong("schemaVersion")).isEqualTo(0L));
    assertThat(decoded.messages.stream().map(m -> m.getString("payload")).toList()).containsExactlyElementsOf(stored);
    assertThat(plain.messages).allSatisfy(m -> assertThat(m.fieldNames())
        .containsExactlyInAnyOrder("messageId", "payload", "properties", "publishTime", "redeliveryCount"));
    assertThat(plain.messages.stream().map(m -> m.getString("payload")).toList()).containsExactlyElementsOf(stored);
    decoding.abort();
    asPulsar.abort();
    assertThat(ids).hasSize(2);
  }

  public static class ProfileV1 {
    public String name;
    public int age;
  }

  public static class ProfileV2 {
    public String name;
    public int age;
    public String email;
  }

  private static final String PROFILE_V1 = """
      {"type":"record","name":"Profile","namespace":"people","fields":[
        {"name":"name","type":["null","string"],"default":null},{"name":"age","type":"int"}]}""";
  private static final String PROFILE_V2 = """
      {"type":"record","name":"Profile","namespace":"people","fields":[
        {"name":"name","type":["null","string"],"default":null},{"name":"age","type":"int"},
        {"name":"email","type":["null","string"],"default":null}]}""";

  @Test
  void eachMessageDecodesWithTheSchemaVersionItWasWrittenWith() throws Exception {
    String topic = broker.uniqueTopic("typed-evolution");
    ProfileV1 ada = new ProfileV1();
    ada.name = "Ada";
    ada.age = 36;
    produce(topic, Schema.AVRO(SchemaDefinition.<ProfileV1>builder().withJsonDef(PROFILE_V1).build()), List.of(ada));
    ProfileV2 alan = new ProfileV2();
    alan.name = "Alan";
    alan.age = 41;
    alan.email = "alan@example.org";
    produce(topic, Schema.AVRO(SchemaDefinition.<ProfileV2>builder().withJsonDef(PROFILE_V2).build()), List.of(alan));
    produce(topic, Schema.AVRO(SchemaDefinition.<ProfileV1>builder().withJsonDef(PROFILE_V1).build()), List.of(ada));

    List<JsonObject> read = objects(readAll(topic, "json", 3));
    assertThat(read.stream().map(m -> m.getLong("schemaVersion")).toList()).containsExactly(0L, 1L, 0L);
    assertThat(values(read)).containsExactly(
        new JsonObject().put("name", "Ada").put("age", 36),
        new JsonObject().put("name", "Alan").put("age", 41).put("email", "alan@example.org"),
        new JsonObject().put("name", "Ada").put("age", 36));
  }

  public static class Reading {
    public String sensor;
    public double celsius;
    public List<Integer> samples;

    public String getSensor() {
      return sensor;
    }

    public double getCelsius() {
      return celsius;
    }

    public List<Integer> getSamples() {
      return samples;
    }
  }

  @Test
  void jsonSchemaMessagesAreTheirJson() throws Exception {
    String topic = broker.uniqueTopic("typed-json");
    Reading r = new Reading();
    r.sensor = "s-1";
    r.celsius = 21.5;
    r.samples = List.of(1, 2, 3);
    produce(topic, Schema.JSON(Reading.class), List.of(r));

    JsonObject m = objects(readAll(topic, "json", 1)).get(0);
    assertThat(m.getLong("schemaVersion")).isEqualTo(0L);
    assertThat(m.getJsonObject("value")).isEqualTo(new JsonObject().put("sensor", "s-1").put("celsius", 21.5)
        .put("samples", new JsonArray().add(1).add(2).add(3)));
  }

  @Test
  void protobufNativeMessagesAreTheirCanonicalJson() throws Exception {
    FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("sensor.proto").setPackage("iot")
        .setSyntax("proto3")
        .addMessageType(DescriptorProto.newBuilder().setName("Reading")
            .addField(field("sensor_id", 1, FieldDescriptorProto.Type.TYPE_STRING, false))
            .addField(field("celsius", 2, FieldDescriptorProto.Type.TYPE_DOUBLE, false))
            .addField(field("samples", 3, FieldDescriptorProto.Type.TYPE_INT32, true)))
        .build();
    Descriptor type = FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("Reading");
    byte[] schemaData = new JsonObject()
        .put("fileDescriptorSet", Base64.getEncoder().encodeToString(
            FileDescriptorSet.newBuilder().addFile(file).build().toByteArray()))
        .put("rootMessageTypeName", "iot.Reading").put("rootFileDescriptorName", "sensor.proto")
        .encode().getBytes(StandardCharsets.UTF_8);
    SchemaInfo info = SchemaInfo.builder().name("Reading").type(SchemaType.PROTOBUF_NATIVE).schema(schemaData)
        .properties(Map.of()).build();
    byte[] body = DynamicMessage.newBuilder(type)
        .setField(type.findFieldByName("sensor_id"), "s-9")
        .setField(type.findFieldByName("celsius"), -3.5)
        .addRepeatedField(type.findFieldByName("samples"), 4)
        .addRepeatedField(type.findFieldByName("samples"), 5)
        .build().toByteArray();
    String topic = broker.uniqueTopic("typed-protobuf");
    produce(topic, new ProducerSchema(info).pulsarSchema(), List.of(body));
    assertThat(broker.admin().schemas().getSchemaInfo(topic).getType()).isEqualTo(SchemaType.PROTOBUF_NATIVE);

    JsonObject m = objects(readAll(topic, "json", 1)).get(0);
    assertThat(m.getJsonObject("value")).isEqualTo(new JsonObject().put("sensor_id", "s-9").put("celsius", -3.5)
        .put("samples", new JsonArray().add(4).add(5)));
  }

  private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type,
      boolean repeated) {
    return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
        .setLabel(repeated ? FieldDescriptorProto.Label.LABEL_REPEATED : FieldDescriptorProto.Label.LABEL_OPTIONAL)
        .build();
  }

  @Test
  void keyValueMessagesAreKeyAndValueInlineOrSeparated() throws Exception {
    for (KeyValueEncodingType encoding : KeyValueEncodingType.values()) {
      String topic = broker.uniqueTopic("typed-kv-" + encoding.name().toLowerCase());
      produce(topic, Schema.KeyValue(Schema.STRING, Schema.AVRO(Address.class), encoding),
          List.of(new KeyValue<>("home", new Address("Paris", 75001))));

      JsonObject m = objects(readAll(topic, "json", 1)).get(0);
      assertThat(m.getJsonObject("value")).as(encoding.name()).isEqualTo(new JsonObject().put("key", "home")
          .put("value", new JsonObject().put("city", "Paris").put("zip", 75001)));
    }
  }

  @Test
  void primitiveMessagesAreTheirJsonValues() throws Exception {
    String strings = broker.uniqueTopic("typed-string");
    produce(strings, Schema.STRING, List.of("héllo", ""));
    String longs = broker.uniqueTopic("typed-int64");
    produce(longs, Schema.INT64, List.of(Long.MAX_VALUE, -1L));
    String booleans = broker.uniqueTopic("typed-boolean");
    produce(booleans, Schema.BOOL, List.of(true, false));

    assertThat(values(objects(readAll(strings, "json", 2)))).containsExactly("héllo", "");
    assertThat(values(objects(readAll(longs, "json", 2)))).containsExactly(Long.MAX_VALUE, -1);
    assertThat(values(objects(readAll(booleans, "json", 2)))).containsExactly(true, false);
  }

  @Test
  void aMessageThatCannotBeDecodedComesWithItsBytesAndTheReason() throws Exception {
    String topic = broker.uniqueTopic("typed-corrupt");
    produce(topic, orderSchema(), List.of(order(1, "ok")));
    byte[] corrupt = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
    produce(topic, new ProducerSchema(orderSchema().getSchemaInfo()).pulsarSchema(), List.of(corrupt));
    produce(topic, orderSchema(), List.of(order(3, "ok")));

    List<JsonObject> read = objects(readAll(topic, "json", 3));
    assertThat(values(read)).containsExactly(orderJson(1, "ok"), null, orderJson(3, "ok"));
    JsonObject bad = read.get(1);
    assertThat(bad.getLong("schemaVersion")).isEqualTo(0L);
    assertThat(bad.getString("payload")).isEqualTo(Base64.getEncoder().encodeToString(corrupt));
    assertThat(bad.getString("decodeError")).isEqualTo("not Avro binary of its schema");

    // the same through a WebSocket reader: delivered, the socket stays open
    WebSocketAppIT.Listener listener = new WebSocketAppIT.Listener();
    WebSocket socket = proxy.http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:"
        + proxy.app.httpPort() + "/ws/v2/reader/" + topic.replace("://", "/") + "?messageId=earliest&valueFormat=json"),
        listener).get(30, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> listener.messages.size() >= 3);
    assertThat(listener.messages.get(1).getString("decodeError")).isEqualTo("not Avro binary of its schema");
    assertThat(listener.messages.get(2).getJsonObject("value")).isEqualTo(orderJson(3, "ok"));
    assertThat(listener.closed).isNotDone();
    socket.abort();
  }

  @Test
  void aMessageWhoseSchemaWasDeletedComesWithItsBytesAndTheReason() throws Exception {
    String topic = broker.uniqueTopic("typed-deleted");
    produce(topic, Schema.INT64, List.of(42L));
    broker.admin().schemas().deleteSchema(topic, true);

    List<JsonObject> read = objects(readAll(topic, "json", 1));
    Message<byte[]> stored;
    try (Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
      stored = reader.readNext(10, TimeUnit.SECONDS);
    }
    assertThat(read.get(0).getString("payload")).isEqualTo(Base64.getEncoder().encodeToString(stored.getData()));
    assertThat(read.get(0).getString("decodeError")).isEqualTo("schema version 0 not found");
    assertThat(read.get(0).containsKey("value")).isFalse();
  }
}
