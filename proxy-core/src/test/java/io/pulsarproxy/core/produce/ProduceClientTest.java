package io.pulsarproxy.core.produce;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.bus.BusErrors;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.topic.Topic;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.MessageId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The produce service's client against a real event bus, with a test handler standing in for the service. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ProduceClientTest {
  private static final Topic TOPIC = Topic.parse("persistent://public/default/client-test");

  private ProduceClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    Codecs.register(vertx);
    client = new ProduceClient(vertx, config("pulsar:\n  operationTimeout: 2s\nproducer:\n  sendTimeout: 7s\n"));
  }

  static ProxyConfig config(String yaml) {
    return ConfigLoader.build(ConfigLoader.merge(ConfigLoader.parseYaml(yaml, "test"), Map.of(), new Properties()));
  }

  @Test
  void completesWithTheResultOfEveryMessageInOrder(Vertx vertx, VertxTestContext test) {
    MessageId first = MessageId.earliest;
    ProxyException refused = new ProxyException(ErrorCode.TOPIC_NOT_FOUND, "no such topic");
    vertx.eventBus().<ProduceRequest>consumer(Addresses.PRODUCE, msg -> {
      List<OutgoingMessage> messages = msg.body().messages();
      msg.reply(new ProduceReply(messages.size() == 2
          ? List.of(ProduceResult.ok(first), ProduceResult.failed(refused)) : List.of()), Codecs.LOCAL);
    });
    client.send(new ProduceRequest(TOPIC, ProducerOptions.DEFAULTS,
            List.of(OutgoingMessage.of(bytes("a")), OutgoingMessage.of(bytes("b")))))
        .onComplete(test.succeeding(reply -> test.verify(() -> {
          assertThat(reply.results()).hasSize(2);
          assertThat(reply.results().get(0).messageId()).isEqualTo(first);
          assertThat(reply.results().get(1).error()).isSameAs(refused);
          test.completeNow();
        })));
  }

  @Test
  void opensAProducerAndAnswersWithTheNameTheBrokerGaveIt(Vertx vertx, VertxTestContext test) {
    Secret token = new Secret("t0ken");
    vertx.eventBus().<ProducerCommand>consumer(Addresses.PRODUCERS, msg -> msg.reply(
        msg.body() instanceof ProducerCommand.Open open && open.topic().equals(TOPIC)
            && token.equals(open.options().token())
            ? new ProducerOpened("standalone-0-7", null)
            : new ProducerOpened(null, new ProxyException(ErrorCode.BAD_REQUEST, "unexpected " + msg.body())),
        Codecs.LOCAL));
    client.open(TOPIC, ProducerOptions.DEFAULTS.withToken(token))
        .onComplete(test.succeeding(name -> test.verify(() -> {
          assertThat(name).isEqualTo("standalone-0-7");
          test.completeNow();
        })));
  }

  @Test
  void failsWithTheServicesErrorWhenTheProducerCannotBeOpened(Vertx vertx, VertxTestContext test) {
    ProxyException taken = new ProxyException(ErrorCode.CONFLICT, "producer name taken");
    vertx.eventBus().consumer(Addresses.PRODUCERS, msg -> msg.reply(new ProducerOpened(null, taken), Codecs.LOCAL));
    client.open(TOPIC, new ProducerOptions("fixed")).onComplete(test.failing(err -> test.verify(() -> {
      assertThat(err).isSameAs(taken);
      assertThat(BusErrors.unanswered(err)).isFalse();
      test.completeNow();
    })));
  }

  @Test
  void releasesTheProducerItOpened(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().<ProducerCommand>consumer(Addresses.PRODUCERS, msg -> test.verify(() -> {
      assertThat(msg.body()).isEqualTo(new ProducerCommand.Release(TOPIC, new ProducerOptions("fixed")));
      test.completeNow();
    }));
    client.release(TOPIC, new ProducerOptions("fixed"));
  }

  @Test
  void failsAsShuttingDownWhenTheServiceIsNotRunning(VertxTestContext test) {
    client.send(new ProduceRequest(TOPIC, ProducerOptions.DEFAULTS, List.of(OutgoingMessage.of(bytes("a")))))
        .onComplete(test.failing(err -> test.verify(() -> {
          assertThat(err).isInstanceOf(ProxyException.class);
          assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.SHUTTING_DOWN);
          assertThat(err).hasMessage("the produce service is not running");
          assertThat(BusErrors.unanswered(err)).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void waitsForASendAsLongAsItsProducersSendTimeoutAndALookupAllow() {
    ProducerOptions own = new ProducerOptions(null, null, null, 1_500, null, null, null, null, null, null, null);
    assertThat(client.sendTimeoutMs(ProducerOptions.DEFAULTS)).isEqualTo(7_000 + 2_000 + 5_000);
    assertThat(client.sendTimeoutMs(own)).isEqualTo(1_500 + 2_000 + 5_000);
    client.reconfigure(config("pulsar:\n  operationTimeout: 3s\n"));
    assertThat(client.sendTimeoutMs(ProducerOptions.DEFAULTS)).isEqualTo(30_000 + 3_000 + 5_000);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
