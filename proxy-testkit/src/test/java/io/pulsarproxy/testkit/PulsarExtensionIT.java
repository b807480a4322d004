package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PulsarExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PulsarExtensionIT {

  @Test
  void roundTripsTenMessagesThroughTheBroker(PulsarBroker pulsar) throws Exception {
    String topic = pulsar.uniqueTopic("roundtrip");
    try (PulsarClient client = pulsar.newClient();
        Consumer<byte[]> consumer = client.newConsumer()
            .topic(topic)
            .subscriptionName("roundtrip")
            .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
            .subscribe();
        Producer<byte[]> producer = client.newProducer().topic(topic).enableBatching(false).create()) {
      List<MessageId> sentIds = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sentIds.add(producer.send(payload(i)));
      }

      List<MessageId> receivedIds = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Message<byte[]> message = consumer.receive(30, TimeUnit.SECONDS);
        assertThat(message).as("message %d", i).isNotNull();
        assertThat(message.getData()).isEqualTo(payload(i));
        assertThat(message.getTopicName()).isEqualTo(topic);
        receivedIds.add(message.getMessageId());
        consumer.acknowledge(message);
      }
      assertThat(receivedIds).containsExactlyElementsOf(sentIds);
      assertThat(consumer.receive(200, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void exposesAdminClientAndUrlsOfTheSameBroker(PulsarBroker pulsar) throws Exception {
    assertThat(pulsar.serviceUrl()).startsWith("pulsar://");
    assertThat(pulsar.adminUrl()).startsWith("http");
    assertThat(pulsar.webSocketUrl()).startsWith("ws").endsWith(pulsar.adminUrl().replaceFirst("^http", ""));
    assertThat(pulsar.admin().tenants().getTenants()).contains("public");
    assertThat(pulsar.admin().namespaces().getNamespaces("public")).contains("public/default");

    String topic = pulsar.uniqueTopic("admin");
    try (PulsarClient client = pulsar.newClient();
        Producer<byte[]> producer = client.newProducer().topic(topic).create()) {
      producer.send(payload(0));
    }
    assertThat(pulsar.admin().topics().getList("public/default")).contains(topic);
    assertThat(pulsar.admin().topics().getStats(topic).getMsgInCounter()).isEqualTo(1);
  }

  @Test
  void injectsTheBrokerSharedByTheWholeJvm(PulsarBroker pulsar) {
    assertThat(pulsar).isSameAs(SharedPulsar.get());
    assertThat(pulsar.uniqueTopic("x")).matches("persistent://public/default/x-[0-9a-f]{12}");
    assertThat(pulsar.uniqueTopic("x")).isNotEqualTo(pulsar.uniqueTopic("x"));
  }

  static byte[] payload(int i) {
    return ("message-" + i + "-\u00e9").getBytes(StandardCharsets.UTF_8);
  }
}
