package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Extra standalone instances beside the shared one, as the standalone-process path provides them. */
@ExtendWith(PulsarExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StandalonePulsarIT {

  @Test
  void runsBesideTheSharedBrokerAndKeepsDataAcrossInstancesOnOneDirectory(PulsarBroker shared) throws Exception {
    Path dir = Path.of("target", "pulsar-standalone", "extra-" + UUID.randomUUID());
    startTwiceOnOneDirectory(shared, dir);
    // Kept when the test fails: the logs are in there.
    PulsarDistribution.deleteRecursively(dir);
  }

  private static void startTwiceOnOneDirectory(PulsarBroker shared, Path dir) throws Exception {
    String topic;
    int brokerPort;
    int webPort;
    try (StandalonePulsar extra = StandalonePulsar.startNew(dir)) {
      assertThat(extra.serviceUrl()).isNotEqualTo(shared.serviceUrl());
      assertThat(extra.adminUrl()).isNotEqualTo(shared.adminUrl());
      assertThat(extra.webSocketUrl()).isEqualTo("ws://127.0.0.1:" + extra.webPort());
      assertThat(extra.admin().clusters().getClusters()).contains("standalone");
      topic = extra.uniqueTopic("extra");
      brokerPort = extra.brokerPort();
      webPort = extra.webPort();
      try (PulsarClient client = extra.newClient();
          Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
        for (int i = 0; i < 3; i++) {
          producer.send(PulsarExtensionIT.payload(i));
        }
      }
      // The shared broker is untouched by the extra one.
      assertThat(shared.admin().topics().getList("public/default")).doesNotContain(topic);
    }

    try (StandalonePulsar again = StandalonePulsar.startNew(dir, brokerPort, webPort);
        PulsarClient client = again.newClient();
        Consumer<byte[]> consumer = client.newConsumer()
            .topic(topic)
            .subscriptionName("again")
            .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
            .subscribe()) {
      assertThat(again.serviceUrl()).isEqualTo("pulsar://127.0.0.1:" + brokerPort);
      for (int i = 0; i < 3; i++) {
        Message<byte[]> message = consumer.receive(30, TimeUnit.SECONDS);
        assertThat(message).as("message %d", i).isNotNull();
        assertThat(message.getData()).isEqualTo(PulsarExtensionIT.payload(i));
        consumer.acknowledge(message);
      }
    }
  }
}
