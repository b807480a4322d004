package io.pulsarproxy.ws;

import static io.pulsarproxy.ws.WsClient.message;
import static io.pulsarproxy.ws.WsClient.text;
import static io.pulsarproxy.ws.WsProducerIT.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.StandalonePulsar;
import io.pulsarproxy.testkit.TokenAuth;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.apache.pulsar.common.policies.data.AuthAction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ws.forwardClientTokens} against a broker with token authentication and authorisation: the proxy's own role
 * ({@code proxy}) may do nothing on the topics, {@code alice} and {@code carol} may produce and consume, {@code bob}
 * is authenticated but has no permission. What a socket may do is decided by the broker from the client's token.
 */
class WsTokenForwardingIT {
  private static final String NAMESPACE = "public/default";

  @TempDir
  static Path dir;
  private static StandalonePulsar broker;
  private static TokenAuth auth;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    auth = TokenAuth.random();
    broker = StandalonePulsar.startNew(dir.resolve("pulsar"), auth);
    for (String role : new String[] {"alice", "carol"}) {
      broker.admin().namespaces().grantPermissionOnNamespace(NAMESPACE, role,
          EnumSet.of(AuthAction.produce, AuthAction.consume));
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static WsProxy proxy(boolean forward, int maxTokenClients) throws Exception {
    return WsProxy.start(broker, new JsonObject()
        .put("pulsar", new JsonObject().put("authToken", auth.token("proxy")))
        .put("ws", new JsonObject().put("forwardClientTokens", forward).put("maxTokenClients", maxTokenClients)));
  }

  private static String query(String role) {
    return "?token=" + auth.token(role);
  }

  private static Map<String, String> bearer(String role) {
    return Map.of("Authorization", "Bearer " + auth.token(role));
  }

  @Test
  void producesAndConsumesWithTheClientsOwnToken() throws Exception {
    String topic = broker.uniqueTopic("forwarded");
    try (WsProxy proxy = proxy(true, 10)) {
      // Without a token the socket acts as the proxy, which may not use the topic: what alice does below is hers.
      assertThat(proxy.refusal(path("producer", topic))).isEqualTo(403);

      try (WsClient consumer = proxy.connect(path("consumer", topic) + "/s" + query("alice"));
           WsClient alice = proxy.connect(path("producer", topic), bearer("alice"));
           WsClient aliceAgain = proxy.connect(path("producer", topic) + query("alice"));
           WsClient carol = proxy.connect(path("producer", topic), bearer("carol"))) {
        alice.send(message("from alice", "a"));
        aliceAgain.send(message("from alice again", "a2"));
        carol.send(message("from carol", "c"));
        JsonObject ack = alice.await(1).get(0);
        assertThat(ack.getString("result")).isEqualTo("ok");
        assertThat(aliceAgain.await(1).get(0).getString("result")).isEqualTo("ok");
        assertThat(carol.await(1).get(0).getString("result")).isEqualTo("ok");

        assertThat(consumer.await(3)).extracting(WsClient::text)
            .containsExactlyInAnyOrder("from alice", "from alice again", "from carol");
        assertThat(consumer.received).filteredOn(m -> text(m).equals("from alice"))
            .extracting(m -> m.getString("messageId")).containsExactly(ack.getString("messageId"));
        // One producer per token on the broker: alice's two sockets share hers, carol's is her own.
        assertThat(broker.admin().topics().getStats(topic).getPublishers()).hasSize(2);
      }
    }
  }

  @Test
  void answersWithTheBrokersVerdictOnTheToken() throws Exception {
    String topic = broker.uniqueTopic("refused");
    try (WsProxy proxy = proxy(true, 10)) {
      assertThat(proxy.refusal(path("producer", topic) + query("bob"))).as("bob may not produce").isEqualTo(403);
      assertThat(proxy.refusal(path("consumer", topic) + "/s" + query("bob"))).as("nor consume").isEqualTo(403);
      assertThat(proxy.refusal(path("reader", topic) + query("bob"))).as("nor read").isEqualTo(403);
      assertThat(proxy.refusal(path("producer", topic) + "?token=" + TokenAuth.foreignToken("alice")))
          .as("a token signed with another key").isEqualTo(401);
      assertThat(proxy.refusal(path("producer", topic) + "?token=not-a-jwt")).as("not a token").isEqualTo(401);
      // Nothing reached the topic.
      assertThat(broker.admin().topics().getList(NAMESPACE)).doesNotContain(topic);
    }
  }

  @Test
  void withoutForwardingEverySocketActsAsTheProxy() throws Exception {
    String topic = broker.uniqueTopic("not-forwarded");
    try (WsProxy proxy = proxy(false, 10)) {
      assertThat(proxy.refusal(path("producer", topic) + query("alice"))).isEqualTo(403);
    }
  }

  @Test
  void keepsAtMostMaxTokenClientsAndReusesAnUnusedOne() throws Exception {
    String topic = broker.uniqueTopic("bounded");
    try (WsProxy proxy = proxy(true, 1)) {
      try (WsClient alice = proxy.connect(path("producer", topic) + query("alice"))) {
        alice.send(message("alice holds the only token client", "a"));
        assertThat(alice.await(1).get(0).getString("result")).isEqualTo("ok");
        assertThat(proxy.refusal(path("producer", topic) + query("carol"))).isEqualTo(503);
      }
      // Once alice's socket and producer are gone, her unused client makes room for carol's.
      WsClient carol = await().atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> proxy.connect(path("producer", topic) + query("carol")), c -> true);
      try (carol) {
        carol.send(message("carol got in", "c"));
        assertThat(carol.await(1).get(0).getString("result")).isEqualTo("ok");
      }
    }
  }
}
