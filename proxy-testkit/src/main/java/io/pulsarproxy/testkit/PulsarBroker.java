package io.pulsarproxy.testkit;

import java.util.UUID;
import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;

/**
 * A real Pulsar broker that an integration test talks to.
 *
 * <p>Obtained from {@link PulsarExtension} (parameter injection), {@link SharedPulsar#get()}, or, for an extra
 * instance of its own, {@link StandalonePulsar#startNew(java.nio.file.Path)}. Methods are thread-safe.
 *
 * <p>The shared broker is used by every test class of the JVM: tests create their own topics with
 * {@link #uniqueTopic(String)} and never delete tenants or namespaces.
 */
public interface PulsarBroker {

  /** Binary protocol URL, e.g. {@code pulsar://127.0.0.1:6650}. */
  String serviceUrl();

  /** Admin REST / web service URL, e.g. {@code http://127.0.0.1:8080}. */
  String adminUrl();

  /** Base URL of the broker's own WebSocket service (on the web port), e.g. {@code ws://127.0.0.1:8080}. */
  String webSocketUrl();

  /**
   * The admin client of this broker, created on first use and shared: callers must not close it.
   */
  PulsarAdmin admin();

  /** A client builder pointing at {@link #serviceUrl()}, for tests that need their own client settings. */
  default ClientBuilder clientBuilder() {
    return PulsarClient.builder().serviceUrl(serviceUrl());
  }

  /** A new client pointing at {@link #serviceUrl()}; the caller closes it. */
  default PulsarClient newClient() throws PulsarClientException {
    return clientBuilder().build();
  }

  /**
   * Whether {@link #stop()}, {@link #kill()} and {@link #start()} are supported: true for a standalone
   * process started by the testkit, false for an external cluster or a container.
   */
  boolean controllable();

  /**
   * Stops the broker gracefully (SIGTERM to its process tree) and waits until it has exited.
   *
   * @throws UnsupportedOperationException unless {@link #controllable()}
   */
  void stop();

  /**
   * Kills the broker's whole process tree at once (SIGKILL), as a crash would, and waits until it has exited.
   *
   * @throws UnsupportedOperationException unless {@link #controllable()}
   */
  void kill();

  /**
   * Starts the broker again on the same ports and data directory, and returns once it accepts admin calls
   * and produces a message. Does nothing when it is already running.
   *
   * @throws UnsupportedOperationException unless {@link #controllable()}
   */
  void start();

  /**
   * A fresh persistent topic name in {@code public/default}: {@code persistent://public/default/<prefix>-<random>}.
   * The topic is created on first use (auto topic creation is on).
   */
  default String uniqueTopic(String prefix) {
    String random = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return "persistent://public/default/" + prefix + "-" + random;
  }
}
