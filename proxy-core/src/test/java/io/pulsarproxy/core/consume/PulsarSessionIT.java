package io.pulsarproxy.core.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a session reads of a real Pulsar consumer's queue to decide how many receives to ask. */
@ExtendWith(PulsarExtension.class)
class PulsarSessionIT {
  @Test
  void readsTheQueueOfAConsumerOfOneTopicAndAsksOneMore(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("queue");
    try (PulsarClient client = broker.clientBuilder().statsInterval(60, TimeUnit.SECONDS).build();
        Consumer<byte[]> consumer = client.newConsumer().topic(topic).subscriptionName("sub")
            .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe()) {
      try (Producer<byte[]> producer = client.newProducer().topic(topic).create()) {
        for (int i = 0; i < 5; i++) {
          producer.send(("m" + i).getBytes(StandardCharsets.UTF_8));
        }
      }
      var queued = PulsarSession.queueOf(consumer);
      await().atMost(Duration.ofSeconds(20)).until(() -> Integer.valueOf(5).equals(queued.get()));
      PulsarSession session = new PulsarSession("s", "a", null, consumer, null, null, 100, 16, queued, false);
      session.permits = 1000;
      while (session.canReceive()) {
        session.pending.addLast(session.next());
      }
      assertThat(session.pending).hasSize(6);
      // Five take the messages Pulsar held, the sixth waits for one more.
      for (int i = 0; i < 5; i++) {
        assertThat(session.pending.pollFirst().get(20, TimeUnit.SECONDS).getData())
            .isEqualTo(("m" + i).getBytes(StandardCharsets.UTF_8));
      }
      assertThat(session.pending.peekFirst()).isNotDone();
    }
  }

  @Test
  void cannotSeeTheQueueOfAConsumerOfSeveralTopicsOrWithoutStatistics(PulsarBroker broker) throws Exception {
    try (PulsarClient client = broker.clientBuilder().statsInterval(60, TimeUnit.SECONDS).build();
        Consumer<byte[]> several = client.newConsumer().topic(broker.uniqueTopic("a"), broker.uniqueTopic("b"))
            .subscriptionName("sub").subscribe()) {
      assertThat(PulsarSession.queueOf(several).get()).isNull();
    }
    try (PulsarClient client = broker.clientBuilder().statsInterval(0, TimeUnit.SECONDS).build();
        Consumer<byte[]> quiet = client.newConsumer().topic(broker.uniqueTopic("c")).subscriptionName("sub")
            .subscribe()) {
      assertThat(PulsarSession.queueOf(quiet).get()).isNull();
    }
  }
}
