package io.pulsarproxy.http.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.bus.ServiceClient;
import io.pulsarproxy.core.cluster.SpecStore;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.Optional;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.edge.quota.Reservation;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.pulsarproxy.config.HttpConsumerConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.topic.Topic;
import io.pulsarproxy.edge.auth.Access;
import io.pulsarproxy.edge.auth.Action;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.edge.quota.Quota;
import io.pulsarproxy.edge.quota.Quotas;
import io.pulsarproxy.http.openapi.ApiContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pulsar.client.api.MessageIdAdv;

/**
 * The consume API's routes: consumer instances (create, poll, ack, nack, seek, delete), SSE streams and reads. The
 * handlers parse with {@link ConsumeRequests} and hand the work to the {@link ConsumerRegistry}, the instance's
 * {@link Delivery} or a {@link ReadPage}. An instance belongs to the edge instance that created it; requests about it
 * go to its address ({@link InstanceCalls}), whichever edge instance the client's connection is on, and the owner
 * answers them here ({@link #serve}). Runs on the edge verticle's context.
 *
 * <p>Clustered, a long-poll instance outlives its node: its spec is in the cluster's {@link SpecStore}; when its node
 * left, after {@code cluster.takeoverDelay} a survivor claims it and re-creates it under the same id
 * ({@link #takeOver}), and a stopping node hands its instances over at once ({@link #shutdown},
 * {@link Addresses#CONSUMERS_RELEASED}). A request to an instance that no node serves while its spec is there is
 * retried for up to {@code cluster.handoverWait}, then answered 503 {@code INSTANCE_MOVING} with {@code Retry-After}.
 */
public final class ConsumeApi {
  /** Header naming the client for the per-client limit; the remote address when absent. */
  public static final String CLIENT_ID_HEADER = "X-Client-Id";
  private static final String LAST_EVENT_ID = "Last-Event-ID";
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeApi.class);
  private static final String INFO = "info";
  private static final String DELETE = "delete";
  private static final String POLL = "poll";
  private static final String CANCEL_POLL = "cancelPoll";
  private static final String ACK = "ack";
  private static final String NACK = "nack";
  private static final String SEEK = "seek";
  /** How often a request to an instance that is moving is tried again. */
  private static final long RETRY_MS = 100;

  private final Vertx vertx;
  private final ConsumerClient service;
  private final ConsumerRegistry registry;
  private final SseResumes resumes;
  /** Pages being read, answered at once when the proxy stops; bounded by the in-flight requests. */
  private final Set<ReadPage> reads = new HashSet<>();
  private boolean closeOnExpiry;
  private long opTimeoutMs;
  /** The cluster's map of instance specs; null when the proxy does not run clustered. */
  private final SpecStore specs;
  private long takeoverDelayMs;
  private long handoverWaitMs;
  private long retryInitialDelayMs;
  private long retryMaxDelayMs;

  /**
   * @param node what the consumer instances of every edge instance of the node count together; create on the edge
   *             instance's context (the instances it creates are served there)
   */
  public ConsumeApi(Vertx vertx, ProxyConfig config, NodeInstances node) {
    this(vertx, config, node, null);
  }

  /**
   * @param nodeId this node's id in the cluster; null when the proxy does not run clustered
   */
  public ConsumeApi(Vertx vertx, ProxyConfig config, NodeInstances node, String nodeId) {
    this.vertx = vertx;
    this.closeOnExpiry = config.auth().closeOnExpiry();
    this.opTimeoutMs = instanceTimeoutMs(config);
    this.takeoverDelayMs = config.cluster().takeoverDelay().toMillis();
    this.handoverWaitMs = config.cluster().handoverWait().toMillis();
    this.retryInitialDelayMs = config.resilience().retryInitialDelay().toMillis();
    this.retryMaxDelayMs = config.resilience().retryMaxDelay().toMillis();
    this.service = new ConsumerClient(vertx, config);
    this.specs = nodeId == null ? null : new SpecStore(vertx, nodeId, config.httpConsumer().maxInstances());
    this.registry = new ConsumerRegistry(vertx, service, config.httpConsumer(), node, this::serve, specs);
    this.resumes = new SseResumes(vertx, config.httpConsumer().maxInstances(),
        config.httpConsumer().idleTimeout().toMillis());
    if (specs != null) {
      vertx.eventBus().<String>localConsumer(Addresses.CLUSTER_NODE_LEFT, msg -> {
        String departed = msg.body();
        vertx.setTimer(Math.max(1, takeoverDelayMs), t -> {
          takeOver(departed);
          // and what a stopping node released but nobody claimed
          takeOver(SpecStore.RELEASED);
        });
      });
      vertx.eventBus().<String>consumer(Addresses.CONSUMERS_RELEASED, msg -> takeOver(SpecStore.RELEASED));
    }
  }

  /**
   * How long a request to a consumer instance may take: the owner's own wait for the consume service
   * ({@code pulsar.operationTimeout} and the margin) and a margin for the hop to the owner.
   */
  private static long instanceTimeoutMs(ProxyConfig config) {
    return config.pulsar().operationTimeout().toMillis() + 2 * ServiceClient.MARGIN_MS;
  }

  public void reconfigure(ProxyConfig config) {
    closeOnExpiry = config.auth().closeOnExpiry();
    opTimeoutMs = instanceTimeoutMs(config);
    takeoverDelayMs = config.cluster().takeoverDelay().toMillis();
    handoverWaitMs = config.cluster().handoverWait().toMillis();
    retryInitialDelayMs = config.resilience().retryInitialDelay().toMillis();
    retryMaxDelayMs = config.resilience().retryMaxDelay().toMillis();
    service.reconfigure(config);
    registry.reconfigure(config.httpConsumer());
    resumes.reconfigure(config.httpConsumer().maxInstances(), config.httpConsumer().idleTimeout().toMillis());
  }

  /**
   * Ends polls, streams and reads, and closes every instance: the proxy is stopping. Clustered, the long-poll instances
   * are handed over: once released, the other nodes are told to claim them at once.
   */
  public Future<Void> shutdown() {
    List.copyOf(reads).forEach(ReadPage::end);
    return registry.shutdown().compose(handedOver -> {
      if (handedOver.isEmpty()) {
        return Future.succeededFuture();
      }
      vertx.eventBus().publish(Addresses.CONSUMERS_RELEASED, specs.nodeId());
      // Served here (INSTANCE_MOVING) until another node claimed them, so that no request is lost in between; not
      // waited for when this node is alone in its cluster.
      long until = System.currentTimeMillis() + handoverWaitMs;
      return otherMembers()
          .compose(others -> others ? Future.join(handedOver.stream().map(id -> claimed(id, until)).toList())
              : Future.succeededFuture())
          .onComplete(done -> LOG.info("Handed {} consumer instances over to the other nodes", handedOver.size()))
          .<Void>mapEmpty().otherwiseEmpty();
    });
  }

  /** Whether the cluster has members besides this node (true when that cannot be told). */
  private Future<Boolean> otherMembers() {
    return vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_STATUS, null)
        .map(status -> status.body().getJsonArray("members", new JsonArray()).size() > 1)
        .otherwise(true);
  }

  /** Completes once instance {@code id} has an owner again or is gone (or at {@code until}). */
  private Future<Void> claimed(String id, long until) {
    return specs.get(id).otherwise(Optional.empty()).compose(entry -> {
      if (entry.isEmpty() || !entry.get().owner().equals(SpecStore.RELEASED)
          || System.currentTimeMillis() >= until) {
        return Future.succeededFuture();
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(RETRY_MS, t -> claimed(id, until).onComplete(later));
      return later.future();
    });
  }

  /** Claims the instances {@code owner} owned ({@link SpecStore#RELEASED}: given up) and re-creates those it won. */
  private void takeOver(String owner) {
    if (registry.stopped()) {
      return;
    }
    specs.ownedBy(owner)
        .onSuccess(entries -> entries.forEach(this::takeOver))
        .onFailure(err -> LOG.warn("Could not read the consumer instances to take over: {}", err.getMessage()));
  }

  private void takeOver(SpecStore.Entry entry) {
    InstanceSpecs.Spec spec;
    try {
      spec = InstanceSpecs.fromJson(entry.spec());
    } catch (RuntimeException unreadable) {
      LOG.warn("Consumer instance {} has a spec this node cannot read ({}); not taken over", entry.id(),
          unreadable.toString());
      return;
    }
    specs.claim(entry).onSuccess(won -> {
      if (won) {
        reopen(entry, spec, System.currentTimeMillis() + registry.config().idleTimeout().toMillis(),
            retryInitialDelayMs);
      }
    });
  }

  /**
   * Re-creates a claimed instance. A failure (Pulsar unreachable, this node full) is tried again, the backoff doubling
   * from {@code resilience.retryInitialDelay} to {@code resilience.retryMaxDelay}, until {@code until} (its idle
   * timeout after the takeover began: nobody could use it meanwhile, and it would have expired); requests to it are
   * answered 503 {@code INSTANCE_MOVING} meanwhile. Then it is forgotten (404). A node that stops meanwhile releases
   * it to the others.
   */
  private void reopen(SpecStore.Entry entry, InstanceSpecs.Spec spec, long until, long backoffMs) {
    registry.reopen(entry.id(), spec, c -> new PollBuffer(c, service, vertx))
        .onSuccess(c -> LOG.info("Took over consumer instance {} of subscription {} from node {}", c.id,
            c.spec.subscription(), entry.owner().isEmpty() ? "(released)" : entry.owner()))
        .onFailure(err -> {
          if (registry.stopped()) {
            specs.release(entry.id())
                .onSuccess(v -> vertx.eventBus().publish(Addresses.CONSUMERS_RELEASED, specs.nodeId()));
            return;
          }
          if (System.currentTimeMillis() + backoffMs >= until) {
            LOG.warn("Could not take over consumer instance {} of subscription {}: {}; gave up after its idle "
                + "timeout, it is gone", entry.id(), spec.consumer().subscription(), err.getMessage());
            specs.remove(entry.id());
            return;
          }
          LOG.warn("Could not take over consumer instance {} of subscription {} yet: {}; trying again in {} ms",
              entry.id(), spec.consumer().subscription(), err.getMessage(), backoffMs);
          vertx.setTimer(backoffMs, t -> specs.get(entry.id()).otherwise(Optional.empty()).onSuccess(now -> {
            // Still this node's: not deleted meanwhile.
            if (now.isPresent() && now.get().owner().equals(specs.nodeId())) {
              reopen(entry, spec, until, Math.min(backoffMs * 2, retryMaxDelayMs));
            }
          }));
        });
  }

  /**
   * Asks instance {@code id}'s owner. Clustered, a request that no node answers (nobody serves the id, the owner could
   * not be reached or did not answer) while the instance's spec is in the cluster's map is about an instance that is
   * moving: tried again every {@link #RETRY_MS} for up to {@code cluster.handoverWait}, then 503
   * {@code INSTANCE_MOVING} with {@code Retry-After}. Without a spec it is the 404 of an unknown instance.
   */
  private Future<JsonObject> request(String id, JsonObject call, long timeoutMs) {
    if (specs == null) {
      return InstanceCalls.request(vertx, id, call, timeoutMs);
    }
    return attempt(id, call, timeoutMs, System.currentTimeMillis() + handoverWaitMs, false);
  }

  /**
   * One try: the owner's answer; {@code INSTANCE_MOVING} from a node that handed the instance over is tried again
   * until {@code until}. After one time-out (the owner stopped answering: it may have died with the request) it is
   * tried once more, with a new {@code cluster.handoverWait}.
   */
  private Future<JsonObject> attempt(String id, JsonObject call, long timeoutMs, long until, boolean timedOut) {
    return InstanceCalls.request(vertx, id, call, timeoutMs, err -> specs.get(id).otherwise(Optional.empty())
            .compose(entry -> {
              if (entry.isEmpty()) {
                return Future.failedFuture(InstanceCalls.unanswered(id, err));
              }
              if (err.failureType() == ReplyFailure.TIMEOUT) {
                return timedOut ? Future.failedFuture(ConsumerRegistry.moving(id))
                    : attempt(id, call, timeoutMs, System.currentTimeMillis() + handoverWaitMs, true);
              }
              return Future.failedFuture(ConsumerRegistry.moving(id));
            }))
        .recover(err -> err instanceof ProxyException e && e.code() == ErrorCode.INSTANCE_MOVING
            && System.currentTimeMillis() < until ? later(() -> attempt(id, call, timeoutMs, until, timedOut))
            : Future.failedFuture(err));
  }

  private Future<JsonObject> later(java.util.function.Supplier<Future<JsonObject>> retry) {
    Promise<JsonObject> retried = Promise.promise();
    vertx.setTimer(RETRY_MS, t -> retry.get().onComplete(retried));
    return retried.future();
  }

  public void mount(Router router, ApiContract contract) {
    contract.route(router, "createConsumer", this::create);
    contract.route(router, "getConsumer", ctx -> call(ctx, InstanceCalls.call(INFO, principal(ctx)), opTimeoutMs));
    contract.route(router, "deleteConsumer", this::delete);
    // Its query is all a poll has, and ConsumeRequests.poll checks every parameter the contract does and refuses
    // those it does not know: the generic validation would only add a worker thread's hop to every poll.
    contract.routeSelfValidated(router, "pollMessages", this::poll);
    // An ack, a nack or a seek is a small JSON object: its content type and fields are checked on the event loop
    // (routeJsonBody), the values by ConsumeRequests. The generic validation cost each ack about 0.5 ms of a worker's
    // CPU and a hop there and back; these checks cost about 0.1 ms on the loop.
    contract.routeJsonBody(router, "ackMessages", this::ack);
    contract.routeJsonBody(router, "nackMessages", this::nack);
    contract.routeJsonBody(router, "seekConsumer", this::seek);
    contract.route(router, "streamEvents", this::stream);
    contract.route(router, "readMessages", this::read);
  }

  private void create(RoutingContext ctx) {
    ConsumeRequests.Subscribe request = ConsumeRequests.subscribe(body(ctx), registry.config());
    request.spec().topics().forEach(topic -> Access.check(ctx, Action.CONSUME, topic));
    if (request.spec().topicsPattern() != null) {
      Access.checkPattern(ctx, Action.CONSUME, request.spec().topicsPattern());
    }
    Principal principal = Access.principal(ctx);
    Quotas quotas = Quotas.of(ctx);
    Secret token = Access.brokerToken(ctx);
    quotas.acrossCluster(principal, Quota.CONSUMER_INSTANCES, quotas.reserve(principal, Quota.CONSUMER_INSTANCES))
        .compose(quota -> registry.open(clientKey(ctx), principal, token, request.spec(), request.format(), quota,
            c -> new PollBuffer(c, service, vertx)))
        // Clustered, its spec is kept for another node to take it over; not one acting with the client's own token.
        .compose(c -> specs == null || token != null ? Future.succeededFuture(c) : registry.share(c).map(c)
            .recover(err -> registry.close(c, false, "could not be kept by the cluster")
                .transform(closed -> Future.failedFuture(err))))
        .onSuccess(c -> {
          ctx.response().putHeader(HttpHeaders.LOCATION, c.path());
          json(ctx, 201, c.created());
        })
        .onFailure(err -> fail(ctx, err));
  }

  private void delete(RoutingContext ctx) {
    boolean unsubscribe = ConsumeRequests.unsubscribe(ctx.queryParams());
    call(ctx, InstanceCalls.call(DELETE, principal(ctx)).put("unsubscribe", unsubscribe), opTimeoutMs);
  }

  private void poll(RoutingContext ctx) {
    ConsumeRequests.Poll request = ConsumeRequests.poll(ctx.queryParams(), registry.config());
    String id = ctx.pathParam("id");
    String pollId = UUID.randomUUID().toString();
    JsonObject call = InstanceCalls.call(POLL, principal(ctx)).put("max", request.max())
        .put("waitMs", request.waitMs()).put("pollId", pollId);
    // The client went away while its poll waits: the instance may be polled again at once, as before.
    ctx.response().closeHandler(v -> InstanceCalls.send(vertx, id,
        InstanceCalls.call(CANCEL_POLL, principal(ctx)).put("pollId", pollId)));
    request(id, call, request.waitMs() + opTimeoutMs)
        .onSuccess(answer -> {
          List<String> ids = InstanceCalls.strings(answer.getJsonArray(InstanceCalls.IDS));
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(answer.getBuffer(InstanceCalls.BODY))
              .onFailure(err -> {
                if (!ids.isEmpty()) {
                  LOG.debug("Poll answer of {} not delivered ({}); asking Pulsar to redeliver {} messages", id,
                      err.getMessage(), ids.size());
                  InstanceCalls.send(vertx, id, InstanceCalls.call(NACK, principal(ctx))
                      .put("messageIds", new JsonArray(ids)));
                }
              });
        })
        .onFailure(err -> fail(ctx, err));
  }

  private void ack(RoutingContext ctx) {
    ConsumeRequests.Ack request = ConsumeRequests.ack(body(ctx));
    JsonObject call = InstanceCalls.call(ACK, principal(ctx));
    if (request.upTo() != null) {
      call.put("upTo", request.upTo());
    } else {
      call.put("messageIds", new JsonArray(request.messageIds()));
    }
    call(ctx, call, opTimeoutMs);
  }

  private void nack(RoutingContext ctx) {
    call(ctx, InstanceCalls.call(NACK, principal(ctx))
        .put("messageIds", new JsonArray(ConsumeRequests.nack(body(ctx)))), opTimeoutMs);
  }

  private void seek(RoutingContext ctx) {
    ConsumeRequests.Seek request = ConsumeRequests.seek(body(ctx));
    call(ctx, InstanceCalls.call(SEEK, principal(ctx)).put("messageId", request.messageId())
        .put("timestamp", request.timestamp()), 2 * opTimeoutMs);
  }

  /** Asks the instance's owner, wherever it is, and answers the client with what it says. */
  private void call(RoutingContext ctx, JsonObject call, long timeoutMs) {
    request(ctx.pathParam("id"), call, timeoutMs)
        .onSuccess(answer -> {
          int status = answer.getInteger(InstanceCalls.STATUS);
          Object body = answer.getValue(InstanceCalls.BODY);
          if (body instanceof JsonObject json) {
            json(ctx, status, json);
          } else {
            ctx.response().setStatusCode(status).end();
          }
        })
        .onFailure(err -> fail(ctx, err));
  }

  /**
   * Serves a request to one of this edge instance's consumer instances ({@link InstanceCalls}), on its context:
   * the same checks and answers as when the client's request came to this instance.
   */
  private void serve(Message<JsonObject> msg) {
    JsonObject call = msg.body();
    String id = msg.address().substring(Addresses.CONSUMER_INSTANCE_PREFIX.length());
    String op = call.getString(InstanceCalls.OP, "");
    try {
      if (op.equals(CANCEL_POLL)) {
        registry.ifOpen(id, c -> {
          if (c.delivery instanceof PollBuffer poller) {
            poller.cancel(call.getString("pollId", ""));
          }
        });
        return;
      }
      HttpConsumer c = registry.get(id, call.getString(InstanceCalls.PRINCIPAL, ""));
      switch (op) {
        case INFO -> InstanceCalls.ok(msg, 200, c.info());
        case DELETE -> {
          boolean unsubscribe = call.getBoolean("unsubscribe", false);
          answer(msg, registry.close(c, unsubscribe, unsubscribe ? "was deleted and unsubscribed" : "was deleted"));
        }
        case POLL -> {
          if (!(c.delivery instanceof PollBuffer poller)) {
            throw new ProxyException(ErrorCode.CONFLICT, "consumer instance " + c.id
                + " belongs to an SSE stream: its messages come on the stream, only acks and nacks are accepted here");
          }
          poller.poll(new BusPoll(msg, call.getString("pollId", "")), call.getInteger("max"),
              call.getLong("waitMs"));
        }
        case ACK -> {
          String upTo = call.getString("upTo");
          if (upTo != null && !c.allowsCumulativeAck()) {
            throw ProxyException.badField("upTo", "cumulative acknowledgement needs an Exclusive or Failover "
                + "subscription; this one is " + c.spec.subscriptionType() + " (acknowledge with 'messageIds')");
          }
          answer(msg, service.send(upTo != null
              ? new ConsumerCommand.AckCumulative(c.id, upTo)
              : new ConsumerCommand.Ack(c.id, InstanceCalls.strings(call.getJsonArray("messageIds")), 0)));
        }
        case NACK -> answer(msg, service.send(new ConsumerCommand.Nack(c.id,
            InstanceCalls.strings(call.getJsonArray("messageIds")), 0)));
        case SEEK -> {
          // Dropped before the seek, not after: messages from the new position may arrive before the seek's answer.
          c.delivery.onSeek();
          answer(msg, seek(c, call.getString("messageId"), call.getLong("timestamp")));
        }
        default -> throw new ProxyException(ErrorCode.BAD_REQUEST, "unknown consumer instance operation " + op);
      }
    } catch (ProxyException e) {
      InstanceCalls.fail(msg, e);
    }
  }

  /** Answers 204 when {@code done} succeeds, else the error it failed with. */
  private static void answer(Message<JsonObject> msg, Future<?> done) {
    done.onSuccess(v -> InstanceCalls.ok(msg, 204, null))
        .onFailure(err -> InstanceCalls.fail(msg, failure(err)));
  }

  private static ProxyException failure(Throwable err) {
    ProxyException e = PulsarErrors.map(err);
    if (e.code() == ErrorCode.INTERNAL_ERROR) {
      LOG.error("Unexpected failure of a consumer instance request", err);
    }
    return e;
  }

  /** A poll whose answer goes back over the event bus to the edge instance serving the client. */
  private record BusPoll(Message<JsonObject> msg, String pollId) implements PollBuffer.PollReply {
    @Override
    public void answer(JsonArray messages, List<String> ids) {
      InstanceCalls.pollAnswer(msg, messages, ids);
    }

    @Override
    public void fail(ProxyException error) {
      InstanceCalls.fail(msg, error);
    }
  }

  /**
   * Seeks, then acknowledges the message sought to: Pulsar's consumer resumes after it and never delivers it again,
   * so unacknowledged it would stay in the backlog for good. Not for a message of a batch: its id as clients see it
   * does not say the batch's size, and acknowledging it could acknowledge the rest of the batch with it.
   */
  private Future<Object> seek(HttpConsumer c, String messageId, Long timestamp) {
    Future<Object> sought = service.send(new ConsumerCommand.Seek(c.id, messageId, timestamp));
    if (messageId == null || MessageIds.decode(messageId, "messageId") instanceof MessageIdAdv adv
        && adv.getBatchIndex() >= 0) {
      return sought;
    }
    return sought.compose(v -> service.send(new ConsumerCommand.Ack(c.id, List.of(messageId), 0)));
  }

  private void stream(RoutingContext ctx) {
    Topic topic = topic(ctx);
    Access.check(ctx, Action.CONSUME, topic.fullName());
    ConsumeRequests.Stream request = ConsumeRequests.stream(topic, ctx.pathParam("subscription"), ctx.queryParams(),
        registry.config());
    HttpConsumerConfig limits = registry.config();
    String owner = Access.principal(ctx).name();
    String subscription = topic.fullName() + "|" + request.spec().subscription();
    Quotas quotas = Quotas.of(ctx);
    Future<Reservation> counted = quotas.acrossCluster(Access.principal(ctx), Quota.SSE_STREAMS,
        quotas.reserve(Access.principal(ctx), Quota.SSE_STREAMS));
    // With ack=auto the last event the client received confirms what the ended stream had written up to it; the
    // edge instance that holds (or held) that stream says which messages that is.
    String lastEventId = ctx.request().getHeader(LAST_EVENT_ID);
    counted.compose(quota -> {
      Future<Set<String>> resumed = request.clientAck() || lastEventId == null
          ? Future.succeededFuture(new HashSet<>()) : resumes.lookup(lastEventId, owner, subscription, opTimeoutMs);
      return resumed.transform(found -> {
        if (found.failed()) {
          quota.release();
          return Future.failedFuture(found.cause());
        }
        return registry.open(clientKey(ctx), Access.principal(ctx), Access.brokerToken(ctx), request.spec(),
            request.format(), quota, c -> new SseStream(c, ctx.response(), service, vertx, request.clientAck(),
                resumes, subscription, found.result(), limits.sseConfirmDelay().toMillis(),
                limits.sseMaxUnconfirmed()));
      });
    })
        .onSuccess(c -> {
          SseStream stream = (SseStream) c.delivery;
          ctx.response().closeHandler(v -> registry.close(c, false, "was closed with its stream"));
          endOnExpiry(c);
          stream.start(limits.sseHeartbeatInterval().toMillis(),
              () -> registry.close(c, false, "was replaced by a reconnection"));
        })
        .onFailure(err -> fail(ctx, err));
  }

  private void read(RoutingContext ctx) {
    Topic topic = topic(ctx);
    Access.check(ctx, Action.READ, topic.fullName());
    ConsumeRequests.Read request = ConsumeRequests.read(topic, ctx.queryParams(), registry.config());
    ReadPage page = new ReadPage(ctx, request, Access.brokerToken(ctx), service, vertx, reads::remove);
    reads.add(page);
    page.start();
  }

  private static String principal(RoutingContext ctx) {
    return Access.principal(ctx).name();
  }

  /** A stream whose principal's token expires ends then with an error event ({@code auth.closeOnExpiry}). */
  private void endOnExpiry(HttpConsumer c) {
    if (!closeOnExpiry || c.principal.expiresAt() == null) {
      return;
    }
    long delay = Math.max(1, c.principal.expiresAt().toEpochMilli() - System.currentTimeMillis());
    c.expiryTimer = vertx.setTimer(delay, t -> registry.close(c, false, "ended: its token expired",
        new ProxyException(ErrorCode.UNAUTHENTICATED, "the stream's token expired; reconnect with a new one")));
  }

  private static Topic topic(RoutingContext ctx) {
    return Topic.of(ctx.pathParam("domain"), ctx.pathParam("tenant"), ctx.pathParam("namespace"),
        ctx.pathParam("topic"));
  }

  /** The JSON object body, as the contract validated it (or as {@link ApiContract#routeJsonBody} checked it). */
  private static JsonObject body(RoutingContext ctx) {
    JsonObject checked = ctx.get(ApiContract.JSON_BODY);
    if (checked != null) {
      return checked;
    }
    ValidatedRequest validated = ctx.get(ApiContract.VALIDATED);
    JsonObject body = validated == null || validated.getBody() == null || validated.getBody().isNull()
        ? null : validated.getBody().getJsonObject();
    if (body == null) {
      throw ProxyException.badField("body", "must be a JSON object");
    }
    return body;
  }

  private static String clientKey(RoutingContext ctx) {
    String header = ctx.request().getHeader(CLIENT_ID_HEADER);
    if (header != null && !header.isBlank()) {
      return "id:" + header.trim();
    }
    return "address:" + (ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress());
  }

  private static void noContent(RoutingContext ctx, Future<?> done) {
    done.onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(err -> fail(ctx, err));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
  }

  /** To the edge's error handler, which answers with the envelope and logs what is not a known failure. */
  private static void fail(RoutingContext ctx, Throwable err) {
    ctx.fail(err);
  }
}
