package io.pulsarproxy.config;

/**
 * How the client listener scales on one node.
 *
 * @param configuredInstances {@code edge.instances} as configured: the edge verticle instances serving
 *                            {@code http.port}; 0 for one per core
 */
public record EdgeConfig(int configuredInstances) {

  public EdgeConfig {
    if (configuredInstances < 0) {
      throw new IllegalArgumentException("configuredInstances must not be negative: " + configuredInstances);
    }
  }

  /** The edge instances to deploy: as configured, or one per core the JVM sees (at least 1). */
  public int instances() {
    return configuredInstances > 0 ? configuredInstances : Math.max(1, Runtime.getRuntime().availableProcessors());
  }
}
