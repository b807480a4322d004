package io.pulsarproxy.http.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.config.HttpConsumerConfig;
import io.pulsarproxy.config.Durations;
import io.pulsarproxy.core.cluster.SpecStore;
import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.consume.ConsumerSpec;
import io.pulsarproxy.core.consume.SessionEvent;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.edge.quota.Quotas;
import io.pulsarproxy.edge.quota.Reservation;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer instances of the HTTP API (long-poll instances and SSE streams) that one edge instance owns, by id.
 * Each is served on the event bus at {@code Addresses.consumerInstance(id)} (JSON requests, {@link InstanceCalls}),
 * so that a request through any edge instance reaches it. Bounds them, with the node's other edge instances
 * ({@link NodeInstances}), in total ({@code httpConsumer.maxInstances}, 503) and per client
 * ({@code httpConsumer.maxInstancesPerClient}, 429; the client is the {@code X-Client-Id} header, else the remote
 * address), closes instances nobody polled for {@code httpConsumer.idleTimeout}, and remembers why recent instances
 * went away (still answering at their address) so that a late request gets a clear 404. Closing an instance never
 * acknowledges anything: Pulsar delivers again what it had not acknowledged.
 *
 * <p>When the proxy runs clustered, the specs of long-poll instances are kept in the cluster's {@link SpecStore}
 * ({@link #share}) until they go away; another node re-creates such an instance under its id ({@link #reopen}) when
 * its node left, and on shutdown this registry hands them over ({@link #shutdown}) instead of closing them for good.
 *
 * <p>Confined to the owning edge verticle's context: every method runs there, and so do the session events and the
 * requests to the instances' addresses.
 */
final class ConsumerRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerRegistry.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Why an instance went away that was handed over to another node: its address answers INSTANCE_MOVING. */
  private static final String HANDED_OVER = "was handed over to another node";

  private final Vertx vertx;
  private final ConsumerClient service;
  private final NodeInstances node;
  private final Handler<Message<JsonObject>> calls;
  /** The cluster's map of instance specs; null when the proxy does not run clustered. */
  private final SpecStore specs;
  private final Map<String, HttpConsumer> instances = new HashMap<>();
  /** The addresses served, of open instances and of those in {@link #gone}. */
  private final Map<String, MessageConsumer<JsonObject>> addressed = new HashMap<>();
  /** Why recently closed instances went away, the oldest forgotten first (bounded by maxInstances). */
  private final Map<String, String> gone = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      if (size() <= config.maxInstances()) {
        return false;
      }
      unaddress(eldest.getKey());
      return true;
    }
  };
  private HttpConsumerConfig config;
  private long sweeper = -1;
  private boolean stopped;

  /**
   * @param calls serves the requests sent to an instance's address (call it on this registry's context); it finds the
   *              instance with {@link #get}
   */
  ConsumerRegistry(Vertx vertx, ConsumerClient service, HttpConsumerConfig config, NodeInstances node,
      Handler<Message<JsonObject>> calls, SpecStore specs) {
    this.vertx = vertx;
    this.specs = specs;
    this.service = service;
    this.config = config;
    this.node = node;
    this.calls = calls;
    schedule();
  }

  void reconfigure(HttpConsumerConfig newConfig) {
    boolean newPeriod = !newConfig.idleTimeout().equals(config.idleTimeout());
    config = newConfig;
    if (newPeriod) {
      schedule();
    }
  }

  HttpConsumerConfig config() {
    return config;
  }

  /** Whether the proxy is stopping: nothing is opened or taken over any more. */
  boolean stopped() {
    return stopped;
  }

  /**
   * Opens a consume-service session for a new instance whose messages go to the delivery {@code deliveryOf} makes.
   * Fails with 503 / 429 above the limits, or with the consume service's error. {@code quota} counts the instance
   * against its principal's quota ({@code quotas.maxConsumerInstances} or {@code quotas.maxSseStreams}) until it goes
   * away, whichever way; it is given back at once when the instance cannot be opened.
   */
  Future<HttpConsumer> open(String clientKey, Principal principal, Secret token, ConsumerSpec spec, BodyFormat format,
      Reservation quota, Function<HttpConsumer, Delivery> deliveryOf) {
    if (stopped) {
      quota.release();
      return Future.failedFuture(new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down"));
    }
    int max = config.maxInstances();
    int maxPerClient = config.maxInstancesPerClient();
    return node.acquire(clientKey, max, maxPerClient)
        .transform(counted -> {
          ProxyException refused = null;
          if (counted.failed()) {
            refused = Quotas.unreachable(counted.cause());
          } else if (counted.result() == NodeInstances.Refusal.NODE) {
            refused = new ProxyException(ErrorCode.OVERLOADED, "the proxy holds " + max
                + " HTTP consumer instances and streams, its limit (httpConsumer.maxInstances); retry later");
          } else if (counted.result() == NodeInstances.Refusal.CLIENT) {
            refused = new ProxyException(ErrorCode.TOO_MANY_REQUESTS, "this client holds " + maxPerClient
                + " consumer instances and streams, its limit (httpConsumer.maxInstancesPerClient); delete some or "
                + "retry later");
          } else if (stopped) {
            node.release(clientKey);
            refused = new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down");
          }
          if (refused != null) {
            quota.release();
            return Future.failedFuture(refused);
          }
          return opened(clientKey, principal, token, spec, format, quota, deliveryOf);
        });
  }

  /** {@link #open} once the instance is counted. */
  private Future<HttpConsumer> opened(String clientKey, Principal principal, Secret token, ConsumerSpec spec,
      BodyFormat format, Reservation quota, Function<HttpConsumer, Delivery> deliveryOf) {
    HttpConsumer c = new HttpConsumer(newId(), clientKey, principal, spec, format, System.currentTimeMillis(), quota);
    c.delivery = deliveryOf.apply(c);
    instances.put(c.id, c);
    c.events = vertx.eventBus().localConsumer(Addresses.session(c.id), msg -> onEvent(c, msg.body()));
    addressed.put(c.id, vertx.eventBus().consumer(Addresses.consumerInstance(c.id), calls));
    Future<Void> previous = Future.fromCompletionStage(node.closing(subscriptionKey(spec)),
        vertx.getOrCreateContext());
    return previous.transform(ignored -> service.open(c.id, spec, token, format == BodyFormat.JSON))
        .map(v -> {
          c.open = true;
          c.lastActivity = System.currentTimeMillis();
          return c;
        })
        .recover(err -> {
          forget(c, null);
          return Future.failedFuture(err);
        });
  }

  /**
   * Keeps the spec of {@code c} in the cluster's map (it must not have been created with a forwarded token: no other
   * node could act with it), so that another node can take it over; it is removed when {@code c} goes away. Fails
   * (503 {@code OVERLOADED}) when this edge instance owns {@code httpConsumer.maxInstances} specs already.
   */
  Future<Void> share(HttpConsumer c) {
    return specs.put(c.id, InstanceSpecs.toJson(c)).onSuccess(v -> {
      if (instances.get(c.id) == c) {
        c.shared = true;
      } else {
        // closed while its spec was being stored
        specs.remove(c.id);
      }
    });
  }

  /**
   * Re-creates instance {@code id}, which this node claimed from a node that left or handed it over: the same
   * subscription, so Pulsar delivers again what it had delivered and not seen acknowledged; its idle clock starts
   * now. Counted against {@code httpConsumer.maxInstances} of this node and, clustered, of the cluster (whose count
   * no longer holds the departed node's share), not against the per-client limit nor a principal's quota, which
   * counted it where it was created. Served at its address once its Pulsar side is open. On failure its spec stays
   * in the cluster's map, claimed by this node.
   */
  Future<HttpConsumer> reopen(String id, InstanceSpecs.Spec spec, Function<HttpConsumer, Delivery> deliveryOf) {
    if (stopped) {
      return Future.failedFuture(new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down"));
    }
    return node.acquire(spec.clientKey(), config.maxInstances(), Integer.MAX_VALUE).compose(refused -> {
      if (refused != null) {
        return Future.failedFuture(new ProxyException(ErrorCode.OVERLOADED, "the proxy holds "
            + config.maxInstances() + " HTTP consumer instances and streams, its limit (httpConsumer.maxInstances)"));
      }
      if (stopped) {
        node.release(spec.clientKey());
        return Future.failedFuture(new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down"));
      }
      return reopenCounted(id, spec, deliveryOf);
    });
  }

  private Future<HttpConsumer> reopenCounted(String id, InstanceSpecs.Spec spec,
      Function<HttpConsumer, Delivery> deliveryOf) {
    gone.remove(id);
    unaddress(id);
    HttpConsumer c = new HttpConsumer(id, spec.clientKey(), spec.principal(), spec.consumer(), spec.format(),
        System.currentTimeMillis(), Reservation.NONE);
    c.delivery = deliveryOf.apply(c);
    c.shared = true;
    instances.put(id, c);
    c.events = vertx.eventBus().localConsumer(Addresses.session(id), msg -> onEvent(c, msg.body()));
    return service.open(id, spec.consumer(), null, spec.format() == BodyFormat.JSON)
        .compose(v -> {
          if (instances.get(id) != c) {
            return Future.failedFuture(new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down"));
          }
          c.open = true;
          c.lastActivity = System.currentTimeMillis();
          addressed.put(id, vertx.eventBus().consumer(Addresses.consumerInstance(id), calls));
          return Future.succeededFuture(c);
        })
        .recover(err -> {
          c.shared = false; // its spec stays in the cluster's map: the caller tries again, or gives it up
          forget(c, null);
          return Future.failedFuture(err);
        });
  }

  /**
   * The open instance {@code id} of the principal named {@code principal}; a 404 that says why when it is unknown,
   * closed or expired, and the same 404 as for an unknown id when another principal (by name) created it.
   */
  HttpConsumer get(String id, String principal) {
    HttpConsumer c = instances.get(id);
    if (c != null && !c.principal.name().equals(principal)) {
      throw unknown(id);
    }
    if (c != null && c.open) {
      c.lastActivity = System.currentTimeMillis();
      return c;
    }
    String why = gone.get(id);
    if (HANDED_OVER.equals(why)) {
      throw moving(id);
    }
    throw why != null ? new ProxyException(ErrorCode.NOT_FOUND, "consumer instance " + id + " " + why
        + "; create a new one") : unknown(id);
  }

  /** Runs {@code action} with instance {@code id} if it is open here; does not count as activity. */
  void ifOpen(String id, java.util.function.Consumer<HttpConsumer> action) {
    HttpConsumer c = instances.get(id);
    if (c != null && c.open) {
      action.accept(c);
    }
  }

  /** The 503 of an instance that no node serves at the moment. */
  static ProxyException moving(String id) {
    return new ProxyException(ErrorCode.INSTANCE_MOVING, "consumer instance " + id
        + " is moving to another node of the cluster; retry");
  }

  /** The 404 of an id no edge instance serves (unknown, or forgotten long ago). */
  static ProxyException unknown(String id) {
    return new ProxyException(ErrorCode.NOT_FOUND, "no consumer instance " + id
        + " (unknown id, or closed long ago); create one with POST /api/v1/consumers");
  }

  /**
   * Closes {@code c} (removing the subscription with {@code unsubscribe}); what waits on it is answered 404 with
   * {@code why}. Completes once the consume service closed the Pulsar side.
   */
  Future<Void> close(HttpConsumer c, boolean unsubscribe, String why) {
    return close(c, unsubscribe, why, new ProxyException(ErrorCode.NOT_FOUND, "consumer instance " + c.id + " " + why));
  }

  /** {@link #close(HttpConsumer, boolean, String)}, telling what waits on it {@code reason}. */
  Future<Void> close(HttpConsumer c, boolean unsubscribe, String why, ProxyException reason) {
    if (instances.get(c.id) != c) {
      return Future.succeededFuture();
    }
    forget(c, why);
    c.delivery.onEnded(reason);
    Future<Void> closed = service.close(c.id, unsubscribe);
    if (c.delivery instanceof SseStream) {
      node.closing(subscriptionKey(c.spec), closed.otherwiseEmpty().toCompletionStage());
    }
    return closed;
  }

  /**
   * Ends every poll and stream (they answer 503) and closes every instance: the proxy is stopping. Instances whose
   * spec the cluster keeps are handed over instead: no longer served here (their address answers
   * {@code INSTANCE_MOVING}, which the sender retries), a waiting poll answered {@code []}, their Pulsar consumer
   * closed (Pulsar delivers again what was not acknowledged), then their spec released for another node to claim at
   * once. Completes with the ids of those handed over.
   */
  Future<List<String>> shutdown() {
    stopped = true;
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
    List<Future<Void>> closes = new ArrayList<>();
    List<String> handedOver = new ArrayList<>();
    for (HttpConsumer c : List.copyOf(instances.values())) {
      if (c.shared && c.open && c.delivery instanceof PollBuffer poller) {
        c.shared = false;
        forget(c, HANDED_OVER);
        poller.handOver();
        closes.add(service.close(c.id, false).otherwiseEmpty().compose(v -> specs.release(c.id))
            .onFailure(err -> LOG.warn("Consumer instance {} not released for another node: {}", c.id,
                err.getMessage()))
            .otherwiseEmpty());
        handedOver.add(c.id);
        continue;
      }
      forget(c, "was closed: the proxy is shutting down");
      c.delivery.onEnded(new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down; reconnect"));
      if (c.open) {
        closes.add(service.close(c.id, false).otherwiseEmpty());
      }
    }
    return Future.join(closes).map(v -> handedOver);
  }

  private void onEvent(HttpConsumer c, SessionEvent event) {
    if (instances.get(c.id) != c) {
      return;
    }
    if (event instanceof SessionEvent.Delivered d) {
      c.delivery.onMessages(d.messages());
    } else if (event instanceof SessionEvent.Ended e) {
      forget(c, "was ended by Pulsar: " + e.reason().getMessage());
      c.delivery.onEnded(e.reason());
    }
  }

  private void forget(HttpConsumer c, String why) {
    if (instances.remove(c.id, c)) {
      node.release(c.clientKey);
    }
    if (c.shared) {
      c.shared = false;
      specs.remove(c.id).onFailure(err -> LOG.warn("The spec of consumer instance {} stays in the cluster's map: {}",
          c.id, err.getMessage()));
    }
    c.quota.release();
    if (why != null) {
      gone.put(c.id, why);
    } else {
      unaddress(c.id);
    }
    if (c.events != null) {
      c.events.unregister();
    }
    if (c.expiryTimer >= 0) {
      vertx.cancelTimer(c.expiryTimer);
    }
  }

  private void unaddress(String id) {
    MessageConsumer<JsonObject> served = addressed.remove(id);
    if (served != null) {
      served.unregister();
    }
  }

  private void sweep() {
    long idleMs = config.idleTimeout().toMillis();
    long now = System.currentTimeMillis();
    for (HttpConsumer c : List.copyOf(instances.values())) {
      if (c.open && c.delivery.expiresWhenIdle() && now - c.lastActivity >= idleMs) {
        LOG.info("Closing consumer instance {} of subscription {}: no request for {}", c.id, c.spec.subscription(),
            Durations.format(config.idleTimeout()));
        close(c, false, "was closed after " + Durations.format(config.idleTimeout())
            + " without requests (httpConsumer.idleTimeout)");
      }
    }
  }

  private void schedule() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
    long period = Math.max(50, Math.min(10_000, config.idleTimeout().toMillis() / 4));
    sweeper = vertx.setPeriodic(period, t -> sweep());
  }

  private static String subscriptionKey(ConsumerSpec spec) {
    return spec.subscription() + "|" + spec.topics() + "|" + spec.topicsPattern();
  }

  /** 128 random bits, URL-safe. */
  private static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
