package io.pulsarproxy.core.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The consume service's client against a real event bus, with a test handler standing in for the service. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ConsumerClientTest {
  private ConsumerClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    Codecs.register(vertx);
    client = new ConsumerClient(vertx, config("pulsar:\n  operationTimeout: 100ms\n"));
  }

  private static ProxyConfig config(String yaml) {
    return ConfigLoader.build(ConfigLoader.merge(ConfigLoader.parseYaml(yaml, "test"), Map.of(), new Properties()));
  }

  /** Answers every command with {@code reply}, and keeps the commands. */
  private static List<ConsumerCommand> service(Vertx vertx, CommandReply reply) {
    List<ConsumerCommand> received = new CopyOnWriteArrayList<>();
    vertx.eventBus().<ConsumerCommand>consumer(Addresses.CONSUMER, msg -> {
      received.add(msg.body());
      msg.reply(reply, Codecs.LOCAL);
    });
    return received;
  }

  @Test
  void opensTheSessionWithTheSpecAndTheBrokerToken(Vertx vertx, VertxTestContext test) {
    List<ConsumerCommand> received = service(vertx, CommandReply.OK);
    ConsumerSpec spec = ConsumerSpec.of("persistent://public/default/t", "sub");
    Secret token = new Secret("t0ken");
    client.open("s-1", spec, token).onComplete(test.succeeding(v -> test.verify(() -> {
      assertThat(received).containsExactly(new ConsumerCommand.Open("s-1", spec, token));
      test.completeNow();
    })));
  }

  @Test
  void answersWhetherTheTopicEndedWithTheServicesValue(Vertx vertx, VertxTestContext test) {
    service(vertx, CommandReply.of(true));
    client.isEndOfTopic("s-1").onComplete(test.succeeding(reached -> test.verify(() -> {
      assertThat(reached).isTrue();
      test.completeNow();
    })));
  }

  @Test
  void answersWhetherAReaderHasMoreWithTheServicesValue(Vertx vertx, VertxTestContext test) {
    service(vertx, CommandReply.of(false));
    client.hasMessageAvailable("s-1").onComplete(test.succeeding(more -> test.verify(() -> {
      assertThat(more).isFalse();
      test.completeNow();
    })));
  }

  @Test
  void failsWithTheServicesOwnErrorWhichCountsAsAnswered(Vertx vertx, VertxTestContext test) {
    ProxyException gone = new ProxyException(ErrorCode.NOT_FOUND, "no session s-1");
    service(vertx, CommandReply.failed(gone));
    client.send(new ConsumerCommand.Permit("s-1", 5)).onComplete(test.failing(err -> test.verify(() -> {
      assertThat(err).isSameAs(gone);
      assertThat(ConsumerClient.unanswered(err)).isFalse();
      test.completeNow();
    })));
  }

  @Test
  void failsAsShuttingDownWhenTheServiceIsNotRunning(VertxTestContext test) {
    client.close("s-1", false).onComplete(test.failing(err -> test.verify(() -> {
      assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.SHUTTING_DOWN);
      assertThat(err).hasMessage("the consume service is not running");
      assertThat(ConsumerClient.unanswered(err)).isTrue();
      test.completeNow();
    })));
  }

  @Test
  void timesOutAfterTheOperationTimeoutAndTheMargin(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().consumer(Addresses.CONSUMER, msg -> {
      // never answers
    });
    long start = System.nanoTime();
    client.send(new ConsumerCommand.Permit("s-1", 5)).onComplete(test.failing(err -> test.verify(() -> {
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(((ProxyException) err).code()).isEqualTo(ErrorCode.TIMEOUT);
      assertThat(err).hasMessage("the consume service did not answer in time");
      assertThat(ConsumerClient.unanswered(err)).isTrue();
      assertThat(waitedMs).isGreaterThanOrEqualTo(100 + 5_000);
      test.completeNow();
    })));
  }
}
