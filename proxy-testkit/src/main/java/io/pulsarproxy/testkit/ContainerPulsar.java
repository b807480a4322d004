package io.pulsarproxy.testkit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.pulsar.PulsarContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Docker path: a Testcontainers {@link PulsarContainer}. Every Testcontainers type is referenced from
 * this class only, so nothing of Testcontainers is loaded when Docker is not considered.
 */
final class ContainerPulsar {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerPulsar.class);
  private static final Duration DOCKER_PROBE_TIMEOUT = Duration.ofSeconds(20);

  private ContainerPulsar() {
  }

  /**
   * True when a Docker engine answers. Asks Testcontainers only when there is a sign of a Docker engine
   * (DOCKER_HOST, a known socket, a Testcontainers config file), so machines without one are not
   * delayed or flooded with connection errors.
   */
  static boolean dockerAvailable() {
    if (!Settings.dockerAllowed()) {
      LOG.debug("Docker disabled by {}", Settings.DOCKER_SWITCH);
      return false;
    }
    if (!Settings.dockerHinted()) {
      return false;
    }
    CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(() -> {
      try {
        return DockerClientFactory.instance().isDockerAvailable();
      } catch (Throwable e) {
        return false;
      }
    });
    try {
      return probe.get(DOCKER_PROBE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.info("No answer from Docker within {}s: not using Testcontainers", DOCKER_PROBE_TIMEOUT.toSeconds());
      probe.cancel(true);
      return false;
    }
  }

  /** Starts a container; it is removed when the JVM exits (Testcontainers' own reaper and a shutdown hook). */
  static PulsarBroker start(String pulsarVersion) {
    PulsarContainer container = new PulsarContainer(DockerImageName.parse("apachepulsar/pulsar:" + pulsarVersion))
        .withEnv("PULSAR_MEM", Settings.PULSAR_MEM)
        .withEnv("webSocketServiceEnabled", "true")
        .withEnv("allowAutoTopicCreation", "true")
        .withEnv("brokerDeleteInactiveTopicsEnabled", "false")
        .withStartupTimeout(Settings.startupTimeout());
    LOG.info("Starting Pulsar container apachepulsar/pulsar:{}", pulsarVersion);
    container.start();
    ExternalPulsar broker = new ExternalPulsar(container.getPulsarBrokerUrl(), container.getHttpServiceUrl(),
        "Pulsar container " + container.getContainerId());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.closeAdmin();
      container.stop();
    }, "pulsar-container-stop"));
    return broker;
  }
}
