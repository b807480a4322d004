package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.assertError;
import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad request to the consume API gets a 4xx with the error envelope, and nothing is subscribed. */
@ExtendWith(PulsarExtension.class)
class HttpConsumeErrorsIT {
  private static ProxyFixture proxy;
  private static ConsumeHttp http;
  private static PulsarBroker broker;
  private static String topic;
  private static String consumer;

  @BeforeAll
  static void start(PulsarBroker pulsar, @TempDir Path dir) throws Exception {
    broker = pulsar;
    proxy = ProxyFixture.start(dir, pulsar.serviceUrl(), ProxyFixture.cfg("httpConsumer", "maxMessages", 500));
    http = new ConsumeHttp(proxy);
    topic = pulsar.uniqueTopic("consume-errors");
    consumer = http.create(subscription(topic, "valid", "Shared"));
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      malformed JSON           | {"topic":                                              | body
      not an object            | "persistent://public/default/t"                        | body
      no topic                 | {"subscription":"s"}                                   | topic
      two kinds of topic       | {"subscription":"s","topic":"persistent://public/default/a","topics":["persistent://public/default/b"]} | topic
      a short topic name       | {"subscription":"s","topic":"orders"}                  | topic
      a bad topic in a list    | {"subscription":"s","topics":["persistent://public/default/a","nope"]} | topics[1]
      a bad pattern            | {"subscription":"s","topicsPattern":"persistent://public/default/(x"} | topicsPattern
      no subscription          | {"topic":"persistent://public/default/a"}              | subscription
      an empty subscription    | {"topic":"persistent://public/default/a","subscription":""} | subscription
      an unknown type          | {"topic":"persistent://public/default/a","subscription":"s","subscriptionType":"Fanout"} | subscriptionType
      an unknown position      | {"topic":"persistent://public/default/a","subscription":"s","initialPosition":"Middle"} | initialPosition
      a queue above the limit  | {"topic":"persistent://public/default/a","subscription":"s","receiverQueueSize":501} | receiverQueueSize
      a too short ack timeout  | {"topic":"persistent://public/default/a","subscription":"s","ackTimeoutMs":500} | ackTimeoutMs
      a negative nack delay    | {"topic":"persistent://public/default/a","subscription":"s","negativeAckRedeliveryDelayMs":-1} | negativeAckRedeliveryDelayMs
      no redeliver count       | {"topic":"persistent://public/default/a","subscription":"s","deadLetter":{"topic":"persistent://public/default/d"}} | deadLetter.maxRedeliverCount
      a bad format             | {"topic":"persistent://public/default/a","subscription":"s","format":"xml"} | format
      an unknown field         | {"topic":"persistent://public/default/a","subscription":"s","ackMode":"auto"} | ackMode
      """)
  void badCreateRequestsAre400(String what, String body, String field) throws Exception {
    assertError(http.post("/api/v1/consumers", body, Map.of()), 400, "BAD_REQUEST", field);
    assertThat(broker.admin().topics().getList("public/default")).noneMatch(t -> t.endsWith("/a") || t.endsWith("/d"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      GET    | /messages
      GET    | ''
      DELETE | ''
      POST   | /acks
      POST   | /nacks
      POST   | /seek
      """)
  void anUnknownConsumerIs404(String method, String suffix) {
    String body = suffix.equals("/seek") ? "{\"timestamp\":1}" : "{\"messageIds\":[\"CAEQAjAA\"]}";
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(proxy.url("/api/v1/consumers/no-such-id" + suffix)))
        .header("Content-Type", "application/json");
    request = method.equals("POST") ? request.POST(HttpRequest.BodyPublishers.ofString(body))
        : request.method(method, HttpRequest.BodyPublishers.noBody());
    JsonObject error = assertError(proxy.send(request.build()), 404, "NOT_FOUND", null);
    assertThat(error.getString("message")).contains("no consumer instance no-such-id");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      malformed JSON         | /acks  | {"messageIds":[                 | body
      neither ids nor upTo   | /acks  | {}                              | messageIds
      both ids and upTo      | /acks  | {"messageIds":["CAEQAjAA"],"upTo":"CAEQAjAA"} | messageIds
      not base64             | /acks  | {"messageIds":["CAEQAjAA","***"]} | messageIds[1]
      base64 but not an id   | /acks  | {"messageIds":["AAAA"]}         | messageIds[0]
      a number as id         | /acks  | {"messageIds":[42]}             | messageIds[0]
      a bad upTo             | /acks  | {"upTo":"!!"}                   | upTo
      nack without ids       | /nacks | {}                              | messageIds
      nack with a bad id     | /nacks | {"messageIds":["%%"]}           | messageIds[0]
      seek to nothing        | /seek  | {}                              | messageId
      seek to both           | /seek  | {"messageId":"CAEQAjAA","timestamp":5} | messageId
      seek to a bad id       | /seek  | {"messageId":"nope"}            | messageId
      seek to a bad time     | /seek  | {"timestamp":-5}                | timestamp
      """)
  void badRequestsToAnInstanceAre400(String what, String path, String body, String field) {
    assertError(http.post("/api/v1/consumers/" + consumer + path, body, Map.of()), 400, "BAD_REQUEST", field);
  }

  @Test
  void badPollOptionsAre400() {
    String path = "/api/v1/consumers/" + consumer + "/messages?";
    assertError(http.get(path + "max=0"), 400, "BAD_REQUEST", "max");
    assertError(http.get(path + "max=501"), 400, "BAD_REQUEST", "max");
    assertError(http.get(path + "max=ten"), 400, "BAD_REQUEST", "max");
    assertError(http.get(path + "waitMs=31000"), 400, "BAD_REQUEST", "waitMs");
    assertError(http.delete("/api/v1/consumers/" + consumer + "?unsubscribe=perhaps"), 400, "BAD_REQUEST",
        "unsubscribe");
  }

  @Test
  void unknownQueryParametersAre400NamingThemAndSubscribeNothing() throws Exception {
    String base = "/api/v1/topics/" + topic.replace("://", "/");
    HttpResponse<String> stream = http.get(base + "/subscriptions/misspelt/events?intialPosition=Earliest");
    JsonObject error = assertError(stream, 400, "BAD_REQUEST", "intialPosition");
    assertThat(error.getString("message")).startsWith("intialPosition: is not a parameter of this request "
        + "(did you mean initialPosition?)");
    assertThat(broker.admin().topics().getSubscriptions(topic)).doesNotContain("misspelt");

    assertError(http.get(base + "/messages?from=earliest&limit=5"), 400, "BAD_REQUEST", "limit");
    assertError(http.get("/api/v1/consumers/" + consumer + "/messages?wait=100"), 400, "BAD_REQUEST", "wait");
  }

  @Test
  void aShortTopicNameIsExplainedOnce() {
    JsonObject error = assertError(http.post("/api/v1/consumers", "{\"subscription\":\"s\",\"topic\":\"orders\"}",
        Map.of()), 400, "BAD_REQUEST", "topic");
    assertThat(error.getString("message"))
        .isEqualTo("topic: 'orders' is not a full topic name (persistent://tenant/namespace/topic)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a space    | x%20y
      two dots   | x..y
      a slash    | x%2Fy
      """)
  void topicNamesPulsarWouldReadOtherwiseAre400(String what, String suffix) throws Exception {
    String unique = broker.uniqueTopic("odd").substring("persistent://public/default/".length());
    String path = "/api/v1/topics/persistent/public/default/" + unique + suffix;
    assertError(http.get(path + "/messages"), 400, "INVALID_TOPIC", "topic");
    assertError(http.get(path + "/subscriptions/s/events"), 400, "INVALID_TOPIC", "topic");
    assertThat(broker.admin().topics().getList("public/default")).noneMatch(t -> t.contains(unique));
  }

  @Test
  void aBodyThatIsNotJsonIs415() {
    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(
            URI.create(proxy.url("/api/v1/consumers/" + consumer + "/acks")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("messageIds=CAEQAjAA")).build());
    assertError(response, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type");
  }

  @Test
  void aTakenExclusiveSubscriptionIs409() {
    String exclusive = broker.uniqueTopic("taken");
    String first = http.create(subscription(exclusive, "only", "Exclusive"));
    assertError(http.post("/api/v1/consumers", subscription(exclusive, "only", "Exclusive").encode(), Map.of()),
        409, "CONFLICT", null);
    http.close(first);
  }
}
