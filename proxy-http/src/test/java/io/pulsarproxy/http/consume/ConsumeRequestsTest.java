package io.pulsarproxy.http.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.HttpConsumerConfig;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.topic.Topic;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.junit.jupiter.api.Test;

class ConsumeRequestsTest {
  private static final HttpConsumerConfig LIMITS = ConfigLoader.build(new JsonObject()
      .put("httpConsumer", new JsonObject().put("maxMessages", 50).put("maxWait", "2s"))).httpConsumer();
  private static final Topic TOPIC = Topic.parse("persistent://public/default/t");
  /** A non-batched id: ledger 1, entry 2. */
  private static final String ID = "CAEQAjAA";

  private static List<String> fields(Runnable parse) {
    return catchThrowableOfType(ProxyException.class, parse::run).details().stream()
        .map(ProxyException.Detail::field).toList();
  }

  @Test
  void aSubscriptionTakesItsOptionsAndDefaults() {
    ConsumeRequests.Subscribe s = ConsumeRequests.subscribe(new JsonObject("""
        {"topics":["persistent://public/default/a","non-persistent://t/n/b"],"subscription":"sub",
         "subscriptionType":"key_shared","initialPosition":"Earliest","ackTimeoutMs":1000,
         "negativeAckRedeliveryDelayMs":0,"deadLetter":{"maxRedeliverCount":3},"format":"json","name":"c1"}"""),
        LIMITS);
    assertThat(s.spec().topics()).containsExactly("persistent://public/default/a", "non-persistent://t/n/b");
    assertThat(s.spec().subscriptionType()).isEqualTo(SubscriptionType.Key_Shared);
    assertThat(s.spec().initialPosition()).isEqualTo(SubscriptionInitialPosition.Earliest);
    assertThat(s.spec().receiverQueueSize()).isEqualTo(50);
    assertThat(s.spec().ackTimeoutMs()).isEqualTo(1000);
    assertThat(s.spec().maxRedeliverCount()).isEqualTo(3);
    assertThat(s.spec().deadLetterTopic()).isNull();
    assertThat(s.spec().consumerName()).isEqualTo("c1");
    assertThat(s.format()).isEqualTo(BodyFormat.JSON);

    ConsumeRequests.Subscribe defaults = ConsumeRequests.subscribe(
        new JsonObject().put("topicsPattern", "persistent://public/default/x-.*").put("subscription", "s"), LIMITS);
    assertThat(defaults.spec().topicsPattern()).isEqualTo("persistent://public/default/x-.*");
    assertThat(defaults.spec().subscriptionType()).isEqualTo(SubscriptionType.Exclusive);
    assertThat(defaults.spec().initialPosition()).isEqualTo(SubscriptionInitialPosition.Latest);
    assertThat(defaults.format()).isEqualTo(BodyFormat.BASE64);
  }

  @Test
  void everyProblemOfASubscriptionIsReportedAtOnce() {
    assertThat(fields(() -> ConsumeRequests.subscribe(new JsonObject("""
        {"topic":"t","subscriptionType":"x","receiverQueueSize":51,"ackTimeoutMs":10,"format":"yaml"}"""), LIMITS)))
        .containsExactly("topic", "subscription", "subscriptionType", "receiverQueueSize", "ackTimeoutMs", "format");
  }

  @Test
  void pollsAndReadsAreBoundedByTheConfiguration() throws Exception {
    ConsumeRequests.Poll poll = ConsumeRequests.poll(MultiMap.caseInsensitiveMultiMap(), LIMITS);
    assertThat(poll.max()).isEqualTo(50);
    assertThat(poll.waitMs()).isEqualTo(2000);
    assertThat(fields(() -> ConsumeRequests.poll(query("max", "51", "waitMs", "2001"), LIMITS)))
        .containsExactly("max", "waitMs");

    ConsumeRequests.Read fromId = ConsumeRequests.read(TOPIC, query("from", ID, "max", "5"), LIMITS);
    assertThat(fromId.spec().startMessageId()).isEqualTo(MessageId.fromByteArray(java.util.Base64.getDecoder()
        .decode(ID)));
    assertThat(fromId.spec().startInclusive()).isFalse();
    ConsumeRequests.Read fromTime = ConsumeRequests.read(TOPIC, query("from", "1700000000000"), LIMITS);
    assertThat(fromTime.spec().startTimestamp()).isEqualTo(1_700_000_000_000L);
    assertThat(ConsumeRequests.read(TOPIC, query("from", "LATEST"), LIMITS).spec().startMessageId())
        .isEqualTo(MessageId.latest);
    assertThat(fields(() -> ConsumeRequests.read(TOPIC, query("from", "soon"), LIMITS))).containsExactly("from");
  }

  @Test
  void acksAndSeeksTakeExactlyOneForm() {
    assertThat(ConsumeRequests.ack(new JsonObject().put("upTo", ID)).upTo()).isEqualTo(ID);
    assertThat(ConsumeRequests.ack(new JsonObject("{\"messageIds\":[\"" + ID + "\"]}")).messageIds())
        .containsExactly(ID);
    assertThat(fields(() -> ConsumeRequests.ack(new JsonObject("{\"messageIds\":[\"" + ID + "\",\"x\"]}"))))
        .containsExactly("messageIds[1]");
    assertThat(ConsumeRequests.seek(new JsonObject().put("timestamp", 5)).timestamp()).isEqualTo(5);
    assertThat(fields(() -> ConsumeRequests.seek(new JsonObject()))).containsExactly("messageId");
  }

  @Test
  void aStreamReadsItsOptionsFromTheQuery() {
    ConsumeRequests.Stream stream = ConsumeRequests.stream(TOPIC, "sub",
        query("ack", "client", "subscriptionType", "Failover", "deadLetterMaxRedeliverCount", "2"), LIMITS);
    assertThat(stream.clientAck()).isTrue();
    assertThat(stream.spec().topics()).containsExactly(TOPIC.fullName());
    assertThat(stream.spec().subscriptionType()).isEqualTo(SubscriptionType.Failover);
    assertThat(stream.spec().maxRedeliverCount()).isEqualTo(2);
    assertThat(fields(() -> ConsumeRequests.stream(TOPIC, "sub",
        query("deadLetterTopic", "persistent://public/default/d"), LIMITS)))
        .containsExactly("deadLetterMaxRedeliverCount");
  }

  @Test
  void anUnknownQueryParameterIsRefusedByName() {
    ProxyException e = catchThrowableOfType(ProxyException.class, () -> ConsumeRequests.stream(TOPIC, "sub",
        query("intialPosition", "Earliest", "format", "json"), LIMITS));
    assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("intialPosition");
    assertThat(e.getMessage()).startsWith("intialPosition: is not a parameter of this request (did you mean "
        + "initialPosition?); it takes ack, ackTimeoutMs, deadLetterMaxRedeliverCount");
    assertThat(fields(() -> ConsumeRequests.read(TOPIC, query("from", "earliest", "limit", "5"), LIMITS)))
        .containsExactly("limit");
    assertThat(fields(() -> ConsumeRequests.poll(query("wait", "5"), LIMITS))).containsExactly("wait");
    assertThat(fields(() -> ConsumeRequests.unsubscribe(query("unsubscibe", "true")))).containsExactly("unsubscibe");
    // Vert.x matches query names ignoring case: so does the check
    assertThat(ConsumeRequests.read(TOPIC, query("MAX", "5"), LIMITS).max()).isEqualTo(5);
  }

  @Test
  void aTopicThatIsNotAFullNameIsSaidOnce() {
    ProxyException e = catchThrowableOfType(ProxyException.class, () -> ConsumeRequests.subscribe(
        new JsonObject().put("topic", "orders").put("subscription", "s"), LIMITS));
    assertThat(e.getMessage())
        .isEqualTo("topic: 'orders' is not a full topic name (persistent://tenant/namespace/topic)");
    assertThat(fields(() -> ConsumeRequests.subscribe(
        new JsonObject().put("topic", "persistent://public/default/a b").put("subscription", "s"), LIMITS)))
        .containsExactly("topic");
  }

  private static MultiMap query(String... keysAndValues) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.add(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
