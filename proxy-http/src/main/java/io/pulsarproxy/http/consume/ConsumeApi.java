package io.pulsarproxy.http.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.bus.ServiceClient;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.edge.quota.Reservation;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.pulsarproxy.config.HttpConsumerConfig;
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

  private final Vertx vertx;
  private final ConsumerClient service;
  private final ConsumerRegistry registry;
  private final SseResumes resumes;
  /** Pages being read, answered at once when the proxy stops; bounded by the in-flight requests. */
  private final Set<ReadPage> reads = new HashSet<>();
  private boolean closeOnExpiry;
  private long opTimeoutMs;

  /**
   * @param node what the consumer instances of every edge instance of the node count together; create on the edge
   *             instance's context (the instances it creates are served there)
   */
  public ConsumeApi(Vertx vertx, ProxyConfig config, NodeInstances node) {
    this.vertx = vertx;
    this.closeOnExpiry = config.auth().closeOnExpiry();
    this.opTimeoutMs = instanceTimeoutMs(config);
    this.service = new ConsumerClient(vertx, config);
    this.registry = new ConsumerRegistry(vertx, service, config.httpConsumer(), node, this::serve);
    this.resumes = new SseResumes(vertx, config.httpConsumer().maxInstances(),
        config.httpConsumer().idleTimeout().toMillis());
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
    service.reconfigure(config);
    registry.reconfigure(config.httpConsumer());
    resumes.reconfigure(config.httpConsumer().maxInstances(), config.httpConsumer().idleTimeout().toMillis());
  }

  /** Ends polls, streams and reads, and closes every instance: the proxy is stopping. */
  public Future<Void> shutdown() {
    List.copyOf(reads).forEach(ReadPage::end);
    return registry.shutdown();
  }

  public void mount(Router router, ApiContract contract) {
    contract.route(router, "createConsumer", this::create);
    contract.route(router, "getConsumer", ctx -> call(ctx, InstanceCalls.call(INFO, principal(ctx)), opTimeoutMs));
    contract.route(router, "deleteConsumer", this::delete);
    contract.route(router, "pollMessages", this::poll);
    contract.route(router, "ackMessages", this::ack);
    contract.route(router, "nackMessages", this::nack);
    contract.route(router, "seekConsumer", this::seek);
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
    quotas.acrossCluster(principal, Quota.CONSUMER_INSTANCES, quotas.reserve(principal, Quota.CONSUMER_INSTANCES))
        .compose(quota -> registry.open(clientKey(ctx), principal, Access.brokerToken(ctx), request.spec(),
            request.format(), quota, c -> new PollBuffer(c, service, vertx)))
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
    InstanceCalls.request(vertx, id, call, request.waitMs() + opTimeoutMs)
        .onSuccess(answer -> {
          List<String> ids = InstanceCalls.strings(answer.getJsonArray(InstanceCalls.IDS));
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(answer.getJsonArray(InstanceCalls.BODY).toBuffer())
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
    InstanceCalls.request(vertx, ctx.pathParam("id"), call, timeoutMs)
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

  /** The JSON object body, as the contract validated it. */
  private static JsonObject body(RoutingContext ctx) {
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
