package io.pulsarproxy.ws;

import io.pulsarproxy.core.consume.ConsumerSpec;
import io.pulsarproxy.core.consume.ReaderSpec;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.produce.ProducerOptions;
import io.pulsarproxy.core.topic.Topic;
import java.util.ArrayList;
import java.util.List;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.client.api.ConsumerCryptoFailureAction;
import org.apache.pulsar.client.api.HashingScheme;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageRoutingMode;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionMode;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * What a handshake asks for, validated: the path ({@link WsPath}) with the query parameters of its role, checked as
 * Pulsar's WebSocket service checks them (a bad value is a 400 naming the parameter). One parser per role.
 */
sealed interface WsEndpoint {
  /** Pulsar caps the window of a WebSocket consumer or reader at this, and uses it as the default. */
  int MAX_RECEIVER_QUEUE = 1000;

  WsPath.Role role();

  /** The topic (or topics) for logs and error messages. */
  String describe();

  /**
   * A producer socket: every frame is a message for {@code topic}, sent with a producer of these options. With
   * {@code jsonValues} ({@code ?valueFormat=json}) a frame may carry a JSON {@code value} instead of {@code payload},
   * encoded to the topic's schema; the socket then holds no producer of its own (the topic's typed producer is
   * shared) and takes no {@code producerName}.
   */
  record Producer(Topic topic, ProducerOptions options, boolean jsonValues) implements WsEndpoint {
    @Override
    public WsPath.Role role() {
      return WsPath.Role.PRODUCER;
    }

    @Override
    public String describe() {
      return topic.fullName();
    }
  }

  /**
   * A consumer socket; in pull mode nothing is delivered beyond the permits the client sends. With
   * {@code decodeValues} ({@code valueFormat=json}) message frames of typed topics also carry the decoded value.
   */
  record Consumer(ConsumerSpec spec, boolean pullMode, boolean decodeValues) implements WsEndpoint {
    @Override
    public WsPath.Role role() {
      return WsPath.Role.CONSUMER;
    }

    @Override
    public String describe() {
      return (spec.topicsPattern() != null ? spec.topicsPattern() : String.join(",", spec.topics()))
          + " subscription " + spec.subscription();
    }
  }

  /** A reader socket; {@code decodeValues} as for {@link Consumer}. */
  record Reader(ReaderSpec spec, boolean decodeValues) implements WsEndpoint {
    @Override
    public WsPath.Role role() {
      return WsPath.Role.READER;
    }

    @Override
    public String describe() {
      return spec.topic();
    }
  }

  /** The endpoint of a handshake path and query. */
  static WsEndpoint parse(WsPath path, QueryParams query) {
    return switch (path.role()) {
      case PRODUCER -> producer(path.topic(), query);
      case CONSUMER -> consumer(path, query);
      case READER -> reader(path.topic(), query);
    };
  }

  private static Producer producer(Topic topic, QueryParams q) {
    if (q.has("encryptionKeys")) {
      throw ProxyException.badField("encryptionKeys",
          "end-to-end encryption is not available through this proxy; encrypt the payload in the client");
    }
    MessageRoutingMode routing = q.constant("messageRoutingMode", MessageRoutingMode.class);
    boolean batching = Boolean.TRUE.equals(q.bool("batchingEnabled"));
    // Pulsar reads these only with batching on; they are checked either way, and kept only when they apply, so that
    // sockets asking for the same producer share it.
    Integer batchingMaxMessages = q.integer("batchingMaxMessages", 1, Integer.MAX_VALUE);
    Integer maxPendingMessages = q.integer("maxPendingMessages", 0, Integer.MAX_VALUE);
    Long batchingMaxPublishDelay = q.longValue("batchingMaxPublishDelay", 0, Integer.MAX_VALUE);
    ProducerOptions options = new ProducerOptions(
        q.name("producerName"),
        q.longValue("initialSequenceId", -1, Long.MAX_VALUE),
        q.constant("hashingScheme", HashingScheme.class),
        q.integer("sendTimeoutMillis", 0, Integer.MAX_VALUE),
        // Pulsar's WebSocket producers default to SinglePartition and ignore CustomPartition.
        routing == null || routing == MessageRoutingMode.CustomPartition ? MessageRoutingMode.SinglePartition : routing,
        // Pulsar's WebSocket producers do not batch unless asked: acks then carry the ids consumers see.
        batching,
        batching ? batchingMaxMessages : null,
        batching ? batchingMaxPublishDelay : null,
        batching ? maxPendingMessages : null,
        q.constant("compressionType", CompressionType.class),
        null);
    String valueFormat = q.string("valueFormat");
    if (valueFormat != null && !valueFormat.equals("json") && !valueFormat.equals("payload")) {
      throw ProxyException.badField("valueFormat", "must be json (frames may carry a JSON value) or payload");
    }
    boolean jsonValues = "json".equals(valueFormat);
    if (jsonValues && options.producerName() != null) {
      throw ProxyException.badField("producerName", "cannot be combined with valueFormat=json");
    }
    return new Producer(topic, options, jsonValues);
  }

  private static Consumer consumer(WsPath path, QueryParams q) {
    List<String> topics = List.of();
    String pattern = null;
    if (path.topic() != null) {
      topics = List.of(path.topic().fullName());
    } else if (q.has("topics") == q.has("topicsPattern")) {
      throw ProxyException.badField("topics", "give either topics (a comma-separated list) or topicsPattern");
    } else if (q.has("topics")) {
      topics = topicList(q.string("topics"));
    } else {
      pattern = q.name("topicsPattern");
      pattern = pattern.contains("://") ? pattern : "persistent://public/default/" + pattern;
    }
    Long ackTimeout = q.longValue("ackTimeoutMillis", 0, Long.MAX_VALUE);
    if (ackTimeout != null && ackTimeout > 0 && ackTimeout < 1000) {
      throw ProxyException.badField("ackTimeoutMillis", "'" + ackTimeout + "' must be 0 (off) or at least 1000");
    }
    Integer maxRedeliverCount = q.integer("maxRedeliverCount", 1, Integer.MAX_VALUE);
    String deadLetterTopic = q.name("deadLetterTopic");
    if (deadLetterTopic != null && maxRedeliverCount == null) {
      throw ProxyException.badField("deadLetterTopic", "needs maxRedeliverCount");
    }
    SubscriptionType type = q.constant("subscriptionType", SubscriptionType.class);
    SubscriptionMode mode = q.constant("subscriptionMode", SubscriptionMode.class);
    SubscriptionInitialPosition position = q.constant("subscriptionInitialPosition",
        SubscriptionInitialPosition.class);
    Long nackDelay = q.longValue("negativeAckRedeliveryDelay", 0, Long.MAX_VALUE);
    ConsumerSpec spec = new ConsumerSpec(topics, pattern, path.subscription(),
        type != null ? type : SubscriptionType.Exclusive,
        mode != null ? mode : SubscriptionMode.Durable,
        position != null ? position : SubscriptionInitialPosition.Latest,
        receiverQueueSize(q),
        ackTimeout != null ? ackTimeout : 0,
        q.name("consumerName"),
        q.integer("priorityLevel", 0, Integer.MAX_VALUE),
        nackDelay,
        maxRedeliverCount,
        deadLetterTopic,
        q.constant("cryptoFailureAction", ConsumerCryptoFailureAction.class));
    return new Consumer(spec, Boolean.TRUE.equals(q.bool("pullMode")), decodeValues(q));
  }

  private static Reader reader(Topic topic, QueryParams q) {
    String raw = q.string("messageId");
    MessageId start;
    if (raw == null || raw.isBlank() || raw.equals("latest")) {
      start = MessageId.latest;
    } else if (raw.equals("earliest")) {
      start = MessageId.earliest;
    } else {
      start = MessageIds.decode(raw, "messageId");
    }
    return new Reader(new ReaderSpec(topic.fullName(), q.name("readerName"), receiverQueueSize(q), start, false,
        null), decodeValues(q));
  }

  /**
   * {@code valueFormat}: {@code base64} (the default: frames exactly as Pulsar's) or {@code json} (messages written
   * with a schema also carry {@code schemaVersion} and the decoded {@code value}, or a {@code decodeError}).
   */
  private static boolean decodeValues(QueryParams q) {
    String raw = q.string("valueFormat");
    if (raw == null || raw.equals("base64")) {
      return false;
    }
    if (raw.equals("json")) {
      return true;
    }
    throw ProxyException.badField("valueFormat", "'" + raw + "' is not one of [base64, json]");
  }

  private static int receiverQueueSize(QueryParams q) {
    Integer size = q.integer("receiverQueueSize", 0, Integer.MAX_VALUE);
    return size == null ? MAX_RECEIVER_QUEUE : Math.min(size, MAX_RECEIVER_QUEUE);
  }

  /** {@code a,b} as Pulsar reads it: short names are in {@code public/default}, {@code t/n/a} is persistent. */
  private static List<String> topicList(String raw) {
    List<String> topics = new ArrayList<>();
    for (String name : raw.split(",")) {
      String t = name.trim();
      if (t.isEmpty()) {
        continue;
      }
      String full = t.contains("://") ? t : "persistent://" + (t.contains("/") ? t : "public/default/" + t);
      topics.add(Topic.parse(full).fullName());
    }
    if (topics.isEmpty()) {
      throw ProxyException.badField("topics", "names no topic");
    }
    return topics;
  }
}
