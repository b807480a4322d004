package io.pulsarproxy.http.consume;

import io.pulsarproxy.core.consume.ConsumerSpec;
import io.pulsarproxy.edge.auth.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;
import org.apache.pulsar.client.api.ConsumerCryptoFailureAction;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionMode;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * The spec of a long-poll consumer instance as the cluster keeps it ({@link io.pulsarproxy.core.cluster.SpecStore}):
 * what another node needs to re-create it under the same id (topics, subscription, its options, the body format, the
 * principal's name and the client key it counts against). Never a secret: an instance that acts at the broker with
 * the client's own token is not kept at all (no other node could act with it).
 */
final class InstanceSpecs {
  private InstanceSpecs() {}

  /** What a node re-creates. */
  record Spec(ConsumerSpec consumer, BodyFormat format, Principal principal, String clientKey) {}

  static JsonObject toJson(HttpConsumer c) {
    ConsumerSpec s = c.spec;
    return new JsonObject()
        .put("topics", new JsonArray(s.topics()))
        .put("topicsPattern", s.topicsPattern())
        .put("subscription", s.subscription())
        .put("subscriptionType", name(s.subscriptionType()))
        .put("subscriptionMode", name(s.subscriptionMode()))
        .put("initialPosition", name(s.initialPosition()))
        .put("receiverQueueSize", s.receiverQueueSize())
        .put("ackTimeoutMs", s.ackTimeoutMs())
        .put("consumerName", s.consumerName())
        .put("priorityLevel", s.priorityLevel())
        .put("negativeAckRedeliveryDelayMs", s.negativeAckRedeliveryDelayMs())
        .put("maxRedeliverCount", s.maxRedeliverCount())
        .put("deadLetterTopic", s.deadLetterTopic())
        .put("cryptoFailureAction", name(s.cryptoFailureAction()))
        .put("format", c.format.name())
        .put("principal", c.principal.name())
        .put("method", c.principal.method())
        .put("clientKey", c.clientKey);
  }

  static Spec fromJson(JsonObject json) {
    ConsumerSpec consumer = new ConsumerSpec(
        InstanceCalls.strings(json.getJsonArray("topics")),
        json.getString("topicsPattern"),
        json.getString("subscription"),
        value(SubscriptionType.class, json.getString("subscriptionType")),
        value(SubscriptionMode.class, json.getString("subscriptionMode")),
        value(SubscriptionInitialPosition.class, json.getString("initialPosition")),
        json.getInteger("receiverQueueSize"),
        json.getLong("ackTimeoutMs"),
        json.getString("consumerName"),
        json.getInteger("priorityLevel"),
        json.getLong("negativeAckRedeliveryDelayMs"),
        json.getInteger("maxRedeliverCount"),
        json.getString("deadLetterTopic"),
        value(ConsumerCryptoFailureAction.class, json.getString("cryptoFailureAction")));
    Principal principal = new Principal(json.getString("principal"), json.getString("method"), Optional.empty(),
        null);
    return new Spec(consumer, BodyFormat.valueOf(json.getString("format").toUpperCase(Locale.ROOT)), principal,
        json.getString("clientKey"));
  }

  private static String name(Enum<?> value) {
    return value == null ? null : value.name();
  }

  private static <E extends Enum<E>> E value(Class<E> type, String name) {
    return name == null ? null : Enum.valueOf(type, name);
  }
}
