package io.pulsarproxy.core.schema;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.bus.ServiceClient;
import io.pulsarproxy.core.topic.Topic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The typed client of the schema reads on {@code proxy.schemas}; futures complete on the caller's context. */
public final class SchemaClient extends ServiceClient {
  public SchemaClient(Vertx vertx, ProxyConfig config) {
    super(vertx, config, "the schema service");
  }

  /** The topic's schema at {@code version} (null: latest); fails with {@code SCHEMA_NOT_FOUND} when it has none. */
  public Future<RegisteredSchema> get(Topic topic, Long version) {
    return this.<SchemaAnswer>request(Addresses.SCHEMAS, new SchemaQuery(topic, version), operationTimeoutMs())
        .compose(a -> a.error() == null ? Future.succeededFuture(a.schema()) : Future.failedFuture(a.error()));
  }
}
