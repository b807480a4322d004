package io.pulsarproxy.http.consume;

import io.pulsarproxy.core.consume.ConsumerSpec;
import io.pulsarproxy.core.consume.SessionEvent;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.edge.quota.Reservation;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * One consumer instance of the HTTP API: a session of the consume service (its id is the instance id, random and
 * unguessable, so knowing it is what lets a client use it), where its messages go, and who opened it. Confined to
 * the edge verticle's context.
 */
final class HttpConsumer {
  static final String BASE_PATH = "/api/v1/consumers/";

  final String id;
  final String clientKey;
  /** The principal that created the instance: only it may use it (others get 404); its expiry ends a stream. */
  final Principal principal;
  /** Ends an SSE stream when its token expires ({@code auth.closeOnExpiry}); -1 for none. */
  long expiryTimer = -1;
  final ConsumerSpec spec;
  final BodyFormat format;
  /** Its place in its principal's quota of instances or streams, given back when it goes away. */
  final Reservation quota;
  Delivery delivery;
  MessageConsumer<SessionEvent> events;
  long lastActivity;
  boolean open;
  /** Its spec is in the cluster's map, for another node to take it over; removed when it goes away. */
  boolean shared;

  HttpConsumer(String id, String clientKey, Principal principal, ConsumerSpec spec, BodyFormat format, long now,
      Reservation quota) {
    this.principal = principal;
    this.quota = quota;
    this.id = id;
    this.clientKey = clientKey;
    this.spec = spec;
    this.format = format;
    this.lastActivity = now;
  }

  /** Whether {@code {"upTo": id}} is allowed: Pulsar acknowledges cumulatively only on these subscription types. */
  boolean allowsCumulativeAck() {
    return spec.subscriptionType() == SubscriptionType.Exclusive
        || spec.subscriptionType() == SubscriptionType.Failover;
  }

  String path() {
    return BASE_PATH + id;
  }

  JsonObject links() {
    return new JsonObject()
        .put("self", path())
        .put("messages", path() + "/messages")
        .put("acks", path() + "/acks")
        .put("nacks", path() + "/nacks")
        .put("seek", path() + "/seek");
  }

  /** The answer to its creation: {@code {"id", "links"}}. */
  JsonObject created() {
    return new JsonObject().put("id", id).put("links", links());
  }

  JsonObject info() {
    JsonObject info = new JsonObject()
        .put("id", id)
        .put("topics", new JsonArray(spec.topics()))
        .put("subscription", spec.subscription())
        .put("subscriptionType", spec.subscriptionType().name())
        .put("format", format.wireName())
        .put("stream", delivery instanceof SseStream);
    if (spec.topicsPattern() != null) {
      info.put("topicsPattern", spec.topicsPattern());
    }
    if (delivery instanceof PollBuffer poller) {
      info.put("buffered", poller.buffered());
    }
    return info.put("links", links());
  }
}
