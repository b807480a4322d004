package io.pulsarproxy.http;

import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.core.schema.SchemaClient;
import io.pulsarproxy.core.topic.Topic;
import io.pulsarproxy.edge.ErrorResponses;
import io.pulsarproxy.edge.auth.Access;
import io.pulsarproxy.edge.auth.Action;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /api/v1/topics/{domain}/{tenant}/{namespace}/{topic}/schema[?version=N]}: the topic's schema from Pulsar's
 * schema registry (latest, or the version asked for), for a principal that may produce to, consume from or read the
 * topic. Runs on the edge verticle's event loop.
 */
final class SchemaHandler implements Handler<RoutingContext> {
  private final SchemaClient schemas;

  SchemaHandler(Vertx vertx, ProxyConfig config) {
    this.schemas = new SchemaClient(vertx, config);
  }

  void reconfigure(ProxyConfig newConfig) {
    schemas.reconfigure(newConfig);
  }

  @Override
  public void handle(RoutingContext ctx) {
    Topic topic = Topic.of(ctx.pathParam("domain"), ctx.pathParam("tenant"), ctx.pathParam("namespace"),
        ctx.pathParam("topic"));
    Access.checkAny(ctx, topic.fullName(), Action.PRODUCE, Action.CONSUME, Action.READ);
    List<ProxyException.Detail> problems = new ArrayList<>();
    Long version = ProduceRequestParser.nonNegativeLong(ctx.request().getParam("version"), "version", problems);
    if (!problems.isEmpty()) {
      throw ProxyException.badField("version", problems.get(0).message());
    }
    schemas.get(topic, version)
        .onSuccess(schema -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(schema.toJson().toBuffer()))
        .onFailure(err -> ErrorResponses.send(ctx, PulsarErrors.map(err)));
  }
}
