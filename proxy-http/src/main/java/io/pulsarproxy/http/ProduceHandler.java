package io.pulsarproxy.http;

import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.Idempotency;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.produce.OutgoingMessage;
import io.pulsarproxy.core.produce.ProduceClient;
import io.pulsarproxy.core.produce.ProduceReply;
import io.pulsarproxy.core.produce.ProduceRequest;
import io.pulsarproxy.core.produce.ProduceResult;
import io.pulsarproxy.core.produce.ProducerOptions;
import io.pulsarproxy.core.topic.Topic;
import io.pulsarproxy.edge.BoundedBodyHandler;
import io.pulsarproxy.edge.ErrorResponses;
import io.pulsarproxy.edge.auth.Access;
import io.pulsarproxy.edge.auth.Action;
import io.pulsarproxy.edge.quota.Quotas;
import io.pulsarproxy.config.Secret;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;

/**
 * {@code POST /api/v1/topics/{domain}/{tenant}/{namespace}/{topic}/messages}: validates the request, hands the
 * messages to the produce service in one event-bus request, and answers once the broker has answered for each. A
 * principal over its produce rate ({@code quotas.produceMessagesPerSecond}, {@code quotas.produceBytesPerSecond}) gets
 * 429 with {@code Retry-After}, and none of the request's messages is sent. A request with an {@code Idempotency-Key}
 * (see {@link IdempotencyKeys}) that repeats an earlier one gets that one's outcome.
 *
 * <p>Runs on the edge verticle's event loop.
 */
final class ProduceHandler implements Handler<RoutingContext> {
  private final ProduceClient producer;
  private volatile ProxyConfig config;

  ProduceHandler(Vertx vertx, ProxyConfig config) {
    this.producer = new ProduceClient(vertx, config);
    this.config = config;
  }

  void reconfigure(ProxyConfig newConfig) {
    this.config = newConfig;
    producer.reconfigure(newConfig);
  }

  @Override
  public void handle(RoutingContext ctx) {
    ProxyConfig c = config;
    Topic topic = Topic.of(ctx.pathParam("domain"), ctx.pathParam("tenant"), ctx.pathParam("namespace"),
        ctx.pathParam("topic"));
    Access.check(ctx, Action.PRODUCE, topic.fullName());
    Secret token = Access.brokerToken(ctx);
    ProduceRequestParser parser = new ProduceRequestParser(c.http());
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    // Taken from the context: once parsed, the raw bytes can go while the messages wait for the broker.
    Buffer body = BoundedBodyHandler.takeBody(ctx);
    Idempotency idempotency = c.produce().idempotencyEnabled()
        ? IdempotencyKeys.of(ctx, Access.principal(ctx), contentType, body)
        : null;
    ProduceRequestParser.JsonBody parsed = ProduceRequestParser.bodyKind(contentType)
        == ProduceRequestParser.BodyKind.JSON
        ? parser.parseJsonBody(body)
        : new ProduceRequestParser.JsonBody(List.of(parser.parseRaw(body, ctx.request().headers())), null);
    List<OutgoingMessage> messages = parsed.messages();
    // Charged once the request is known valid, for what would reach Pulsar: its messages and their payload bytes
    // (the same bytes as pulsar_proxy_bytes_produced). Over the rate, nothing of it is sent.
    long bytes = 0;
    for (OutgoingMessage m : messages) {
      bytes += m.size();
    }
    Quotas.of(ctx).checkProduce(Access.principal(ctx), messages.size(), bytes);

    producer.send(new ProduceRequest(topic,
            token == null ? ProducerOptions.DEFAULTS : ProducerOptions.DEFAULTS.withToken(token), messages,
            idempotency, parsed.schema()))
        .onSuccess(reply -> respond(ctx, reply))
        .onFailure(err -> ErrorResponses.send(ctx, PulsarErrors.map(err)));
  }

  private static void respond(RoutingContext ctx, ProduceReply reply) {
    if (reply.rejection() != null) {
      ErrorResponses.send(ctx, reply.rejection());
      return;
    }
    if (reply.replayed()) {
      ctx.response().putHeader(IdempotencyKeys.REPLAYED_HEADER, "true");
    }
    JsonArray results = new JsonArray();
    for (ProduceResult r : reply.results()) {
      results.add(r.isOk() ? withSchemaVersion(okResult(r.messageId()), r.schemaVersion()) : new JsonObject().put("ok", false)
          .put("error", r.error().code().name()).put("message", r.error().getMessage()));
    }
    JsonObject body = new JsonObject().put("results", results);
    var failure = reply.firstFailure();
    if (failure.isPresent()) {
      ProxyException first = failure.get().error();
      long failed = reply.results().stream().filter(r -> !r.isOk()).count();
      ErrorResponses.send(ctx, new ProxyException(first.code(),
          failed + " of " + reply.results().size() + " messages were not acknowledged: " + first.getMessage()), body);
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  private static JsonObject withSchemaVersion(JsonObject result, Long schemaVersion) {
    return schemaVersion == null ? result : result.put("schemaVersion", schemaVersion);
  }

  static JsonObject okResult(MessageId id) {
    if (id instanceof MessageIdAdv adv && adv.getLedgerId() < 0 && adv.getEntryId() < 0) {
      // The broker's answer to a message its deduplication dropped: it had stored it before (a send the Pulsar
      // client repeated after a reconnection), under an id it does not give back.
      return new JsonObject().put("ok", true).put("messageId", null).put("duplicate", true);
    }
    JsonObject result = new JsonObject().put("ok", true).put("messageId", MessageIds.encode(id));
    if (id instanceof MessageIdAdv adv) {
      result.put("ledgerId", adv.getLedgerId()).put("entryId", adv.getEntryId())
          .put("partition", adv.getPartitionIndex()).put("batchIndex", adv.getBatchIndex());
    }
    return result;
  }
}
