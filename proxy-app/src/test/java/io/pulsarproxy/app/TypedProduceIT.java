package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.schema.GenericRecord;
import org.apache.pulsar.common.schema.KeyValue;
import org.apache.pulsar.common.schema.KeyValueEncodingType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** JSON values produced over HTTP to topics with a schema, read back by the Java client as typed values. */
@ExtendWith(PulsarExtension.class)
class TypedProduceIT {
  private static ProxyFixture proxy;
  private static PulsarClient client;
  private static PulsarBroker broker;

  public enum Status { NEW, PAID, SHIPPED }

  public static class Address {
    public String street;
    public int zip;
  }

  /** An order as a Java producer would write it with {@code Schema.AVRO(Order.class)}. */
  public static class Order {
    public String id;
    public int quantity;
    public long total;
    public double weight;
    public boolean gift;
    @org.apache.avro.reflect.AvroSchema("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}")
    public long createdAt;
    public LocalDate deliveryDate;
    @org.apache.avro.reflect.AvroSchema(
        "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,\"scale\":2}")
    public BigDecimal price;
    public byte[] signature;
    public String note;
    public Status status;
    public Address address;
    public List<String> tags;
  }

  public static class PersonV1 {
    public String name;
    public int age;
  }

  /** Version 2 of the person: a field added with a default. */
  public static class PersonV2 {
    public String name;
    public int age;
    @org.apache.avro.reflect.AvroDefault("null")
    public String city;
  }

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), new JsonObject());
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    client.close();
  }

  private static <T> Consumer<T> subscribe(Schema<T> schema, String topic) throws Exception {
    return client.newConsumer(schema).topic(topic).subscriptionName("it")
        .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe();
  }

  /** Registers {@code schema} on the topic the way an application does: by opening a producer with it. */
  private static void register(Schema<?> schema, String topic) throws Exception {
    client.newProducer(schema).topic(topic).create().close();
  }

  private static <T> Message<T> receive(Consumer<T> consumer) throws Exception {
    Message<T> m = consumer.receive(30, TimeUnit.SECONDS);
    assertThat(m).as("a message within 30 s").isNotNull();
    consumer.acknowledge(m);
    return m;
  }

  private static HttpResponse<String> produce(String topic, String body) {
    return proxy.postJson(producePath(topic), body);
  }

  private static HttpResponse<String> schemaOf(String topic, String query) {
    return proxy.get(proxy.url("/api/v1/topics/" + topic.replace("://", "/") + "/schema" + query));
  }

  @Test
  void avroJsonIsReadBackAsTheJavaClientsPojoFieldByField() throws Exception {
    String topic = broker.uniqueTopic("avro");
    register(Schema.AVRO(Order.class), topic);
    try (Consumer<Order> consumer = subscribe(Schema.AVRO(Order.class), topic)) {
      HttpResponse<String> response = produce(topic, """
          {"messages":[{"key":"o-1","value":{
            "id":"o-1","quantity":3,"total":1234567890123,"weight":2.5,"gift":true,
            "createdAt":"2026-01-02T03:04:05.678Z","deliveryDate":"2026-01-05","price":"12.34",
            "signature":"AAEC/w==","note":null,"status":"PAID",
            "address":{"street":"Main St 1","zip":12345},"tags":["a","b"]}},
           {"value":{"id":"o-2","quantity":1,"total":1,"weight":0,"gift":false,"createdAt":1767323045678,
            "price":"0.5","status":"NEW","tags":[]}}]}""");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonArray results = json(response).getJsonArray("results");
      assertThat(results.getJsonObject(0).getLong("schemaVersion")).isEqualTo(0L);

      Message<Order> first = receive(consumer);
      Order o = first.getValue();
      assertThat(first.getKey()).isEqualTo("o-1");
      assertThat(o.id).isEqualTo("o-1");
      assertThat(o.quantity).isEqualTo(3);
      assertThat(o.total).isEqualTo(1234567890123L);
      assertThat(o.weight).isEqualTo(2.5);
      assertThat(o.gift).isTrue();
      assertThat(o.createdAt).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli());
      assertThat(o.deliveryDate).isEqualTo(LocalDate.parse("2026-01-05"));
      assertThat(o.price).isEqualByComparingTo(new BigDecimal("12.34"));
      assertThat(o.signature).containsExactly(0, 1, 2, 0xff);
      assertThat(o.note).isNull();
      assertThat(o.status).isEqualTo(Status.PAID);
      assertThat(o.address.street).isEqualTo("Main St 1");
      assertThat(o.address.zip).isEqualTo(12345);
      assertThat(o.tags).containsExactly("a", "b");
      assertThat(first.getSchemaVersion()).isEqualTo(new byte[8]);

      Order second = receive(consumer).getValue();
      assertThat(second.id).isEqualTo("o-2");
      assertThat(second.createdAt).isEqualTo(1767323045678L);
      assertThat(second.deliveryDate).isNull();
      assertThat(second.address).isNull();
      assertThat(second.price).isEqualByComparingTo(new BigDecimal("0.50"));
      assertThat(second.status).isEqualTo(Status.NEW);
    }
  }

  @Test
  void aValueThatDoesNotFitIs400NamingEachMessageAndFieldAndNothingIsSent() throws Exception {
    String topic = broker.uniqueTopic("mismatch");
    register(Schema.AVRO(Order.class), topic);
    HttpResponse<String> response = produce(topic, """
        {"messages":[{"value":{"id":"ok","quantity":1,"total":1,"weight":1,"gift":false,"createdAt":0}},
          {"value":{"id":"x","quantity":1,"total":1,"weight":1,"gift":false,"createdAt":0,"address":{"street":"s","zip":"12a"}}},
          {"value":{"id":"y","quantity":"many","total":1,"weight":1,"gift":false,"createdAt":0}}]}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonObject error = json(response);
    assertThat(error.getString("error")).isEqualTo("SCHEMA_MISMATCH");
    assertThat(error.getString("message")).startsWith("messages[1].value.address.zip: expected int, got string");
    JsonArray details = error.getJsonArray("details");
    assertThat(details).hasSize(2);
    assertThat(details.getJsonObject(1).getString("field")).isEqualTo("messages[2].value.quantity");
    assertThat(details.getJsonObject(1).getString("message")).isEqualTo("expected int, got string");
    // Nothing of the request reached the topic: the first message a reader finds is the next valid one.
    assertThat(produce(topic, """
        {"messages":[{"value":{"id":"after","quantity":1,"total":1,"weight":1,"gift":false,"createdAt":0}}]}""").statusCode())
        .isEqualTo(200);
    try (Consumer<Order> consumer = subscribe(Schema.AVRO(Order.class), topic)) {
      assertThat(receive(consumer).getValue().id).isEqualTo("after");
    }
  }

  @Test
  void avroEvolutionV1ToV2BothWays() throws Exception {
    String topic = broker.uniqueTopic("evolve");
    register(Schema.AVRO(PersonV1.class), topic);
    register(Schema.AVRO(PersonV2.class), topic);
    // Written against version 0 (no city) and against the latest (version 1).
    HttpResponse<String> response = produce(topic, """
        {"schemaVersion":0,"messages":[{"value":{"name":"ann","age":30}}]}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).getJsonArray("results").getJsonObject(0).getLong("schemaVersion")).isEqualTo(0L);
    response = produce(topic, """
        {"messages":[{"value":{"name":"bob","age":40,"city":"Oslo"}}]}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).getJsonArray("results").getJsonObject(0).getLong("schemaVersion")).isEqualTo(1L);

    try (Consumer<PersonV2> v2 = subscribe(Schema.AVRO(PersonV2.class), topic)) {
      PersonV2 ann = receive(v2).getValue();
      assertThat(ann.name).isEqualTo("ann");
      assertThat(ann.city).isNull();
      PersonV2 bob = receive(v2).getValue();
      assertThat(bob.city).isEqualTo("Oslo");
    }
    try (Consumer<PersonV1> v1 = client.newConsumer(Schema.AVRO(PersonV1.class)).topic(topic)
        .subscriptionName("v1").subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe()) {
      assertThat(receive(v1).getValue().name).isEqualTo("ann");
      PersonV1 bob = receive(v1).getValue();
      assertThat(bob.name).isEqualTo("bob");
      assertThat(bob.age).isEqualTo(40);
    }
    // A version the topic does not have.
    response = produce(topic, """
        {"schemaVersion":7,"messages":[{"value":{"name":"x","age":1}}]}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    assertThat(json(response).getString("error")).isEqualTo("SCHEMA_NOT_FOUND");
  }

  @Test
  void schemasGivenWithTheRequestAreRegisteredWhenCompatibleAndAnIncompatibleOneIs409() throws Exception {
    String topic = broker.uniqueTopic("given");
    String v0 = """
        {"type":"record","name":"Person","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}""";
    String v1 = """
        {"type":"record","name":"Person","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"},
          {"name":"email","type":["null","string"],"default":null}]}""";
    HttpResponse<String> response = produce(topic, "{\"valueSchema\":{\"type\":\"AVRO\",\"schema\":" + v0
        + "},\"messages\":[{\"value\":{\"name\":\"ann\",\"age\":30}}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).getJsonArray("results").getJsonObject(0).getLong("schemaVersion")).isEqualTo(0L);
    // A compatible schema (a field added with a default) is registered: a new version.
    response = produce(topic, "{\"valueSchema\":{\"type\":\"AVRO\",\"schema\":" + v1
        + "},\"messages\":[{\"value\":{\"name\":\"eve\",\"age\":22,\"email\":\"eve@example.com\"}}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).getJsonArray("results").getJsonObject(0).getLong("schemaVersion")).isEqualTo(1L);
    // An incompatible one (a field's type changed, a field added without a default) is refused by the broker.
    response = produce(topic, """
        {"valueSchema":{"type":"AVRO","schema":{"type":"record","name":"Person","fields":[
           {"name":"name","type":"long"},{"name":"country","type":"string"}]}},
         "messages":[{"value":{"name":1,"country":"NO"}}]}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
    JsonObject error = json(response);
    assertThat(error.getString("error")).isEqualTo("SCHEMA_INCOMPATIBLE");
    assertThat(error.getString("message")).containsIgnoringCase("incompatible");

    try (Consumer<GenericRecord> consumer = subscribe(Schema.AUTO_CONSUME(), topic)) {
      Message<GenericRecord> ann = receive(consumer);
      assertThat(ann.getValue().getField("name")).isEqualTo("ann");
      assertThat(ann.getSchemaVersion()).isEqualTo(new byte[8]);
      Message<GenericRecord> eve = receive(consumer);
      assertThat(eve.getValue().getField("email")).isEqualTo("eve@example.com");
      assertThat(eve.getValue().getField("age")).isEqualTo(22);
    }
  }

  @Test
  void jsonSchemaValuesAreValidatedAndReadBackAsPojos() throws Exception {
    String topic = broker.uniqueTopic("json");
    register(Schema.JSON(PersonV1.class), topic);
    HttpResponse<String> bad = produce(topic, """
        {"messages":[{"value":{"name":"ann","age":"old"}}]}""");
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    assertThat(json(bad).getString("message")).isEqualTo("messages[0].value.age: expected int, got string");
    HttpResponse<String> response = produce(topic, """
        {"messages":[{"value":{"name":"ann","age":30}}]}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    try (Consumer<PersonV1> consumer = subscribe(Schema.JSON(PersonV1.class), topic)) {
      PersonV1 p = receive(consumer).getValue();
      assertThat(p.name).isEqualTo("ann");
      assertThat(p.age).isEqualTo(30);
    }
  }

  @Test
  void primitiveSchemas() throws Exception {
    String strings = broker.uniqueTopic("string");
    register(Schema.STRING, strings);
    String longs = broker.uniqueTopic("int64");
    register(Schema.INT64, longs);
    String booleans = broker.uniqueTopic("boolean");
    register(Schema.BOOL, booleans);
    assertThat(produce(strings, "{\"messages\":[{\"value\":\"héllo\"}]}").statusCode()).isEqualTo(200);
    assertThat(produce(longs, "{\"messages\":[{\"value\":9007199254740993}]}").statusCode()).isEqualTo(200);
    assertThat(produce(booleans, "{\"messages\":[{\"value\":true}]}").statusCode()).isEqualTo(200);
    HttpResponse<String> bad = produce(longs, "{\"messages\":[{\"value\":\"x\"}]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).getString("message")).isEqualTo("messages[0].value: expected int64, got string");
    try (Consumer<String> s = subscribe(Schema.STRING, strings);
        Consumer<Long> l = subscribe(Schema.INT64, longs);
        Consumer<Boolean> b = subscribe(Schema.BOOL, booleans)) {
      assertThat(receive(s).getValue()).isEqualTo("héllo");
      assertThat(receive(l).getValue()).isEqualTo(9007199254740993L);
      assertThat(receive(b).getValue()).isTrue();
    }
  }

  @Test
  void keyValueInlineAndSeparated() throws Exception {
    for (KeyValueEncodingType encoding : KeyValueEncodingType.values()) {
      String topic = broker.uniqueTopic("kv-" + encoding.name().toLowerCase());
      Schema<KeyValue<String, PersonV1>> schema = Schema.KeyValue(Schema.STRING, Schema.AVRO(PersonV1.class),
          encoding);
      register(schema, topic);
      HttpResponse<String> response = produce(topic, """
          {"messages":[{"value":{"key":"p-1","value":{"name":"ann","age":30}}}]}""");
      assertThat(response.statusCode()).as(encoding + " " + response.body()).isEqualTo(200);
      try (Consumer<KeyValue<String, PersonV1>> consumer = subscribe(schema, topic)) {
        Message<KeyValue<String, PersonV1>> m = receive(consumer);
        assertThat(m.getValue().getKey()).as(encoding.name()).isEqualTo("p-1");
        assertThat(m.getValue().getValue().name).isEqualTo("ann");
        assertThat(m.getValue().getValue().age).isEqualTo(30);
        if (encoding == KeyValueEncodingType.SEPARATED) {
          assertThat(m.getKeyBytes()).isEqualTo("p-1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    }
  }

  @Test
  void theSchemaEndpointGivesTheLatestOrAVersionAnd404WithoutOne() throws Exception {
    String topic = broker.uniqueTopic("endpoint");
    register(Schema.AVRO(PersonV1.class), topic);
    register(Schema.AVRO(PersonV2.class), topic);
    HttpResponse<String> latest = schemaOf(topic, "");
    assertThat(latest.statusCode()).as(latest.body()).isEqualTo(200);
    JsonObject body = json(latest);
    assertThat(body.getString("type")).isEqualTo("AVRO");
    assertThat(body.getLong("version")).isEqualTo(1L);
    assertThat(body.getJsonObject("schema").getString("type")).isEqualTo("record");
    assertThat(body.getJsonObject("schema").getJsonArray("fields")).hasSize(3);
    JsonObject first = json(schemaOf(topic, "?version=0"));
    assertThat(first.getLong("version")).isEqualTo(0L);
    assertThat(first.getJsonObject("schema").getJsonArray("fields")).hasSize(2);

    HttpResponse<String> none = schemaOf(broker.uniqueTopic("untyped"), "");
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(json(none).getString("error")).isEqualTo("SCHEMA_NOT_FOUND");
    assertThat(schemaOf(topic, "?version=9").statusCode()).isEqualTo(404);
  }

  @Test
  void withoutAnAnswerFromTheBrokersWebServiceTypedRequestsAre503AndBytesStillGo(@TempDir Path dir) throws Exception {
    String topic = broker.uniqueTopic("noweb");
    register(Schema.AVRO(PersonV1.class), topic);
    try (ProxyFixture cut = ProxyFixture.start(dir, broker.serviceUrl(), ProxyFixture.cfg("pulsar", "webServiceUrl",
        "http://127.0.0.1:" + ProxyProcess.freePort()))) {
      HttpResponse<String> typed = cut.postJson(producePath(topic),
          "{\"messages\":[{\"value\":{\"name\":\"a\",\"age\":1}}]}");
      assertThat(typed.statusCode()).as(typed.body()).isEqualTo(503);
      assertThat(json(typed).getString("error")).isEqualTo("BROKER_UNAVAILABLE");
      assertThat(typed.headers().firstValue("Retry-After")).isPresent();
      HttpResponse<String> endpoint = cut.get(cut.url("/api/v1/topics/" + topic.replace("://", "/") + "/schema"));
      assertThat(endpoint.statusCode()).as(endpoint.body()).isEqualTo(503);

      String untyped = broker.uniqueTopic("noweb-bytes");
      HttpResponse<String> bytes = cut.postJson(producePath(untyped), "{\"messages\":[{\"text\":\"hi\"}]}");
      assertThat(bytes.statusCode()).as(bytes.body()).isEqualTo(200);
      try (Consumer<byte[]> consumer = subscribe(Schema.BYTES, untyped)) {
        assertThat(new String(receive(consumer).getValue())).isEqualTo("hi");
      }
    }
  }

  @Test
  void valuesToATopicWithoutSchemaStayJsonText() throws Exception {
    String topic = broker.uniqueTopic("untyped");
    for (int round = 0; round < 2; round++) {
      HttpResponse<String> response = produce(topic, "{\"messages\":[{\"value\":{\"a\":" + round + "}}]}");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(json(response).getJsonArray("results").getJsonObject(0).containsKey("schemaVersion")).isFalse();
    }
    try (Consumer<byte[]> consumer = subscribe(Schema.BYTES, topic)) {
      assertThat(new String(receive(consumer).getValue())).isEqualTo("{\"a\":0}");
      assertThat(new String(receive(consumer).getValue())).isEqualTo("{\"a\":1}");
    }
  }

  @Test
  void protobufNativeFromADescriptorGivenWithTheRequest() throws Exception {
    String topic = broker.uniqueTopic("proto");
    com.google.protobuf.DescriptorProtos.FileDescriptorProto file =
        com.google.protobuf.DescriptorProtos.FileDescriptorProto.newBuilder()
            .setName("reading.proto").setPackage("it").setSyntax("proto3")
            .addMessageType(com.google.protobuf.DescriptorProtos.DescriptorProto.newBuilder().setName("Reading")
                .addField(field("sensor_id", 1, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type
                    .TYPE_STRING))
                .addField(field("value", 2, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type
                    .TYPE_DOUBLE))
                .addField(field("count", 3, com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type
                    .TYPE_INT64)))
            .build();
    String descriptorSet = java.util.Base64.getEncoder().encodeToString(
        com.google.protobuf.DescriptorProtos.FileDescriptorSet.newBuilder().addFile(file).build().toByteArray());
    JsonObject schema = new JsonObject().put("fileDescriptorSet", descriptorSet)
        .put("rootMessageTypeName", "it.Reading").put("rootFileDescriptorName", "reading.proto");
    JsonObject request = new JsonObject()
        .put("valueSchema", new JsonObject().put("type", "PROTOBUF_NATIVE").put("schema", schema))
        .put("messages", new JsonArray().add(new JsonObject().put("value",
            new JsonObject().put("sensor_id", "s-1").put("value", 21.5).put("count", "42"))));
    HttpResponse<String> response = produce(topic, request.encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    try (Consumer<GenericRecord> consumer = subscribe(Schema.AUTO_CONSUME(), topic)) {
      GenericRecord r = receive(consumer).getValue();
      assertThat(r.getSchemaType()).isEqualTo(org.apache.pulsar.common.schema.SchemaType.PROTOBUF_NATIVE);
      assertThat(r.getField("sensor_id")).isEqualTo("s-1");
      assertThat(r.getField("value")).isEqualTo(21.5);
      assertThat(r.getField("count")).isEqualTo(42L);
    }
    HttpResponse<String> bad = produce(topic, new JsonObject().put("messages", new JsonArray().add(
        new JsonObject().put("value", new JsonObject().put("sensor_id", 5).put("nope", 1)))).encode());
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    assertThat(json(bad).getString("error")).isEqualTo("SCHEMA_MISMATCH");
    assertThat(json(bad).getJsonArray("details").getJsonObject(0).getString("field"))
        .isEqualTo("messages[0].value");
  }

  @Test
  void aWebSocketProducerWithValueFormatJsonSendsTypedValuesAndAcksTheirSchemaVersion() throws Exception {
    String topic = broker.uniqueTopic("ws-avro");
    register(Schema.AVRO(PersonV1.class), topic);
    register(Schema.AVRO(PersonV2.class), topic);
    WebSocketAppIT.Listener acks = new WebSocketAppIT.Listener();
    java.net.http.WebSocket socket = proxy.http.newWebSocketBuilder().buildAsync(java.net.URI.create(
            "ws://127.0.0.1:" + proxy.app.httpPort() + "/ws/v2/producer/" + topic.replace("://", "/")
                + "?valueFormat=json"), acks).get(30, TimeUnit.SECONDS);
    // The JDK's WebSocket refuses a send while the previous one is pending: wait for each.
    socket.sendText(new JsonObject().put("context", "c1").put("key", "k1")
        .put("value", new JsonObject().put("name", "ann").put("age", 30).put("city", "Oslo")).encode(), true)
        .get(30, TimeUnit.SECONDS);
    socket.sendText(new JsonObject().put("context", "c2")
        .put("value", new JsonObject().put("name", "bob").put("age", "old")).encode(), true)
        .get(30, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> acks.messages.size() == 2);
    JsonObject ok = acks.messages.get(0);
    assertThat(ok.getString("result")).as(ok.encode()).isEqualTo("ok");
    assertThat(ok.getString("context")).isEqualTo("c1");
    assertThat(ok.getLong("schemaVersion")).isEqualTo(1L);
    JsonObject refused = acks.messages.get(1);
    assertThat(refused.getString("result")).isEqualTo("send-error:7");
    assertThat(refused.getString("errorMsg")).isEqualTo("value.age: expected int, got string");
    socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done");
    try (Consumer<PersonV2> consumer = subscribe(Schema.AVRO(PersonV2.class), topic)) {
      Message<PersonV2> m = receive(consumer);
      assertThat(m.getKey()).isEqualTo("k1");
      assertThat(m.getValue().name).isEqualTo("ann");
      assertThat(m.getValue().city).isEqualTo("Oslo");
      assertThat(consumer.receive(2, TimeUnit.SECONDS)).as("the refused frame was not sent").isNull();
    }
  }

  private static com.google.protobuf.DescriptorProtos.FieldDescriptorProto field(String name, int number,
      com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type type) {
    return com.google.protobuf.DescriptorProtos.FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
        .setType(type).setLabel(com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label.LABEL_OPTIONAL)
        .build();
  }
}
