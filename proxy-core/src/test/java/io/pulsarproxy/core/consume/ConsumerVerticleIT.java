package io.pulsarproxy.core.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.supervisor.SupervisorVerticle;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The consume service against a real broker: permits bound delivery exactly, acks go to Pulsar. */
@ExtendWith(PulsarExtension.class)
class ConsumerVerticleIT {
  private Vertx vertx;
  private PulsarClient client;
  private PulsarBroker broker;
  /** The messages of session s1's Delivered events, in order. */
  private final List<InboundMessage> messages = new CopyOnWriteArrayList<>();
  /**
   * Every message delivered to s1 or s2 as "s1:payload", in the order the consume service sent them: both sessions'
   * events are handled on one context, so a message in this log came before every message after it.
   */
  private final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start(PulsarBroker pulsar) throws Exception {
    broker = pulsar;
    client = pulsar.newClient();
    vertx = Vertx.vertx();
    // Acknowledgements go to the broker at once, not gathered for 100 ms: a test sees the effect of each one, and
    // one sent too early is sent at the moment it would be lost.
    ProxyConfig config = ConfigLoader.build(new JsonObject()
        .put("pulsar", new JsonObject().put("serviceUrl", pulsar.serviceUrl()))
        .put("consumer", new JsonObject().put("ackGroupTime", "0ms")));
    SupervisorVerticle supervisor = new SupervisorVerticle(config, ProxyMetrics.noop());
    sync(vertx.deployVerticle(supervisor));
    sync(vertx.deployVerticle(new ConsumerVerticle(config, supervisor.clients(), ProxyMetrics.noop())));
    Context events = vertx.getOrCreateContext();
    CompletableFuture<Void> registered = new CompletableFuture<>();
    events.runOnContext(v -> {
      vertx.eventBus().<SessionEvent>consumer(Addresses.session("s1"), m -> {
        if (m.body() instanceof SessionEvent.Delivered d) {
          messages.addAll(d.messages());
          d.messages().forEach(message -> log.add("s1:" + text(message)));
        }
      });
      vertx.eventBus().<SessionEvent>consumer(Addresses.session("s2"), m -> {
        if (m.body() instanceof SessionEvent.Delivered d) {
          d.messages().forEach(message -> log.add("s2:" + text(message)));
        }
      });
      registered.complete(null);
    });
    registered.get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    sync(vertx.close());
    client.close();
  }

  @Test
  void deliversExactlyThePermittedMessagesAndAcknowledgesThem() throws Exception {
    String topic = broker.uniqueTopic("consume");
    ConsumerSpec spec = ConsumerSpec.of(topic, "sub").withInitialPosition(SubscriptionInitialPosition.Earliest);
    assertThat(command(new ConsumerCommand.Open("s1", spec)).isOk()).isTrue();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).create()) {
      for (int i = 0; i < 5; i++) {
        producer.send(("m" + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    command(new ConsumerCommand.Permit("s1", 2));
    await().atMost(Duration.ofSeconds(20)).until(() -> messages.size() >= 2);
    // No further message arrives without a permit, however long s1 waits. "Long enough" is a later event: s2 reads
    // the whole topic through the same client and service. The broker sent s1 its messages before s2 subscribed, so
    // anything s1 received beyond its permits would be in the log before s2's last message.
    readWholeTopicAsSecondSession(topic, 5);
    assertThat(log).containsExactly("s1:m0", "s1:m1", "s2:m0", "s2:m1", "s2:m2", "s2:m3", "s2:m4");
    // A third permit, with the acks, brings exactly the third message; the same later event bounds what follows it.
    command(new ConsumerCommand.Ack("s1", List.of(delivered(0).messageId(), delivered(1).messageId()), 1));
    await().atMost(Duration.ofSeconds(20)).until(() -> messages.size() >= 3);
    command(new ConsumerCommand.Close("s2", true));
    log.clear();
    readWholeTopicAsSecondSession(topic, 5);
    assertThat(messages).extracting(ConsumerVerticleIT::text).containsExactly("m0", "m1", "m2");

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
        broker.admin().topics().getStats(topic).getSubscriptions().get("sub").getMsgBacklog()).isEqualTo(3));
    assertThat(command(new ConsumerCommand.IsEndOfTopic("s1")).value()).isEqualTo(false);
    assertThat(command(new ConsumerCommand.Close("s1", true)).isOk()).isTrue();
    assertThat(broker.admin().topics().getSubscriptions(topic)).doesNotContain("sub");
  }

  @Test
  void deliversInPulsarsOrderWithManyReceivesInFlight() throws Exception {
    String topic = broker.uniqueTopic("order");
    List<MessageId> sent = new ArrayList<>();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < 300; i++) {
        sent.add(producer.send(("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    ReaderSpec spec = new ReaderSpec(topic, null, 1000, MessageId.earliest, false, null);
    assertThat(command(new ConsumerCommand.Open("s1", spec)).isOk()).isTrue();
    // permits in several grants, so that receives are asked while others are still on their way
    for (int i = 0; i < 10; i++) {
      command(new ConsumerCommand.Permit("s1", 25));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> messages.size() == 250);
    assertThat(messages).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
        .containsExactlyElementsOf(IntStream.range(0, 250).mapToObj(i -> "m" + i).toList());
    assertThat(messages).extracting(InboundMessage::messageId)
        .containsExactlyElementsOf(sent.subList(0, 250).stream().map(MessageIds::encode).toList());
    // 250 permits, 250 messages: the receives asked ahead never go past the permits, as a later event shows
    assertThat(command(new ConsumerCommand.HasMessageAvailable("s1")).value()).isEqualTo(true);
    readWholeTopicAsSecondSession(topic, 300);
    assertThat(messages).hasSize(250);
  }

  @Test
  void aReaderStartsAfterTheGivenId() throws Exception {
    String topic = broker.uniqueTopic("read");
    MessageId first;
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      first = producer.send("a".getBytes(StandardCharsets.UTF_8));
      producer.send("b".getBytes(StandardCharsets.UTF_8));
    }
    ReaderSpec spec = new ReaderSpec(topic, null, 10, first, false, null);
    assertThat(command(new ConsumerCommand.Open("s1", spec)).isOk()).isTrue();
    command(new ConsumerCommand.Permit("s1", 10));
    await().atMost(Duration.ofSeconds(20)).until(() -> messages.size() == 1);
    assertThat(new String(delivered(0).payload(), StandardCharsets.UTF_8)).isEqualTo("b");
  }

  @Test
  void anAcknowledgementSentWhenASeekAnswersCounts() throws Exception {
    String topic = broker.uniqueTopic("seek-ack");
    List<String> ids = new ArrayList<>();
    try (Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < 4; i++) {
        ids.add(MessageIds.encode(producer.send(("m" + i).getBytes(StandardCharsets.UTF_8))));
      }
    }
    ConsumerSpec spec = ConsumerSpec.of(topic, "sub").withInitialPosition(SubscriptionInitialPosition.Earliest);
    assertThat(command(new ConsumerCommand.Open("s1", spec)).isOk()).isTrue();
    // Each round moves the subscription back, so the broker closes and re-opens its consumer; acknowledging all from
    // the message sought to leaves nothing behind only if the broker took every acknowledgement.
    for (int round = 0; round < 10; round++) {
      assertThat(command(new ConsumerCommand.Seek("s1", ids.get(1), null)).isOk()).isTrue();
      assertThat(command(new ConsumerCommand.Ack("s1", ids.subList(1, 4), 0)).isOk()).isTrue();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
          broker.admin().topics().getStats(topic).getSubscriptions().get("sub").getMsgBacklog()).isZero());
    }
  }

  @Test
  void refusesATakenExclusiveSubscription() throws Exception {
    String topic = broker.uniqueTopic("exclusive");
    try (var taken = client.newConsumer().topic(topic).subscriptionName("sub").subscribe()) {
      CommandReply reply = command(new ConsumerCommand.Open("s1", ConsumerSpec.of(topic, "sub")));
      assertThat(reply.error().code().httpStatus()).isEqualTo(409);
    }
  }

  /** Opens session s2 on {@code topic} with a new subscription and waits until it delivered all {@code count}. */
  private void readWholeTopicAsSecondSession(String topic, int count) throws Exception {
    ConsumerSpec marker = ConsumerSpec.of(topic, "marker-" + System.nanoTime())
        .withInitialPosition(SubscriptionInitialPosition.Earliest);
    assertThat(command(new ConsumerCommand.Open("s2", marker)).isOk()).isTrue();
    command(new ConsumerCommand.Permit("s2", count));
    await().atMost(Duration.ofSeconds(20)).until(() -> log.contains("s2:m" + (count - 1)));
  }

  private static String text(InboundMessage message) {
    return new String(message.payload(), StandardCharsets.UTF_8);
  }

  private InboundMessage delivered(int i) {
    return messages.get(i);
  }

  private CommandReply command(ConsumerCommand command) throws Exception {
    return sync(vertx.eventBus().<CommandReply>request(Addresses.CONSUMER, command, Codecs.LOCAL)).body();
  }

  private static <T> T sync(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
