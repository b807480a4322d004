package io.pulsarproxy.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.produce.ProducerOptions;
import java.util.List;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.client.api.HashingScheme;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageRoutingMode;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionMode;
import org.apache.pulsar.client.api.SubscriptionType;
import org.junit.jupiter.api.Test;

class WsEndpointTest {
  private static WsEndpoint parse(String uri) {
    return WsEndpoint.parse(WsPath.parse(uri.split("\\?")[0]), QueryParams.ofUri(uri));
  }

  @Test
  void producerDefaultsAreThoseOfPulsarsWebSocketService() {
    ProducerOptions options = ((WsEndpoint.Producer) parse("/ws/v2/producer/persistent/p/d/t")).options();
    assertThat(options.batchingEnabled()).isFalse();
    assertThat(options.routingMode()).isEqualTo(MessageRoutingMode.SinglePartition);
    assertThat(options.producerName()).isNull();
    assertThat(options.exclusive()).isFalse();
  }

  @Test
  void producerParametersBecomeProducerOptions() {
    ProducerOptions options = ((WsEndpoint.Producer) parse("/ws/v2/producer/persistent/p/d/t?producerName=p1"
        + "&initialSequenceId=9&hashingScheme=Murmur3_32Hash&sendTimeoutMillis=1500"
        + "&messageRoutingMode=RoundRobinPartition&batchingEnabled=true&batchingMaxMessages=50"
        + "&maxPendingMessages=70&batchingMaxPublishDelay=5&compressionType=ZSTD&producerName=second")).options();
    assertThat(options).isEqualTo(new ProducerOptions("p1", 9L, HashingScheme.Murmur3_32Hash, 1500,
        MessageRoutingMode.RoundRobinPartition, true, 50, 5L, 70, CompressionType.ZSTD, null));
    assertThat(options.exclusive()).isTrue();
  }

  @Test
  void batchingParametersAreCheckedButDroppedWithoutBatchingSoThatSocketsShareAProducer() {
    ProducerOptions a = ((WsEndpoint.Producer) parse("/ws/v2/producer/persistent/p/d/t?batchingMaxMessages=5"))
        .options();
    ProducerOptions b = ((WsEndpoint.Producer) parse("/ws/v2/producer/persistent/p/d/t?messageRoutingMode="
        + "CustomPartition")).options();
    assertThat(a).isEqualTo(b);
    assertThat(a.batchingMaxMessages()).isNull();
  }

  @Test
  void consumerParametersBecomeTheSubscription() {
    WsEndpoint.Consumer consumer = (WsEndpoint.Consumer) parse("/ws/v2/consumer/persistent/p/d/t/s"
        + "?subscriptionType=Key_Shared&subscriptionMode=NonDurable&subscriptionInitialPosition=Earliest"
        + "&receiverQueueSize=5000&ackTimeoutMillis=1000&consumerName=c&priorityLevel=2"
        + "&negativeAckRedeliveryDelay=100&maxRedeliverCount=3&deadLetterTopic=dlq&pullMode=TRUE");
    assertThat(consumer.pullMode()).isTrue();
    var spec = consumer.spec();
    assertThat(spec.topics()).containsExactly("persistent://p/d/t");
    assertThat(spec.subscription()).isEqualTo("s");
    assertThat(spec.subscriptionType()).isEqualTo(SubscriptionType.Key_Shared);
    assertThat(spec.subscriptionMode()).isEqualTo(SubscriptionMode.NonDurable);
    assertThat(spec.initialPosition()).isEqualTo(SubscriptionInitialPosition.Earliest);
    assertThat(spec.receiverQueueSize()).isEqualTo(1000);
    assertThat(spec.ackTimeoutMs()).isEqualTo(1000);
    assertThat(spec.consumerName()).isEqualTo("c");
    assertThat(spec.priorityLevel()).isEqualTo(2);
    assertThat(spec.negativeAckRedeliveryDelayMs()).isEqualTo(100);
    assertThat(spec.maxRedeliverCount()).isEqualTo(3);
    assertThat(spec.deadLetterTopic()).isEqualTo("dlq");
  }

  @Test
  void v3TopicsAreListedOrMatched() {
    var listed = ((WsEndpoint.Consumer) parse("/ws/v3/consumer/s?topics=a,+tenant/ns/b,"
        + "non-persistent://t/n/c")).spec();
    assertThat(listed.topics()).containsExactly("persistent://public/default/a", "persistent://tenant/ns/b",
        "non-persistent://t/n/c");
    var matched = ((WsEndpoint.Consumer) parse("/ws/v3/consumer/s?topicsPattern=orders-.*")).spec();
    assertThat(matched.topicsPattern()).isEqualTo("persistent://public/default/orders-.*");
    assertThat(matched.topics()).isEmpty();
  }

  @Test
  void readerStartsLatestEarliestOrAfterAnId() {
    assertThat(((WsEndpoint.Reader) parse("/ws/v2/reader/persistent/p/d/t")).spec().startMessageId())
        .isEqualTo(MessageId.latest);
    assertThat(((WsEndpoint.Reader) parse("/ws/v2/reader/persistent/p/d/t?messageId=earliest")).spec()
        .startMessageId()).isEqualTo(MessageId.earliest);
    var fromId = ((WsEndpoint.Reader) parse("/ws/v2/reader/persistent/p/d/t?messageId=CAEQAjAA&receiverQueueSize=7"))
        .spec();
    assertThat(MessageIds.encode(fromId.startMessageId())).isEqualTo("CAEQAjAA");
    assertThat(fromId.startInclusive()).isFalse();
    assertThat(fromId.receiverQueueSize()).isEqualTo(7);
  }

  @Test
  void badValuesAre400sNamingTheParameter() {
    for (String bad : List.of("/ws/v2/consumer/persistent/p/d/t/s?subscriptionType=exclusive",
        "/ws/v2/consumer/persistent/p/d/t/s?ackTimeoutMillis=999",
        "/ws/v2/consumer/persistent/p/d/t/s?deadLetterTopic=x",
        "/ws/v2/consumer/persistent/p/d/t/s?receiverQueueSize=x",
        "/ws/v3/consumer/s?topics=,",
        "/ws/v2/reader/persistent/p/d/t?messageId=%%%",
        "/ws/v2/producer/persistent/p/d/t?encryptionKeys=k",
        "/ws/v2/consumer/persistent/p/d/t/s?valueFormat=JSON",
        "/ws/v2/reader/persistent/p/d/t?valueFormat=text")) {
      assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOfSatisfying(ProxyException.class, e -> {
        assertThat(e.code().httpStatus()).isEqualTo(400);
        assertThat(e.details()).isNotEmpty();
      });
    }
  }

  @Test
  void valueFormatJsonOptsConsumersAndReadersIntoDecodedValues() {
    assertThat(((WsEndpoint.Consumer) parse("/ws/v2/consumer/persistent/p/d/t/s")).decodeValues()).isFalse();
    assertThat(((WsEndpoint.Consumer) parse("/ws/v2/consumer/persistent/p/d/t/s?valueFormat=base64")).decodeValues())
        .isFalse();
    assertThat(((WsEndpoint.Consumer) parse("/ws/v2/consumer/persistent/p/d/t/s?valueFormat=json")).decodeValues())
        .isTrue();
    assertThat(((WsEndpoint.Reader) parse("/ws/v2/reader/persistent/p/d/t")).decodeValues()).isFalse();
    assertThat(((WsEndpoint.Reader) parse("/ws/v2/reader/persistent/p/d/t?valueFormat=json")).decodeValues()).isTrue();
  }
}
