package io.pulsarproxy.config;

import java.util.Objects;

/**
 * The whole, validated, immutable configuration of the proxy. Built once by {@link ConfigLoader} from the merged
 * YAML file, environment and system properties, and again on every valid file change.
 */
public record ProxyConfig(
    PulsarConfig pulsar,
    HttpConfig http,
    ManagementConfig management,
    ProducerConfig producer,
    ProduceConfig produce,
    ConsumerConfig consumer,
    HttpConsumerConfig httpConsumer,
    WsConfig ws,
    ResilienceConfig resilience,
    LogConfig log,
    ShutdownConfig shutdown,
    AuthConfig auth,
    AuthorizationConfig authorization,
    CorsConfig cors,
    QuotasConfig quotas,
    TracingConfig tracing, EdgeConfig edge, ClusterConfig cluster) {

  public ProxyConfig {
    Objects.requireNonNull(pulsar, "pulsar");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(management, "management");
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(produce, "produce");
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(httpConsumer, "httpConsumer");
    Objects.requireNonNull(ws, "ws");
    Objects.requireNonNull(resilience, "resilience");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(authorization, "authorization");
    Objects.requireNonNull(cors, "cors");
    Objects.requireNonNull(quotas, "quotas");
    Objects.requireNonNull(tracing, "tracing");
    Objects.requireNonNull(edge, "edge");
    Objects.requireNonNull(cluster, "cluster");
  }

  /**
   * The built-in defaults (no file, environment or system properties), e.g. as a base for tests:
   * {@code ConfigLoader.build(new JsonObject().put("http", new JsonObject().put("port", 0)))} changes only some keys.
   */
  public static ProxyConfig defaults() {
    return ConfigLoader.defaultConfig();
  }
}
