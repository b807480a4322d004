package io.pulsarproxy.ws;

import static io.pulsarproxy.ws.WsProducerIT.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.consume.CommandReply;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reader endpoint against a real broker: start positions, window, end of topic. */
class WsReaderIT extends WithWsProxy {
  @Test
  void readsFromEarliestWithTheProducersIds() throws Exception {
    String topic = broker.uniqueTopic("earliest");
    List<String> ids = proxy.produce(topic, "m", 3);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest")) {
      List<JsonObject> read = reader.await(3);
      assertThat(read).extracting(WsClient::text).containsExactly("m0", "m1", "m2");
      assertThat(read).extracting(m -> m.getString("messageId")).containsExactlyElementsOf(ids);
    }
  }

  @Test
  void startsAfterTheGivenIdExclusively() throws Exception {
    String topic = broker.uniqueTopic("from-id");
    List<String> ids = proxy.produce(topic, "m", 3);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId="
        + URLEncoder.encode(ids.get(0), StandardCharsets.UTF_8))) {
      reader.await(2);
      reader.staysAt(2);
      assertThat(reader.received).extracting(WsClient::text).containsExactly("m1", "m2");
    }
  }

  @Test
  void latestReadsOnlyWhatComesAfterTheHandshake() throws Exception {
    String topic = broker.uniqueTopic("latest");
    proxy.produce(topic, "old", 2);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?readerName=ws-reader")) {
      proxy.produce(topic, "new", 2);
      reader.await(2);
      reader.staysAt(2);
      assertThat(reader.received).extracting(WsClient::text).containsExactly("new0", "new1");
    }
  }

  @Test
  void anyFrameAnswersOneMessageOfTheWindow() throws Exception {
    String topic = broker.uniqueTopic("reader-window");
    proxy.produce(topic, "m", 6);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest&receiverQueueSize=2")) {
      reader.await(2);
      reader.staysAt(2);
      reader.send(new JsonObject().put("messageId", reader.received.get(0).getString("messageId")));
      reader.send("not even JSON");
      reader.await(4);
      reader.staysAt(4);
      assertThat(reader.received).extracting(WsClient::text).containsExactly("m0", "m1", "m2", "m3");
    }
  }

  @Test
  void isEndOfTopicTurnsTrueOnceTheTopicIsTerminatedAndRead() throws Exception {
    String topic = broker.uniqueTopic("reader-end");
    proxy.produce(topic, "m", 1);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest")) {
      reader.await(1);
      reader.send(new JsonObject().put("type", "isEndOfTopic"));
      assertThat(reader.await(2).get(1).getBoolean("endOfTopic")).isFalse();
      broker.admin().topics().terminateTopic(topic);
      await().atMost(WsClient.WAIT).untilAsserted(() -> {
        int before = reader.received.size();
        reader.send(new JsonObject().put("type", "isEndOfTopic"));
        assertThat(reader.await(before + 1).get(before).getBoolean("endOfTopic")).isTrue();
      });
    }
  }

  @Test
  void grantsAgainPermitsTheConsumeServiceDidNotTake() throws Exception {
    String topic = broker.uniqueTopic("reader-lost-permit");
    proxy.produce(topic, "m", 3);
    // The first permit fails on its way to the consume service, as a reply that timed out would.
    AtomicInteger failed = new AtomicInteger();
    Handler<DeliveryContext<Object>> failFirstPermit = ctx -> {
      if (ctx.message().body() instanceof ConsumerCommand.Permit && failed.getAndIncrement() == 0) {
        ctx.message().fail(500, "lost on its way");
      } else {
        ctx.next();
      }
    };
    proxy.vertx.eventBus().addInboundInterceptor(failFirstPermit);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest")) {
      assertThat(reader.await(3)).extracting(WsClient::text).containsExactly("m0", "m1", "m2");
      assertThat(failed).hasValueGreaterThan(1);
    } finally {
      proxy.vertx.eventBus().removeInboundInterceptor(failFirstPermit);
    }
  }

  @Test
  void closesTheSocketWhenTheConsumeServiceNoLongerKnowsItsSession() throws Exception {
    String topic = broker.uniqueTopic("reader-lost-session");
    proxy.produce(topic, "m", 1);
    Handler<DeliveryContext<Object>> unknownSession = ctx -> {
      if (ctx.message().body() instanceof ConsumerCommand.Permit p) {
        ctx.message().reply(CommandReply.failed(new ProxyException(ErrorCode.NOT_FOUND, "no session " + p.sessionId())),
            Codecs.LOCAL);
      } else {
        ctx.next();
      }
    };
    proxy.vertx.eventBus().addInboundInterceptor(unknownSession);
    try (WsClient reader = proxy.connect(path("reader", topic) + "?messageId=earliest")) {
      assertThat(reader.awaitClose()).isEqualTo((short) 1011);
      assertThat(reader.closeReason()).contains("session is gone");
      assertThat(reader.received).isEmpty();
    } finally {
      proxy.vertx.eventBus().removeInboundInterceptor(unknownSession);
    }
  }

  @Test
  void refusesABadStartIdWith400() throws Exception {
    String topic = broker.uniqueTopic("bad-id");
    assertThat(proxy.refusal(path("reader", topic) + "?messageId=yesterday")).isEqualTo(400);
    assertThat(proxy.refusal(path("reader", topic) + "?receiverQueueSize=many")).isEqualTo(400);
  }
}
