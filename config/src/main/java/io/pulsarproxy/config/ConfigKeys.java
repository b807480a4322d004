package io.pulsarproxy.config;

import static io.pulsarproxy.config.ConfigKey.bool;
import static io.pulsarproxy.config.ConfigKey.duration;
import static io.pulsarproxy.config.ConfigKey.file;
import static io.pulsarproxy.config.ConfigKey.integer;
import static io.pulsarproxy.config.ConfigKey.list;
import static io.pulsarproxy.config.ConfigKey.oneOf;
import static io.pulsarproxy.config.ConfigKey.optionalString;
import static io.pulsarproxy.config.ConfigKey.port;
import static io.pulsarproxy.config.ConfigKey.secret;
import static io.pulsarproxy.config.ConfigKey.size;
import static io.pulsarproxy.config.ConfigKey.string;
import static io.pulsarproxy.config.ConfigKey.structure;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key, declared once, in the order of the configuration reference (README.md, generated from
 * here by {@code ConfigReferenceTest}). The loader's defaults, its validation, the environment and system property
 * names, the reference table and the reload's restart warnings all read these declarations.
 *
 * <p>To add a key: add one declaration here (name, default, least value or choices, one doc line; {@code .restart()}
 * when it takes effect only after a restart), the record component it feeds and its line in
 * {@link ConfigLoader#build}, then run {@code mvn -o -pl config test -Dtest=ConfigReferenceTest
 * -Dconfig.writeReference=true} to rewrite README.md's table.
 */
public final class ConfigKeys {
  static final String NOT_A_WEB_URL = "is not a broker web service URL (http://host:port or https://host:port)";
  static final String NOT_A_SERVICE_URL = "is not a Pulsar service URL (pulsar://host:port or pulsar+ssl://host:port)";
  static final String NOT_HOST_PORT = "is not host:port (e.g. 10.0.0.5:5701)";
  static final String NOT_A_TOPIC = "is not a topic name (persistent://tenant/namespace/topic or non-persistent://...)";
  static final List<String> AUTH_PROVIDERS =
      List.of(AuthConfig.NONE, AuthConfig.JWT, AuthConfig.MTLS, AuthConfig.APIKEY);
  static final String NOT_A_PROVIDER =
      "is not an authentication provider (" + String.join(", ", AUTH_PROVIDERS) + ")";

  /** Every key, in documentation order. */
  public static final List<ConfigKey> ALL = declare(
      string("pulsar.serviceUrl", "pulsar://localhost:6650",
          "broker URL (`pulsar://` or `pulsar+ssl://`)")
          .check(ConfigKeys::isServiceUrl, NOT_A_SERVICE_URL),
      secret("pulsar.authToken",
          "token the proxy authenticates to the broker with (secret)").restart(),
      duration("pulsar.operationTimeout", "30s", "1ms",
          "lookups, producer creation").restart(),
      duration("pulsar.connectionTimeout", "10s", "1ms",
          "TCP connect to a broker").restart(),
      integer("pulsar.ioThreads", 1, 1,
          "Pulsar client IO threads").restart(),
      integer("pulsar.listenerThreads", 1, 1,
          "Pulsar client listener threads").restart(),
      duration("pulsar.statsInterval", "15s", "0",
          "how often the Pulsar client totals its producers' and consumers' statistics, which `/metrics` "
              + "exports as `pulsar_proxy_pulsar_*` (`0` = off)").restart(),
      size("pulsar.memoryLimit", "64MB", 1,
          "client-wide limit on pending message bytes; beyond it sends fail with 503").restart(),
      duration("pulsar.probeInterval", "2s", "100ms",
          "how often the supervisor checks the broker; a refused probe counts as down at once, one without an "
              + "answer within this (at least 2 s, at most `operationTimeout`) when the next gets none either"),
      string("pulsar.probeTopic", "persistent://public/default/pulsar-proxy-probe",
          "topic looked up by the probe (not created)")
          .check(ConfigKeys::isTopic, NOT_A_TOPIC),
      list("pulsar.serviceUrls", List.of(),
          "clusters to fail over between, primary first (empty: just `serviceUrl`): a YAML list, or URLs "
              + "separated by spaces or `;` in the environment")
          .check(ConfigKeys::isServiceUrl, NOT_A_SERVICE_URL),
      duration("pulsar.failoverAfter", "5s", "0",
          "the cluster in use unreachable this long: switch to the first secondary that answers (with"
              + " the defaults: seen down within 4 s, switched within 11 s of the primary going away)"),
      duration("pulsar.switchBackAfter", "60s", "0",
          "the primary answering again this long: switch back"),
      file("pulsar.tls.trustFile",
          "PEM bundle of the CAs the brokers' certificates chain to (`pulsar+ssl://`); none: the JVM's trust "
              + "store").restart(),
      file("pulsar.tls.certFile",
          "PEM client certificate the proxy presents to brokers that require one").restart(),
      file("pulsar.tls.keyFile",
          "PEM private key of `pulsar.tls.certFile`").restart(),
      bool("pulsar.tls.hostnameVerification", true,
          "a broker's certificate must name the host the proxy connects to").restart(),
      optionalString("pulsar.authPlugin",
          "class name of a Pulsar authentication plugin (e.g. "
              + "`org.apache.pulsar.client.impl.auth.AuthenticationTls`, `…oauth2.AuthenticationOAuth2`) "
              + "the proxy authenticates with, instead of `pulsar.authToken`").restart(),
      secret("pulsar.authParams",
          "the plugin's parameters in its own format, e.g. "
              + "`tlsCertFile:/etc/proxy.crt,tlsKeyFile:/etc/proxy.key` (secret)").restart(),
      optionalString("pulsar.webServiceUrl",
          "the broker's web service (admin REST) URL, where topic schemas are read; unset: derived from the "
              + "service URL in use (`pulsar://host:6650` → `http://host:8080`, `pulsar+ssl://host:6651` → "
              + "`https://host:8443`)")
          .check(ConfigKeys::isWebUrl, NOT_A_WEB_URL).restart(),
      list("pulsar.webServiceUrls", List.of(),
          "with `serviceUrls`: the clusters' web service URLs, in the same order (empty: each derived from its "
              + "service URL); schemas are read from the active cluster's")
          .check(ConfigKeys::isWebUrl, NOT_A_WEB_URL).restart(),
      integer("pulsar.schemaCacheMaxEntries", 1000, 1,
          "schema versions of typed topics kept, with their encoders and decoders, for producing JSON "
              + "`value`s and decoding messages (one cache for both; a topic's latest version is asked again "
              + "after 10 s); at the limit the least recently used goes and is read from the broker again "
              + "when needed").restart(),
      string("http.host", "0.0.0.0",
          "client listener address").restart(),
      port("http.port", 8088,
          "client port: REST, SSE, WebSocket and the browser page").restart(),
      size("http.maxBodySize", "5MB", 1,
          "larger bodies: 413"),
      size("http.maxMessageSize", "1MB", 1,
          "larger messages: 413 (≤ `maxBodySize`)"),
      integer("http.maxMessagesPerRequest", 1000, 1,
          "more: 400"),
      integer("http.maxInFlightRequests", 4000, 1,
          "requests in progress at once (long polls and SSE streams included; WebSockets are bounded "
              + "by `ws.maxSockets`); more: 503"),
      size("http.maxInFlightBytes", "64MB", 1,
          "bytes of request bodies the whole edge holds at once (≥ `maxBodySize`): a body is counted "
              + "from its `Content-Length` before it is read (chunked bodies chunk by chunk) until its "
              + "request is answered or its connection closes; one that does not fit: 503 `OVERLOADED` + "
              + "`Retry-After`. Sized with the other limits for a 256 MB heap (see Memory under Operations)"),
      tls("http", "client listener (HTTPS, WSS, HTTP/2)"),
      integer("edge.instances", 0, 0,
          "edge verticle instances serving `http.port`, each on its own event loop; connections are spread across "
              + "them (`0`: one per core). Limits are counted per node or cluster-wide, never per instance (see "
              + "Which limits are cluster-wide)").restart(),
      string("management.host", "0.0.0.0",
          "management listener address").restart(),
      port("management.port", 8089,
          "`/metrics`, `/health/*`").restart(),
      tls("management", "management listener"),
      secret("management.metricsToken",
          "when set, `/metrics` answers 401 without `Authorization: Bearer <token>`; `/health/*` stay"
              + " open (secret)").restart(),
      duration("management.lagInterval", "15s", "0",
          "how often the lag of each subscription the proxy holds is sampled, one call to the broker per "
              + "subscription (`0` = off)").restart(),
      integer("management.lagMaxSeries", 100, 1,
          "subscriptions with a lag series of their own; the others are summed into one series labelled "
              + "`_other`").restart(),
      duration("producer.sendTimeout", "30s", "0",
          "unacknowledged by then: 504 (`0` = none)"),
      integer("producer.maxPendingMessages", 10000, 1,
          "per producer, shared by the HTTP requests and WebSockets that use it (each socket also has"
              + " its own `ws.maxInFlightPerProducer`); when full: 503 / `send-error:8`, so keep it at "
              + "least sockets × `ws.maxInFlightPerProducer` for the sockets of one topic; "
              + "`pulsar.memoryLimit` bounds the bytes of all producers together"),
      bool("producer.batchingEnabled", true,
          "batch messages sent close together"),
      duration("producer.batchingMaxPublishDelay", "1ms", "0",
          "longest wait to fill a batch"),
      integer("producer.batchingMaxMessages", 1000, 1,
          "largest batch"),
      bool("producer.keyBasedBatching", true,
          "a batch holds one key's messages only, so that Key_Shared subscriptions keep each key on "
              + "one consumer (Pulsar hands a batch to one consumer); `false` mixes keys in batches (fuller"
              + " batches when keys are many)"),
      oneOf("producer.compressionType", "NONE", List.of("NONE", "LZ4", "ZLIB", "ZSTD", "SNAPPY"),
          "`NONE`, `LZ4`, `ZLIB`, `ZSTD`, `SNAPPY`"),
      integer("producer.cacheMaxProducers", 1000, 1,
          "producers open at once; at the limit the least recently used idle one is closed, and when "
              + "all are busy: 503"),
      duration("producer.cacheIdleTimeout", "5m", "1ms",
          "unused producers are closed after this"),
      duration("producer.outageWait", "5s", "0",
          "while the supervisor sees the broker down: how long a produce, a WebSocket producer's "
              + "frames, a new subscription or read is held for it to come back; then 503 "
              + "`BROKER_UNAVAILABLE` + `Retry-After` (`send-error:8`, handshake 503), and sends already "
              + "handed to Pulsar fail the same way. A restart shorter than this costs no errors; `0` "
              + "refuses at once"),
      duration("produce.idempotencyWindow", "10m", "0",
          "how long after its sends completed a request's `Idempotency-Key` is remembered (a repeat "
              + "within it gets the first answer); `0` = the header is ignored"),
      integer("produce.idempotencyMaxKeys", 10000, 1,
          "keys held at once (a request of more than 10 messages counts once per 10); at the limit the "
              + "oldest completed keys go, and when all are in flight a new key gets 503 `OVERLOADED`. About "
              + "2 KB each: 20 MB at the default"),
      integer("consumer.maxSessions", 10000, 1,
          "Pulsar consumers and readers open for clients at once; more: 503"),
      integer("consumer.maxTrackedIds", 10000, 1,
          "per session, delivered-but-unacknowledged ids kept for acks (older acks decode the id "
              + "instead)"),
      duration("consumer.ackGroupTime", "100ms", "0",
          "how long a Pulsar consumer gathers acknowledgements before it sends them (Pulsar's "
              + "`acknowledgmentGroupTime`); `0` sends each at once"),
      duration("httpConsumer.idleTimeout", "5m", "100ms",
          "a consumer instance without any request for this long is closed; Pulsar redelivers what it"
              + " held"),
      integer("httpConsumer.maxInstances", 1000, 1,
          "consumer instances and SSE streams open at once, cluster-wide when clustered; beyond it 503"),
      integer("httpConsumer.maxInstancesPerClient", 100, 1,
          "the same per client (`X-Client-Id` header, else remote address), cluster-wide when clustered; "
              + "beyond it 429"),
      duration("httpConsumer.maxWait", "30s", "0",
          "the longest `waitMs` of a poll or read (400 above it)"),
      integer("httpConsumer.maxMessages", 1000, 1,
          "the largest `max` of a poll or read and the largest `receiverQueueSize`"),
      duration("httpConsumer.sseHeartbeatInterval", "15s", "0",
          "`: keep-alive` comments on SSE streams (`0` = none)"),
      duration("httpConsumer.sseConfirmDelay", "3s", "0",
          "`ack=auto` streams: an event written and followed by this long of a healthy stream confirms its "
              + "message (acknowledged); sooner when a reconnection's `Last-Event-ID` covers it"),
      integer("httpConsumer.sseMaxUnconfirmed", 5000, 1,
          "events of one `ack=auto` stream written and not confirmed yet; at the limit the stream waits for "
              + "confirmations (at most `consumer.maxTrackedIds`)"),
      integer("ws.maxSockets", 10000, 1,
          "WebSockets open (or in their handshake) at once; beyond it the handshake gets 503"),
      size("ws.maxFrameSize", "1MB", 1,
          "a larger message closes the socket with 1009 (raising it takes a restart)").restart(),
      duration("ws.idleTimeout", "5m", "0",
          "a socket that received nothing (data, ping or pong) and was sent nothing for this long is "
              + "closed with 1001 (`0`: never)"),
      duration("ws.pingInterval", "30s", "0",
          "server pings (`0`: none)"),
      integer("ws.maxInFlightPerProducer", 1000, 1,
          "messages of one producer socket awaiting the broker or the writing of their ack; at it the"
              + " proxy stops reading the socket until acks free room (the client is slowed; nothing is "
              + "refused)"),
      bool("ws.forwardClientTokens", false,
          "open a socket's producer, consumer or reader with the client's token (`Authorization: "
              + "Bearer` or `?token=`) instead of the proxy's credentials; the broker then answers 401/403"),
      integer("ws.maxTokenClients", 100, 1,
          "Pulsar clients kept for forwarded tokens (one per token, one IO thread and its own "
              + "`pulsar.memoryLimit` each); a new token beyond it, while all are in use, gets 503"),
      duration("ws.tokenClientIdleTimeout", "1m", "1s",
          "a token's client unused for this long is closed"),
      duration("resilience.retryInitialDelay", "100ms", "1ms",
          "first backoff before retrying a retriable failure (exponential, full jitter, within the "
              + "request's deadline)"),
      duration("resilience.retryMaxDelay", "2s", "1ms",
          "largest backoff"),
      integer("resilience.breakerMaxFailures", 5, 1,
          "consecutive retriable failures that open the circuit (new work then fails fast with 503)"),
      duration("resilience.breakerResetTimeout", "5s", "1ms",
          "how long the circuit stays open before a trial"),
      oneOf("log.level", "INFO", List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR"),
          "root log level"),
      structure("log.loggers", new JsonObject(),
          "per-logger levels"),
      oneOf("log.format", "TEXT", List.of("TEXT", "JSON"),
          "`text` lines, or one JSON object a line (`trace_id`, `span_id` fields) for log shippers").restart(),
      bool("log.access", false,
          "one line per HTTP request on logger `io.pulsarproxy.access`: method, path (secrets removed), status, "
              + "bytes, duration, principal, trace id"),
      oneOf("tracing.exporter", "NONE", List.of("NONE", "LOGGING", "OTLP-GRPC", "OTLP-HTTP"),
          "where spans go: `none` (trace context still propagates), `logging` (the log), OTLP over gRPC or HTTP"),
      optionalString("tracing.endpoint",
          "OTLP endpoint (default `http://localhost:4317` for gRPC, `http://localhost:4318/v1/traces` for HTTP)")
          .check(v -> v.startsWith("https://") || v.startsWith("http://"), "is not an http:// or https:// URL"),
      string("tracing.samplingRatio", "1.0",
          "share of new traces recorded, 0 to 1 (a request's sampled `traceparent` flag is followed)")
          .check(ConfigKeys::isRatio, "is not a number from 0 to 1"),
      string("tracing.serviceName", "pulsar-proxy",
          "`service.name` of the exported spans"),
      duration("shutdown.timeout", "10s", "1ms",
          "how long requests in progress may take to finish on shutdown"),
      list("auth.providers", List.of(AuthConfig.NONE),
          "`none`, `jwt`, `mtls`, `apikey`; several allowed (space-separated in the environment); "
              + "with `none` listed, presenting nothing is anonymous")
          .check(AUTH_PROVIDERS::contains, NOT_A_PROVIDER),
      secret("auth.jwt.secretKey",
          "HMAC key in Pulsar's `tokenSecretKey` forms (`file:///path`, `data:;base64,…`, a path, "
              + "base64); never shown"),
      secret("auth.jwt.publicKey",
          "RSA or EC public key (DER or PEM) in the same forms, Pulsar's `tokenPublicKey`"),
      optionalString("auth.jwt.jwksFile",
          "a JSON Web Key Set file"),
      optionalString("auth.jwt.jwksUrl",
          "a JSON Web Key Set URL (`http://` or `https://`)")
          .check(v -> v.startsWith("https://") || v.startsWith("http://"), "is not an http:// or https:// URL"),
      duration("auth.jwt.jwksRefresh", "5m", "1s",
          "how often the key set is read again (a failed read keeps the keys loaded before)"),
      string("auth.jwt.roleClaim", "sub",
          "the claim naming the principal"),
      optionalString("auth.jwt.issuer",
          "when set, `iss` must equal it"),
      optionalString("auth.jwt.audience",
          "when set, `aud` must contain it"),
      duration("auth.jwt.clockSkew", "5s", "0",
          "tolerance on `exp`, `nbf` and `iat`"),
      structure("auth.apiKeys", new JsonArray(),
          "`{role, sha256}` per key: the key's SHA-256 in hex, never the key"),
      oneOf("auth.mtls.principal", "cn", List.of("CN", "SAN"),
          "`cn` or `san`: which name of a client certificate is the principal"),
      integer("auth.cacheSize", 10000, 1,
          "verified tokens remembered (least recently used out; each only until it expires)"),
      bool("auth.closeOnExpiry", true,
          "close a WebSocket (1008) or end an SSE stream (`event: end`, `UNAUTHENTICATED`) when its token expires"),
      oneOf("authorization.mode", "proxy", List.of("PROXY", "BROKER"),
          "`proxy`: the rules below, deny by default once authentication is on; `broker`: act with "
              + "the client's token, Pulsar decides"),
      structure("authorization.rules", new JsonArray(),
          "`{role, actions: [produce, consume, read], topics: [patterns]}`; role `*` is any "
              + "authenticated principal"),
      list("cors.allowedOrigins", List.of(),
          "origins whose pages may use the REST API, SSE and WebSockets (`*` for any); empty: no "
              + "CORS, WebSockets from any origin")
          .check(v -> v.equals("*") || v.matches("https?://[^/\\s]+"),
              "is not an origin (scheme://host[:port], e.g. https://app.example.com, or *)"),
      list("cors.allowedHeaders", List.of("Authorization", "Content-Type", "Last-Event-ID", "X-API-Key",
              "X-Client-Id", "Idempotency-Key", "traceparent", "tracestate"),
          "request headers such pages may send")
          .check(v -> v.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"), "is not a header name"),
      bool("cors.allowCredentials", false,
          "answer `Access-Control-Allow-Credentials: true` (not with `*`)"),
      duration("cors.maxAge", "10m", "0",
          "how long a browser may cache a preflight answer"),
      bool("quotas.enabled", false,
          "check the quotas per principal below (see Security, Quotas)"),
      integer("quotas.produceMessagesPerSecond", 0, 0,
          "messages one principal may produce per second, HTTP and WebSocket together (bursts of one "
              + "second's worth; `0` = unlimited)"),
      size("quotas.produceBytesPerSecond", "0", 0,
          "payload bytes one principal may produce per second, a size (`1MB`; `0` = unlimited)"),
      integer("quotas.maxWebSockets", 0, 0,
          "WebSockets (all roles) one principal may hold open, cluster-wide when clustered; beyond it the "
              + "handshake gets 429 (`0` = unlimited)"),
      integer("quotas.maxSseStreams", 0, 0,
          "SSE streams one principal may hold open, cluster-wide when clustered; beyond it 429 (`0` = "
              + "unlimited)"),
      integer("quotas.maxConsumerInstances", 0, 0,
          "HTTP consumer instances one principal may hold, cluster-wide when clustered; beyond it 429 "
              + "(`0` = unlimited)"),
      integer("quotas.maxInFlightRequests", 0, 0,
          "HTTP requests of one principal in progress at once (long polls and SSE streams included); "
              + "beyond it 429 (`0` = unlimited)"),
      integer("quotas.maxPrincipals", 10000, 1,
          "principals whose quota state is kept; beyond it the least recently seen one with nothing "
              + "open is forgotten (its rates start afresh when it comes back)"),
      structure("quotas.overrides", new JsonArray(),
          "`{role, <any of the six limits above>}` per role; a limit not given is the default's"),
      bool("cluster.enabled", false,
          "run as one node of a cluster of proxies (Vert.x clustered on Hazelcast, see Running a cluster)")
          .restart(),
      string("cluster.host", "127.0.0.1",
          "address this node binds its cluster ports to and announces to the others: an address of this host "
              + "they can reach (in Kubernetes the pod IP); the default suits nodes on one machine").restart(),
      port("cluster.port", 5701,
          "Hazelcast member port (membership, the cluster's maps)").restart(),
      list("cluster.members", List.of(),
          "`host:port` (`cluster.port`) of members to join, this node's own allowed: a YAML list, or separated by "
              + "commas, spaces or `;` in the environment; empty (and no `kubernetesService`): a cluster of one "
              + "until others join it")
          .check(ConfigKeys::isHostPorts, NOT_HOST_PORT).restart(),
      optionalString("cluster.kubernetesService",
          "DNS name of the headless Service whose addresses are the members (Kubernetes DNS discovery), e.g. "
              + "`pulsar-proxy-cluster.proxy.svc.cluster.local`, instead of `members`").restart(),
      port("cluster.eventBusPort", 0,
          "port of the clustered event bus (requests between nodes; `0`: a free one, announced through "
              + "Hazelcast)").restart(),
      tlsFiles("cluster", "clustered event bus (mutual: every node presents it and accepts only peers whose "
          + "certificate chains to `trustFile`)"),
      file("cluster.tls.trustFile",
          "PEM bundle of the CAs the nodes' certificates chain to; required with cluster TLS").restart(),
      duration("cluster.takeoverDelay", "5s", "0",
          "how long after a node left (killed, cut off) the survivors wait before re-creating its HTTP consumer "
              + "instances; until then requests to them get 503 `INSTANCE_MOVING` + `Retry-After`"),
      duration("cluster.handoverWait", "5s", "0",
          "how long a request to an HTTP consumer instance that no node serves at the moment (it is moving) is "
              + "held, retried, before 503 `INSTANCE_MOVING` + `Retry-After`"));

  private static final Map<String, ConfigKey> BY_NAME = byName();

  private ConfigKeys() {}

  /** The declaration of {@code name}, or {@code null} when there is no such key. */
  static boolean isRatio(String value) {
    try {
      double ratio = Double.parseDouble(value.trim());
      return ratio >= 0 && ratio <= 1;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  public static ConfigKey get(String name) {
    return BY_NAME.get(name);
  }

  /**
   * The configuration reference: a Markdown table with a row per key (name, default, environment variable, whether
   * it reloads, doc line), as README.md shows it.
   */
  public static String referenceTable() {
    StringBuilder table = new StringBuilder("| key | default | env | reloads | meaning |\n|---|---|---|---|---|\n");
    for (ConfigKey key : ALL) {
      table.append("| `").append(key.name()).append("` | ").append(shownDefault(key)).append(" | ")
          .append(key.overridable() ? "`" + key.envVar() + "`" : "(file only)").append(" | ")
          .append(key.live() ? "yes" : "restart").append(" | ").append(key.doc()).append(" |\n");
    }
    return table.toString();
  }

  private static String shownDefault(ConfigKey key) {
    Object value = key.defaultValue();
    if (value == null) {
      return "none";
    }
    if (key.type() == ConfigKey.Type.LIST) {
      JsonArray items = (JsonArray) value;
      return items.isEmpty() ? "empty" : "`" + String.join(" ", items.stream().map(String::valueOf).toList()) + "`";
    }
    return "`" + value.toString().replace("\"", "") + "`";
  }

  /** The {@code <listener>.tls.*} keys of a listener; {@code what} names it in the doc of {@code certFile}. */
  private static List<ConfigKey> tls(String listener, String what) {
    String p = listener + ".tls.";
    List<ConfigKey> keys = new ArrayList<>(tlsFiles(listener, what));
    keys.addAll(List.of(
        oneOf(p + "clientAuth", "none", List.of("NONE", "REQUEST", "REQUIRE"),
            "client certificates: `none`, `request` (asked for, optional), `require` (a connection without one "
                + "signed by a CA of `trustFile` is refused)").restart(),
        file(p + "trustFile", "PEM bundle of the CAs client certificates must chain to; needed for `request` and "
            + "`require`").restart(),
        duration(p + "reloadInterval", "10s", "0", "how often the TLS files are checked; a changed content is "
            + "served to new connections (`0`: never)").restart()));
    return keys;
  }

  /** The {@code <prefix>.tls.*} keys of a certificate and key (PEM or PKCS#12); {@code what} names their user. */
  private static List<ConfigKey> tlsFiles(String prefix, String what) {
    String p = prefix + ".tls.";
    return List.of(
        file(p + "certFile", "PEM certificate chain (the server's first); with `keyFile` turns TLS on for the "
            + what).restart(),
        file(p + "keyFile", "PEM private key of `certFile` (`BEGIN PRIVATE KEY`, as OpenSSL writes it)").restart(),
        file(p + "keyStoreFile", "PKCS#12 key store instead of `certFile` + `keyFile`").restart(),
        secret(p + "keyStorePassword", "password of the key store (secret)").restart());
  }

  static boolean isWebUrl(String v) {
    return v.startsWith("http://") || v.startsWith("https://");
  }

  static boolean isServiceUrl(String v) {
    return v.startsWith("pulsar://") || v.startsWith("pulsar+ssl://");
  }

  /** One {@code host:port}, or several separated by commas (as the environment may give them). */
  static boolean isHostPorts(String v) {
    for (String item : v.split(",", -1)) {
      int colon = item.lastIndexOf(':');
      if (colon < 1 || !item.substring(colon + 1).matches("\\d{1,5}")
          || Integer.parseInt(item.substring(colon + 1)) > 65535) {
        return false;
      }
    }
    return true;
  }

  static boolean isTopic(String v) {
    return v.startsWith("persistent://") || v.startsWith("non-persistent://");
  }

  /** The keys and lists of keys given, as one list; a name declared twice is a mistake. */
  private static List<ConfigKey> declare(Object... keys) {
    List<ConfigKey> all = new ArrayList<>();
    for (Object k : keys) {
      if (k instanceof ConfigKey key) {
        all.add(key);
      } else {
        ((Collection<?>) k).forEach(item -> all.add((ConfigKey) item));
      }
    }
    return List.copyOf(all);
  }

  private static Map<String, ConfigKey> byName() {
    Map<String, ConfigKey> map = new LinkedHashMap<>();
    for (ConfigKey key : ALL) {
      if (map.put(key.name(), key) != null) {
        throw new IllegalStateException("config key declared twice: " + key.name());
      }
    }
    return map;
  }
}
