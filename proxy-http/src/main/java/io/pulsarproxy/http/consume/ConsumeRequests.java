package io.pulsarproxy.http.consume;

import io.pulsarproxy.config.HttpConsumerConfig;
import io.pulsarproxy.core.consume.ConsumerSpec;
import io.pulsarproxy.core.consume.ReaderSpec;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.topic.Topic;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionMode;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * The typed parsers of the consume API, one per endpoint. The OpenAPI contract has already checked the shapes; these
 * turn the request into the consume service's records and check what the contract cannot say (limits from the
 * configuration, message ids, one field out of several). Problems are reported together as {@code field: problem}.
 */
final class ConsumeRequests {
  static final int DEFAULT_RECEIVER_QUEUE_SIZE = 100;
  static final int DEFAULT_MAX = 100;
  static final long DEFAULT_WAIT_MS = 5000;
  /** Pulsar refuses ack timeouts below one second. */
  private static final long MIN_ACK_TIMEOUT_MS = 1000;

  private ConsumeRequests() {}

  /** A subscription to open and how its message bodies are given. */
  record Subscribe(ConsumerSpec spec, BodyFormat format) {}

  /** An SSE stream: a subscription and whether the client acknowledges ({@code ack=client}). */
  record Stream(ConsumerSpec spec, BodyFormat format, boolean clientAck) {}

  /** A long poll. */
  record Poll(int max, long waitMs) {}

  /** One page of reads. {@code from} is what the client gave, the cursor of an empty page. */
  record Read(ReaderSpec spec, String from, int max, long waitMs, BodyFormat format) {}

  /** Individual acknowledgements ({@code messageIds}) or a cumulative one ({@code upTo}); exactly one is set. */
  record Ack(List<String> messageIds, String upTo) {}

  /** A seek to an id or to a publish time; exactly one is set. */
  record Seek(String messageId, Long timestamp) {}

  /** {@code POST /api/v1/consumers}. */
  static Subscribe subscribe(JsonObject body, HttpConsumerConfig limits) {
    RequestFields f = RequestFields.of(body);
    List<String> topics = new ArrayList<>();
    int given = (f.has("topic") ? 1 : 0) + (f.has("topics") ? 1 : 0) + (f.has("topicsPattern") ? 1 : 0);
    if (given != 1) {
      f.problem("topic", given == 0 ? "give one of 'topic', 'topics' or 'topicsPattern'"
          : "give only one of 'topic', 'topics' and 'topicsPattern'");
    } else if (f.has("topic")) {
      topic(f, "topic", f.raw("topic"), topics);
    } else if (f.raw("topics") instanceof JsonArray array && !array.isEmpty()) {
      for (int i = 0; i < array.size(); i++) {
        topic(f, "topics[" + i + "]", array.getValue(i), topics);
      }
    } else if (f.has("topics")) {
      f.problem("topics", "must be a non-empty array of topic names");
    }
    String pattern = f.string("topicsPattern", null);
    if (pattern != null) {
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        f.problem("topicsPattern", "is not a regular expression: " + e.getDescription());
      }
    }
    String subscription = f.string("subscription", null);
    if (!f.has("subscription")) {
      f.problem("subscription", "is missing");
    }
    Integer maxRedeliver = null;
    String deadLetterTopic = null;
    Object deadLetter = f.raw("deadLetter");
    if (deadLetter instanceof JsonObject dlq) {
      RequestFields d = f.nested("deadLetter", dlq);
      if (!d.has("maxRedeliverCount")) {
        d.problem("maxRedeliverCount", "is missing");
      }
      maxRedeliver = d.integer("maxRedeliverCount", 1, Integer.MAX_VALUE, 1, null);
      deadLetterTopic = d.has("topic") ? fullTopic(d, "topic", d.raw("topic")) : null;
    } else if (deadLetter != null) {
      f.problem("deadLetter", "must be an object with 'maxRedeliverCount' and optionally 'topic'");
    }
    ConsumerSpec spec = spec(f, topics, pattern, subscription, maxRedeliver, deadLetterTopic, limits);
    BodyFormat format = f.format();
    f.throwIfAny();
    return new Subscribe(spec, format);
  }

  /** {@code GET …/subscriptions/{subscription}/events}. */
  static Stream stream(Topic topic, String subscription, MultiMap query, HttpConsumerConfig limits) {
    RequestFields f = RequestFields.of(query);
    // The edge reads ?token= (EventSource cannot set Authorization): a parameter of every stream.
    f.raw("token");
    boolean clientAck = "client".equals(f.oneOf("ack", AckMode.values(), AckMode::wireName, AckMode.AUTO).wireName());
    Integer maxRedeliver = f.has("deadLetterMaxRedeliverCount")
        ? f.integer("deadLetterMaxRedeliverCount", 1, Integer.MAX_VALUE, 1, null) : null;
    String deadLetterTopic = f.has("deadLetterTopic") ? fullTopic(f, "deadLetterTopic", f.raw("deadLetterTopic")) : null;
    if (deadLetterTopic != null && maxRedeliver == null) {
      f.problem("deadLetterMaxRedeliverCount", "is missing (deadLetterTopic needs it)");
    }
    if (subscription == null || subscription.isBlank()) {
      f.problem("subscription", "must not be empty");
    }
    ConsumerSpec spec = spec(f, List.of(topic.fullName()), null, subscription, maxRedeliver, deadLetterTopic, limits);
    BodyFormat format = f.format();
    f.throwIfAny();
    return new Stream(spec, format, clientAck);
  }

  /** The subscription options shared by consumer instances (JSON) and streams (query parameters). */
  private static ConsumerSpec spec(RequestFields f, List<String> topics, String pattern, String subscription,
      Integer maxRedeliver, String deadLetterTopic, HttpConsumerConfig limits) {
    SubscriptionType type = f.oneOf("subscriptionType", SubscriptionType.values(), Enum::name,
        SubscriptionType.Exclusive);
    SubscriptionInitialPosition position = f.oneOf("initialPosition", SubscriptionInitialPosition.values(),
        Enum::name, SubscriptionInitialPosition.Latest);
    int queue = f.integer("receiverQueueSize", 1, limits.maxMessages(),
        Math.min(DEFAULT_RECEIVER_QUEUE_SIZE, limits.maxMessages()), "httpConsumer.maxMessages");
    long ackTimeout = f.number("ackTimeoutMs", 0, Long.MAX_VALUE, 0, null);
    if (ackTimeout > 0 && ackTimeout < MIN_ACK_TIMEOUT_MS) {
      f.problem("ackTimeoutMs", "must be 0 (no ack timeout) or at least " + MIN_ACK_TIMEOUT_MS);
    }
    Long nackDelay = f.has("negativeAckRedeliveryDelayMs")
        ? f.number("negativeAckRedeliveryDelayMs", 0, Long.MAX_VALUE, 0, null) : null;
    String name = f.string("name", null);
    if (topics.isEmpty() && pattern == null) {
      return null; // the missing topic is reported already
    }
    return new ConsumerSpec(topics.isEmpty() ? null : topics, topics.isEmpty() ? pattern : null, subscription, type,
        SubscriptionMode.Durable, position, queue, ackTimeout, name, null, nackDelay, maxRedeliver, deadLetterTopic,
        null);
  }

  /** {@code GET /api/v1/consumers/{id}/messages}. */
  static Poll poll(MultiMap query, HttpConsumerConfig limits) {
    RequestFields f = RequestFields.of(query);
    int max = f.integer("max", 1, limits.maxMessages(), Math.min(DEFAULT_MAX, limits.maxMessages()),
        "httpConsumer.maxMessages");
    long waitMs = waitMs(f, limits);
    f.throwIfAny();
    return new Poll(max, waitMs);
  }

  /** {@code GET /api/v1/topics/{domain}/{tenant}/{namespace}/{topic}/messages}. */
  static Read read(Topic topic, MultiMap query, HttpConsumerConfig limits) {
    RequestFields f = RequestFields.of(query);
    String from = f.string("from", "earliest");
    int max = f.integer("max", 1, limits.maxMessages(), Math.min(DEFAULT_MAX, limits.maxMessages()),
        "httpConsumer.maxMessages");
    long waitMs = waitMs(f, limits);
    BodyFormat format = f.format();
    MessageId start = MessageId.earliest;
    Long timestamp = null;
    if ("latest".equalsIgnoreCase(from)) {
      start = MessageId.latest;
    } else if (from.chars().allMatch(Character::isDigit)) {
      timestamp = f.number("from", 0, Long.MAX_VALUE, 0, null);
    } else if (!"earliest".equalsIgnoreCase(from)) {
      start = f.messageId("from", from);
    }
    f.throwIfAny();
    return new Read(new ReaderSpec(topic.fullName(), null, max, start, false, timestamp), from, max, waitMs, format);
  }

  /** {@code POST …/acks}. */
  static Ack ack(JsonObject body) {
    RequestFields f = RequestFields.of(body);
    if (f.has("messageIds") == f.has("upTo")) {
      f.problem("messageIds", "give either 'messageIds' (a list) or 'upTo' (cumulative), not both or neither");
      f.throwIfAny();
    }
    if (f.has("upTo")) {
      f.messageId("upTo", f.raw("upTo"));
      f.throwIfAny();
      return new Ack(List.of(), (String) f.raw("upTo"));
    }
    return new Ack(messageIds(f), null);
  }

  /** {@code POST …/nacks}. */
  static List<String> nack(JsonObject body) {
    RequestFields f = RequestFields.of(body);
    if (!f.has("messageIds")) {
      f.problem("messageIds", "is missing");
      f.throwIfAny();
    }
    return messageIds(f);
  }

  /** {@code POST …/seek}. */
  static Seek seek(JsonObject body) {
    RequestFields f = RequestFields.of(body);
    if (f.has("messageId") == f.has("timestamp")) {
      f.problem("messageId", "give either 'messageId' or 'timestamp' (epoch ms), not both or neither");
      f.throwIfAny();
    }
    if (f.has("messageId")) {
      f.messageId("messageId", f.raw("messageId"));
      f.throwIfAny();
      return new Seek((String) f.raw("messageId"), null);
    }
    long timestamp = f.number("timestamp", 0, Long.MAX_VALUE, 0, null);
    f.throwIfAny();
    return new Seek(null, timestamp);
  }

  /** {@code DELETE /api/v1/consumers/{id}}: whether to remove the subscription too. */
  static boolean unsubscribe(MultiMap query) {
    RequestFields f = RequestFields.of(query);
    boolean unsubscribe = f.bool("unsubscribe", false);
    f.throwIfAny();
    return unsubscribe;
  }

  private static List<String> messageIds(RequestFields f) {
    List<String> ids = new ArrayList<>();
    if (f.raw("messageIds") instanceof JsonArray array && !array.isEmpty()) {
      for (int i = 0; i < array.size(); i++) {
        if (f.messageId("messageIds[" + i + "]", array.getValue(i)) != null) {
          ids.add(array.getString(i));
        }
      }
    } else {
      f.problem("messageIds", "must be a non-empty array of message ids");
    }
    f.throwIfAny();
    return ids;
  }

  private static long waitMs(RequestFields f, HttpConsumerConfig limits) {
    long maxWait = limits.maxWait().toMillis();
    return f.number("waitMs", 0, maxWait, Math.min(DEFAULT_WAIT_MS, maxWait), "httpConsumer.maxWait");
  }

  private static void topic(RequestFields f, String field, Object raw, List<String> into) {
    String name = fullTopic(f, field, raw);
    if (name != null) {
      into.add(name);
    }
  }

  private static String fullTopic(RequestFields f, String field, Object raw) {
    if (!(raw instanceof String s)) {
      f.problem(field, "must be a full topic name (persistent://tenant/namespace/topic)");
      return null;
    }
    try {
      return Topic.parse(s).fullName();
    } catch (ProxyException e) {
      // Reported under this request's field; the parts' own names (tenant, namespace) go into the message.
      f.problem(field, e.details().stream()
          .map(d -> "topic".equals(d.field()) ? d.message() : d.field() + " " + d.message())
          .reduce((a, b) -> a + "; " + b).orElse(e.getMessage()));
      return null;
    }
  }

  /** The {@code ack} parameter of a stream. */
  enum AckMode {
    AUTO,
    CLIENT;

    String wireName() {
      return RequestFields.lower(name());
    }
  }
}
