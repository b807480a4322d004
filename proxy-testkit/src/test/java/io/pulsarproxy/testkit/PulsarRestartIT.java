package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Fault injection on the shared broker: it must come back on the same ports with its data. */
@ExtendWith(PulsarExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PulsarRestartIT {

  @Test
  void keepsMessagesAndServesOldClientsAfterStopAndStart(PulsarBroker pulsar) throws Exception {
    assumeTrue(pulsar.controllable(), "the broker is not started by the testkit");
    restartWhileClientsAreConnected(pulsar, pulsar::stop);
  }

  @Test
  void keepsAcknowledgedMessagesAfterKillAndStart(PulsarBroker pulsar) throws Exception {
    assumeTrue(pulsar.controllable(), "the broker is not started by the testkit");
    restartWhileClientsAreConnected(pulsar, pulsar::kill);
  }

  private static void restartWhileClientsAreConnected(PulsarBroker pulsar, Runnable takeDown) throws Exception {
    String topic = pulsar.uniqueTopic("restart");
    try (PulsarClient client = pulsar.newClient();
        Consumer<byte[]> consumer = client.newConsumer()
            .topic(topic)
            .subscriptionName("restart")
            .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
            .subscribe();
        Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < 5; i++) {
        producer.send(PulsarExtensionIT.payload(i));
      }

      takeDown.run();
      assertThatThrownBy(() -> connect(pulsar.serviceUrl())).isInstanceOf(IOException.class);

      pulsar.start();
      assertThat(pulsar.admin().namespaces().getNamespaces("public")).contains("public/default");
      await().atMost(Duration.ofSeconds(60)).until(producer::isConnected);
      for (int i = 5; i < 10; i++) {
        producer.send(PulsarExtensionIT.payload(i));
      }

      // At least once: messages the consumer had fetched before the broker went down may come again after it is back
      // (the acknowledgements of a killed broker can be lost). Each message once, in order, is what must hold.
      Map<String, byte[]> received = new LinkedHashMap<>();
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        Message<byte[]> message = consumer.receive(1, TimeUnit.SECONDS);
        if (message != null) {
          received.putIfAbsent(Arrays.toString(message.getData()), message.getData());
          consumer.acknowledge(message);
        }
        return received.size() >= 10;
      });
      List<byte[]> distinct = new ArrayList<>(received.values());
      for (int i = 0; i < 10; i++) {
        assertThat(distinct.get(i)).as("message %d", i).isEqualTo(PulsarExtensionIT.payload(i));
      }
      assertThat(distinct).hasSize(10);
    }
  }

  private static void connect(String serviceUrl) throws IOException {
    URI uri = URI.create(serviceUrl);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
    }
  }
}
