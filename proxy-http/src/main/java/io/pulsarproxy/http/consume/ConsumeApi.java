package io.pulsarproxy.http.consume;

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
 * {@link Delivery} or a {@link ReadPage}. Runs on the edge verticle's context.
 */
public final class ConsumeApi {
  /** Header naming the client for the per-client limit; the remote address when absent. */
  public static final String CLIENT_ID_HEADER = "X-Client-Id";
  private static final String LAST_EVENT_ID = "Last-Event-ID";

  private final Vertx vertx;
  private final ConsumerClient service;
  private final ConsumerRegistry registry;
  private final SseResumes resumes;
  /** Pages being read, answered at once when the proxy stops; bounded by the in-flight requests. */
  private final Set<ReadPage> reads = new HashSet<>();
  private boolean closeOnExpiry;

  public ConsumeApi(Vertx vertx, ProxyConfig config) {
    this.vertx = vertx;
    this.closeOnExpiry = config.auth().closeOnExpiry();
    this.service = new ConsumerClient(vertx, config);
    this.registry = new ConsumerRegistry(vertx, service, config.httpConsumer());
    this.resumes = new SseResumes(config.httpConsumer().maxInstances(),
        config.httpConsumer().idleTimeout().toMillis());
  }

  public void reconfigure(ProxyConfig config) {
    closeOnExpiry = config.auth().closeOnExpiry();
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
    contract.route(router, "getConsumer", ctx -> json(ctx, 200, instance(ctx).info()));
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
    registry.open(clientKey(ctx), Access.principal(ctx), Access.brokerToken(ctx), request.spec(), request.format(),
            Quotas.of(ctx).reserve(Access.principal(ctx), Quota.CONSUMER_INSTANCES),
            c -> new PollBuffer(c, service, vertx))
        .onSuccess(c -> {
          ctx.response().putHeader(HttpHeaders.LOCATION, c.path());
          json(ctx, 201, c.created());
        })
        .onFailure(err -> fail(ctx, err));
  }

  private void delete(RoutingContext ctx) {
    boolean unsubscribe = ConsumeRequests.unsubscribe(ctx.queryParams());
    HttpConsumer c = instance(ctx);
    registry.close(c, unsubscribe, unsubscribe ? "was deleted and unsubscribed" : "was deleted")
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(err -> fail(ctx, err));
  }

  private void poll(RoutingContext ctx) {
    HttpConsumer c = instance(ctx);
    ConsumeRequests.Poll request = ConsumeRequests.poll(ctx.queryParams(), registry.config());
    if (!(c.delivery instanceof PollBuffer poller)) {
      throw new ProxyException(ErrorCode.CONFLICT, "consumer instance " + c.id
          + " belongs to an SSE stream: its messages come on the stream, only acks and nacks are accepted here");
    }
    poller.poll(ctx, request.max(), request.waitMs());
  }

  private void ack(RoutingContext ctx) {
    HttpConsumer c = instance(ctx);
    ConsumeRequests.Ack request = ConsumeRequests.ack(body(ctx));
    if (request.upTo() != null && !c.allowsCumulativeAck()) {
      throw ProxyException.badField("upTo", "cumulative acknowledgement needs an Exclusive or Failover subscription; "
          + "this one is " + c.spec.subscriptionType() + " (acknowledge with 'messageIds')");
    }
    noContent(ctx, service.send(request.upTo() != null
        ? new ConsumerCommand.AckCumulative(c.id, request.upTo())
        : new ConsumerCommand.Ack(c.id, request.messageIds(), 0)));
  }

  private void nack(RoutingContext ctx) {
    HttpConsumer c = instance(ctx);
    noContent(ctx, service.send(new ConsumerCommand.Nack(c.id, ConsumeRequests.nack(body(ctx)), 0)));
  }

  private void seek(RoutingContext ctx) {
    HttpConsumer c = instance(ctx);
    ConsumeRequests.Seek request = ConsumeRequests.seek(body(ctx));
    // Dropped before the seek, not after: messages from the new position may arrive before the seek's answer.
    c.delivery.onSeek();
    noContent(ctx, seek(c, request.messageId(), request.timestamp()));
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
    // With ack=auto the last event the client received confirms what the ended stream had written up to it.
    String lastEventId = ctx.request().getHeader(LAST_EVENT_ID);
    Set<String> confirmed = request.clientAck() || lastEventId == null ? new HashSet<>()
        : resumes.confirmed(lastEventId, owner, subscription, System.currentTimeMillis());
    registry.open(clientKey(ctx), Access.principal(ctx), Access.brokerToken(ctx), request.spec(), request.format(),
            Quotas.of(ctx).reserve(Access.principal(ctx), Quota.SSE_STREAMS),
            c -> new SseStream(c, ctx.response(), service, vertx, request.clientAck(), resumes, subscription,
                confirmed, limits.sseConfirmDelay().toMillis(), limits.sseMaxUnconfirmed()))
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

  private HttpConsumer instance(RoutingContext ctx) {
    return registry.get(ctx.pathParam("id"), Access.principal(ctx));
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
