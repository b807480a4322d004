package io.pulsarproxy.config;

/**
 * Every event-bus address of the proxy, in one place. It lives in the lowest module so that every module can name
 * the addresses without depending on the module that serves them.
 */
public final class Addresses {
  /** A new, valid {@link ProxyConfig}, published by the ConfigVerticle after a file change. */
  public static final String CONFIG_CHANGED = "proxy.config.changed";
  /** A changed configuration file was not valid and was not applied; the body names the problems (String). */
  public static final String CONFIG_REJECTED = "proxy.config.rejected";
  /** Produce service: request {@code ProduceRequest}, reply {@code ProduceReply}. */
  public static final String PRODUCE = "proxy.produce";
  /** Producer lifecycle for long-lived clients: requests {@code ProducerCommand}, reply {@code ProducerOpened}. */
  public static final String PRODUCERS = "proxy.producers";
  /** Schema registry reads: requests {@code SchemaQuery}, reply {@code SchemaAnswer}. */
  public static final String SCHEMAS = "proxy.schemas";
  /** Broker state changes (UP / DOWN), published by the SupervisorVerticle. */
  public static final String PULSAR_STATE = "proxy.pulsar.state";
  /** Ask the SupervisorVerticle for the current broker state; replies with the state. */
  public static final String PULSAR_STATUS = "proxy.pulsar.status";

  /** Consume service: requests {@code ConsumerCommand}, replies {@code CommandReply}. */
  public static final String CONSUMER = "proxy.consumer";
  /** Prefix of the per-session addresses the consume service delivers {@code SessionEvent}s to. */
  public static final String SESSION_PREFIX = "proxy.session.";
  /**
   * Prefix of the address of an HTTP consumer instance, served by the edge instance that owns it: JSON requests and
   * replies, so that they can cross nodes.
   */
  public static final String CONSUMER_INSTANCE_PREFIX = "proxy.consumer.";
  /** Prefix of the address of an SSE stream's resume state ({@code Last-Event-ID}), served by its edge instance. */
  public static final String SSE_STREAM_PREFIX = "proxy.sse.";

  /** The proxy is shutting down: readiness goes 503 and edges refuse new work. Published once by main. */
  public static final String SHUTDOWN = "proxy.shutdown";

  /**
   * Ask this node's cluster membership (local only); replies JSON {@code {state: JOINED|LEFT, nodeId, members: [ids]}}.
   * Answered only when the proxy runs clustered.
   */
  public static final String CLUSTER_STATUS = "proxy.cluster.status";
  /**
   * A node left the cluster (it stopped, or stopped answering); published locally on every node that saw it, with
   * the departed node's id (String) as body.
   */
  public static final String CLUSTER_NODE_LEFT = "proxy.cluster.nodeLeft";
  /**
   * A stopping node gave its HTTP consumer instances up for others to take over at once; published cluster-wide, with
   * the stopping node's id (String) as body.
   */
  public static final String CONSUMERS_RELEASED = "proxy.cluster.consumersReleased";

  private Addresses() {}

  /** Where HTTP consumer instance {@code id} is served. */
  public static String consumerInstance(String id) {
    return CONSUMER_INSTANCE_PREFIX + id;
  }

  /** Where SSE stream {@code id} answers which of its events a reconnection confirms. */
  public static String sseStream(String id) {
    return SSE_STREAM_PREFIX + id;
  }

  /** Answers with the node's id (String), from any node of the cluster: a reachability check across nodes. */
  public static String nodePing(String nodeId) {
    return "proxy.node." + nodeId + ".ping";
  }

  /** Where the consume service sends the events of session {@code id}. */
  public static String session(String id) {
    return SESSION_PREFIX + id;
  }
}
