package io.pulsarproxy.core.schema;

import io.pulsarproxy.config.PulsarConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pulsar.common.naming.TopicName;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads schemas from the broker's admin REST API ({@code GET /admin/v2/schemas/{tenant}/{namespace}/{topic}/schema}
 * and {@code …/schema/{version}}) of the active cluster, with the proxy's token ({@code pulsar.authToken}, as
 * {@code Authorization: Bearer}) and its broker TLS settings ({@code pulsar.tls.*}) for https. Non-blocking: results
 * come back on the caller's context. A 404 is "no schema"; no answer, or an answer other than the schema or 404,
 * fails with {@code BROKER_UNAVAILABLE}.
 */
public final class BrokerSchemaSource implements SchemaSource {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerSchemaSource.class);

  private final WebClient client;
  private final PulsarConfig config;
  private final Supplier<String> activeServiceUrl;

  /** @param activeServiceUrl the service URL of the cluster in use (it follows fail-overs) */
  public BrokerSchemaSource(Vertx vertx, PulsarConfig config, Supplier<String> activeServiceUrl) {
    this.config = config;
    this.activeServiceUrl = activeServiceUrl;
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("pulsar-proxy")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectionTimeout().toMillis()))
        .setVerifyHost(config.tls().hostnameVerification());
    config.tls().trustFile().ifPresent(f -> options.setTrustOptions(new PemTrustOptions().addCertPath(f.toString())));
    if (config.tls().certFile().isPresent() && config.tls().keyFile().isPresent()) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tls().certFile().get().toString())
          .setKeyPath(config.tls().keyFile().get().toString()));
    }
    this.client = WebClient.create(vertx, options);
  }

  @Override
  public Future<Optional<RegisteredSchema>> fetch(String topic, Long version) {
    String url;
    try {
      TopicName name = TopicName.get(topic);
      url = config.webServiceUrlOf(activeServiceUrl.get()) + "/admin/v2/schemas/" + segment(name.getTenant()) + "/"
          + segment(name.getNamespacePortion()) + "/" + segment(TopicName.get(name.getPartitionedTopicName())
          .getLocalName()) + "/schema" + (version == null ? "" : "/" + version);
    } catch (RuntimeException e) {
      return Future.failedFuture(ProxyException.badField("topic", "is not a valid topic name"));
    }
    HttpRequest<Buffer> request = client.getAbs(url).timeout(config.operationTimeout().toMillis());
    config.authToken().ifPresent(token -> request.bearerTokenAuthentication(token.reveal()));
    return request.send()
        .recover(err -> {
          LOG.debug("Schema lookup at {} failed: {}", url, err.toString());
          return Future.failedFuture(unavailable());
        })
        .compose(response -> read(response, url));
  }

  private static Future<Optional<RegisteredSchema>> read(HttpResponse<Buffer> response, String url) {
    int status = response.statusCode();
    if (status == 404) {
      return Future.succeededFuture(Optional.empty());
    }
    if (status == 401 || status == 403) {
      LOG.warn("The broker refused the proxy's schema lookup at {}: HTTP {} (check pulsar.authToken)", url, status);
      return Future.failedFuture(new ProxyException(ErrorCode.FORBIDDEN,
          "the broker does not let the proxy read this topic's schema"));
    }
    if (status != 200) {
      LOG.warn("Schema lookup at {} answered HTTP {}", url, status);
      return Future.failedFuture(unavailable());
    }
    try {
      return Future.succeededFuture(Optional.of(parse(response.bodyAsJsonObject())));
    } catch (RuntimeException e) {
      LOG.warn("Schema lookup at {} answered what is not a schema: {}", url, e.toString());
      return Future.failedFuture(unavailable());
    }
  }

  /**
   * The schema in the broker's answer ({@code {"version", "type", "data", "properties"}}): {@code data} is the
   * definition's text, for a KEY_VALUE schema {@code {"key": …, "value": …}} with {@code ""} for a primitive part,
   * turned back into the registry's key/value layout.
   */
  static RegisteredSchema parse(JsonObject body) {
    SchemaType type = SchemaType.valueOf(body.getString("type"));
    String data = body.getString("data", "");
    byte[] bytes;
    if (type == SchemaType.KEY_VALUE) {
      JsonObject parts = new JsonObject(data);
      bytes = KeyValueSchemaData.join(partBytes(parts.getValue("key")), partBytes(parts.getValue("value")));
    } else {
      bytes = data.getBytes(StandardCharsets.UTF_8);
    }
    Map<String, String> properties = new LinkedHashMap<>();
    JsonObject props = body.getJsonObject("properties", new JsonObject());
    props.forEach(e -> properties.put(e.getKey(), String.valueOf(e.getValue())));
    SchemaInfo info = SchemaInfo.builder().name("").type(type).schema(bytes).properties(properties).build();
    return new RegisteredSchema(info, body.getLong("version", 0L));
  }

  private static byte[] partBytes(Object part) {
    if (part == null || "".equals(part)) {
      return new byte[0];
    }
    return (part instanceof String s ? s : Json.encode(part)).getBytes(StandardCharsets.UTF_8);
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static ProxyException unavailable() {
    return new ProxyException(ErrorCode.BROKER_UNAVAILABLE, "the Pulsar broker is not reachable; retry later");
  }

  public void close() {
    client.close();
  }
}
