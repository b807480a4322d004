package io.pulsarproxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the proxy reaches Pulsar: the one shared client and the broker probe. {@link #toString()} shows the token and the
 * authentication parameters as {@code Optional[****]}.
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
 * @param tls               {@code pulsar.tls.*}: trust bundle, client certificate and host name verification for
 *                          {@code pulsar+ssl://} URLs
 * @param authPlugin        {@code pulsar.authPlugin}: class name of a Pulsar authentication plugin the proxy
 *                          authenticates to the broker with, instead of {@code authToken}
 * @param authParams        {@code pulsar.authParams}: the plugin's parameters, in the plugin's own format (secret)
 * @param statsInterval     {@code pulsar.statsInterval}: how often the client totals its producers' and consumers'
 *                          statistics; zero turns them off
 * @param webServiceUrl     {@code pulsar.webServiceUrl}: the broker's web service (admin REST) URL of
 *                          {@code serviceUrl}, where topic schemas are read; empty: derived from the service URL
 * @param webServiceUrls    {@code pulsar.webServiceUrls}: with {@code serviceUrls}, the clusters' web service URLs in
 *                          the same order; empty: each derived from its service URL
 * @param schemaCacheMaxEntries {@code pulsar.schemaCacheMaxEntries}: schema versions kept (with their encoders and
 *                          decoders) for typed topics, both directions together
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
    Duration switchBackAfter,
    PulsarTlsConfig tls,
    Optional<String> authPlugin,
    Optional<Secret> authParams,
    Duration statsInterval,
    Optional<String> webServiceUrl,
    List<String> webServiceUrls,
    int schemaCacheMaxEntries) {

  /** The default of {@code pulsar.statsInterval}. */
  public static final Duration DEFAULT_STATS_INTERVAL = Duration.ofSeconds(15);

  /** The default of {@code pulsar.schemaCacheMaxEntries}. */
  public static final int DEFAULT_SCHEMA_CACHE_MAX_ENTRIES = 1000;

  public PulsarConfig {
    serviceUrls = List.copyOf(serviceUrls);
    webServiceUrls = List.copyOf(webServiceUrls);
    Objects.requireNonNull(webServiceUrl, "webServiceUrl (Optional.empty() for derived)");
    Objects.requireNonNull(serviceUrl, "serviceUrl");
    Objects.requireNonNull(authToken, "authToken (Optional.empty() for none)");
    Objects.requireNonNull(operationTimeout, "operationTimeout");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    Objects.requireNonNull(probeInterval, "probeInterval");
    Objects.requireNonNull(probeTopic, "probeTopic");
    Objects.requireNonNull(failoverAfter, "failoverAfter");
    Objects.requireNonNull(switchBackAfter, "switchBackAfter");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(authPlugin, "authPlugin (Optional.empty() for none)");
    Objects.requireNonNull(authParams, "authParams (Optional.empty() for none)");
    Objects.requireNonNull(statsInterval, "statsInterval");
  }

  /** With the default TLS settings, no authentication plugin and the default statistics interval. */
  public PulsarConfig(String serviceUrl, Optional<Secret> authToken, Duration operationTimeout,
      Duration connectionTimeout, int ioThreads, int listenerThreads, long memoryLimitBytes, Duration probeInterval,
      String probeTopic, List<String> serviceUrls, Duration failoverAfter, Duration switchBackAfter) {
    this(serviceUrl, authToken, operationTimeout, connectionTimeout, ioThreads, listenerThreads, memoryLimitBytes,
        probeInterval, probeTopic, serviceUrls, failoverAfter, switchBackAfter, PulsarTlsConfig.DEFAULTS,
        Optional.empty(), Optional.empty(), DEFAULT_STATS_INTERVAL, Optional.empty(), List.of(),
        DEFAULT_SCHEMA_CACHE_MAX_ENTRIES);
  }

  /** The clusters, primary first: {@code serviceUrls}, or just {@code serviceUrl} when that is empty. */
  public List<String> clusters() {
    return serviceUrls.isEmpty() ? List.of(serviceUrl) : serviceUrls;
  }

  /**
   * The web service (admin REST) URL of the cluster at {@code activeServiceUrl}: its entry of {@code webServiceUrls}
   * (or {@code webServiceUrl} for {@code serviceUrl}) when configured, else derived from it: {@code pulsar://host:6650}
   * becomes {@code http://host:8080}, {@code pulsar+ssl://host:6651} {@code https://host:8443} (the first host of a
   * multi-host URL).
   */
  public String webServiceUrlOf(String activeServiceUrl) {
    int index = clusters().indexOf(activeServiceUrl);
    if (index >= 0 && index < webServiceUrls.size()) {
      return webServiceUrls.get(index);
    }
    if (webServiceUrl.isPresent() && (serviceUrls.isEmpty() || index == 0)) {
      return webServiceUrl.get();
    }
    boolean tls = activeServiceUrl.startsWith("pulsar+ssl://");
    String rest = activeServiceUrl.substring(activeServiceUrl.indexOf("://") + 3);
    String host = rest.split("[,/]", 2)[0];
    if (host.startsWith("[")) {
      host = host.substring(0, host.indexOf(']') + 1);
    } else if (host.contains(":")) {
      host = host.substring(0, host.lastIndexOf(':'));
    }
    return (tls ? "https://" : "http://") + host + (tls ? ":8443" : ":8080");
  }
}
