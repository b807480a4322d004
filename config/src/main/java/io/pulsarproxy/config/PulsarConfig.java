package io.pulsarproxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the proxy reaches Pulsar: the one shared client and the broker probe. {@link #toString()} shows the token as
 * {@code Optional[****]}.
 *
 * @param serviceUrl        {@code pulsar.serviceUrl}, e.g. {@code pulsar://localhost:6650}
 * @param authToken         {@code pulsar.authToken}: token the proxy authenticates to the broker with, if any
 * @param operationTimeout  {@code pulsar.operationTimeout}: producer/consumer creation and lookups
 * @param connectionTimeout {@code pulsar.connectionTimeout}: TCP connect to the broker
 * @param ioThreads         {@code pulsar.ioThreads}
 * @param listenerThreads   {@code pulsar.listenerThreads}
 * @param memoryLimitBytes  {@code pulsar.memoryLimit}: client-wide limit on pending message bytes
 * @param probeInterval     {@code pulsar.probeInterval}: how often the supervisor asks the broker it is alive
 * @param probeTopic        {@code pulsar.probeTopic}: topic looked up by the probe (a real broker round trip)
 * @param serviceUrls       {@code pulsar.serviceUrls}: clusters to fail over between, primary first; empty means
 *                          just {@code serviceUrl}
 * @param failoverAfter     {@code pulsar.failoverAfter}: how long the active cluster must be unreachable before the
 *                          proxy switches to the next reachable one
 * @param switchBackAfter   {@code pulsar.switchBackAfter}: how long the primary must be healthy again before the
 *                          proxy switches back to it
 */
public record PulsarConfig(
    String serviceUrl,
    Optional<Secret> authToken,
    Duration operationTimeout,
    Duration connectionTimeout,
    int ioThreads,
    int listenerThreads,
    long memoryLimitBytes,
    Duration probeInterval,
    String probeTopic,
    List<String> serviceUrls,
    Duration failoverAfter,
    Duration switchBackAfter) {

  public PulsarConfig {
    serviceUrls = List.copyOf(serviceUrls);
    Objects.requireNonNull(serviceUrl, "serviceUrl");
    Objects.requireNonNull(authToken, "authToken (Optional.empty() for none)");
    Objects.requireNonNull(operationTimeout, "operationTimeout");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    Objects.requireNonNull(probeInterval, "probeInterval");
    Objects.requireNonNull(probeTopic, "probeTopic");
    Objects.requireNonNull(failoverAfter, "failoverAfter");
    Objects.requireNonNull(switchBackAfter, "switchBackAfter");
  }

  /** The clusters, primary first: {@code serviceUrls}, or just {@code serviceUrl} when that is empty. */
  public List<String> clusters() {
    return serviceUrls.isEmpty() ? List.of(serviceUrl) : serviceUrls;
  }
}
