package io.pulsarproxy.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.consume.ConsumerVerticle;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.produce.ProducerVerticle;
import io.pulsarproxy.core.supervisor.SupervisorVerticle;
import io.pulsarproxy.edge.EdgeVerticle;
import io.pulsarproxy.edge.FlushConsolidation;
import io.pulsarproxy.edge.MemoryBudget;
import io.pulsarproxy.edge.EdgeNode;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.pulsarproxy.testkit.PulsarBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.admin.PulsarAdminException;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.common.policies.data.TopicStats;

/**
 * The proxy's Pulsar-facing verticles and its edge server with the WebSocket routes, in one Vert.x, against a real
 * broker, listening on a free port. Overrides are {@code section → key → value} on top of the defaults.
 */
final class WsProxy implements AutoCloseable {
  final Vertx vertx;
  final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
  final ProxyConfig config;
  /** A plain Pulsar client of the same broker, to produce and check what the proxy did. */
  final PulsarClient pulsar;
  private final PulsarBroker broker;
  private final WebSocketClient client;
  private EdgeVerticle edge;

  private WsProxy(Vertx vertx, ProxyConfig config, PulsarBroker broker) throws PulsarClientException {
    this.vertx = vertx;
    this.config = config;
    this.broker = broker;
    this.pulsar = broker.newClient();
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
  }

  static WsProxy start(PulsarBroker broker) throws Exception {
    return start(broker, new JsonObject());
  }

  static WsProxy start(PulsarBroker broker, JsonObject overrides) throws Exception {
    JsonObject json = new JsonObject()
        .put("pulsar", new JsonObject().put("serviceUrl", broker.serviceUrl()).put("probeInterval", "500ms"))
        .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .mergeIn(overrides, true);
    ProxyConfig config = ConfigLoader.build(json);
    // The transport the proxy runs with: frames written in one turn of an event loop leave with one flush.
    WsProxy proxy = new WsProxy(Vertx.builder().withTransport(FlushConsolidation.nio()).build(), config, broker);
    proxy.deploy();
    return proxy;
  }

  /** The edge's budget of in-flight bytes (shared by HTTP bodies and producer frames). */
  MemoryBudget budget() {
    return edge.budget();
  }

  /** {@code {"section": {k1: v1, …}}}. */
  static JsonObject cfg(String section, Object... keysAndValues) {
    JsonObject values = new JsonObject();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      values.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return new JsonObject().put(section, values);
  }

  private void deploy() throws Exception {
    SupervisorVerticle supervisor = new SupervisorVerticle(config, metrics);
    await(vertx.deployVerticle(supervisor));
    await(vertx.deployVerticle(new ProducerVerticle(config, supervisor.clients(), metrics)));
    await(vertx.deployVerticle(new ConsumerVerticle(config, supervisor.clients(), metrics)));
    EdgeNode node = new EdgeNode(config, metrics);
    edge = new EdgeVerticle(config, metrics, node, List.of(new WsRoutes(config, metrics, node)));
    await(vertx.deployVerticle(edge));
  }

  int port() {
    return edge.actualPort();
  }

  String wsUrl() {
    return "ws://127.0.0.1:" + port();
  }

  /** Connects to {@code path} (with query) of the proxy. */
  WsClient connect(String path) throws Exception {
    return connect(path, Map.of());
  }

  WsClient connect(String path, Map<String, String> headers) throws Exception {
    return connect(port(), path, headers);
  }

  /** Connects to another WebSocket server, e.g. the broker's own service, with the same client. */
  WsClient connect(int port, String path, Map<String, String> headers) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
    headers.forEach(options::addHeader);
    // Handlers are set before the handshake: a server may send its first frame in the instant the upgrade completes.
    ClientWebSocket socket = client.webSocket();
    WsClient ws = new WsClient(socket, () -> diagnostics(path));
    await(socket.connect(options));
    return ws;
  }

  /** The HTTP status of a handshake the proxy refuses; fails if it accepts. */
  int refusal(String path) throws Exception {
    return refusal(port(), path);
  }

  /** The HTTP status of a handshake another server (e.g. the broker's own service) refuses. */
  int refusal(int port, String path) throws Exception {
    try {
      WsClient accepted = connect(port, path, Map.of());
      accepted.close();
      throw new AssertionError(path + " was accepted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UpgradeRejectedException rejected) {
        return rejected.getStatus();
      }
      throw e;
    }
  }

  /**
   * Produces {@code count} messages {@code prefix0…} with a Java producer (no batching); returns their ids in the
   * proxy's encoding.
   */
  List<String> produce(String topic, String prefix, int count) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Producer<byte[]> producer = pulsar.newProducer().topic(topic).enableBatching(false).create()) {
      for (int i = 0; i < count; i++) {
        ids.add(MessageIds.encode(producer.send((prefix + i).getBytes(StandardCharsets.UTF_8))));
      }
    }
    return ids;
  }

  /**
   * For a failure message: the broker's view of the topic of a proxy path (its subscriptions, their backlog and each
   * consumer's available permits, the broker's side of flow control) and how many messages the proxy delivered.
   */
  String diagnostics(String path) {
    int query = path.indexOf('?');
    String topic = WsPath.parse(query < 0 ? path : path.substring(0, query)).topic().fullName();
    StringBuilder b = new StringBuilder("the proxy delivered " + (long) messagesDelivered()
        + " message(s) to its sessions in all; broker stats of " + topic + ":");
    try {
      TopicStats stats = broker.admin().topics().getStats(topic);
      b.append(" msgInCounter=").append(stats.getMsgInCounter());
      stats.getSubscriptions().forEach((name, sub) -> {
        b.append("; subscription ").append(name).append(" backlog=").append(sub.getMsgBacklog())
            .append(" unacked=").append(sub.getUnackedMessages()).append(" msgOutCounter=").append(sub.getMsgOutCounter())
            .append(" consumers=[");
        sub.getConsumers().forEach(c -> b.append(' ').append(c.getConsumerName())
            .append(": availablePermits=").append(c.getAvailablePermits())
            .append(" unacked=").append(c.getUnackedMessages())
            .append(" blockedOnUnacked=").append(c.isBlockedConsumerOnUnackedMsgs()));
        b.append(" ]");
      });
    } catch (PulsarAdminException e) {
      b.append(" unavailable: ").append(e.getMessage());
    }
    return b.toString();
  }

  /** Messages handed to consumer and reader sessions, all sockets together. */
  double messagesDelivered() {
    Counter counter = metrics.registry().find("pulsar_proxy_messages_consumed").counter();
    return counter == null ? 0 : counter.count();
  }

  /** Announces shutdown as the application does, then stops the edge (which drains the sockets). */
  void shutdown() throws Exception {
    vertx.eventBus().publish(Addresses.SHUTDOWN, null);
    await(vertx.undeploy(edge.deploymentID()));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      await(vertx.close());
    } finally {
      pulsar.close();
    }
  }
}
