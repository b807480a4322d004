package io.pulsarproxy.ws;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test class with a proxy of default configuration on the test JVM's real broker, started once per class. */
@ExtendWith(PulsarExtension.class)
abstract class WithWsProxy {
  static PulsarBroker broker;
  static WsProxy proxy;

  @BeforeAll
  static void startProxy(PulsarBroker pulsar) throws Exception {
    broker = pulsar;
    proxy = WsProxy.start(pulsar);
  }

  @AfterAll
  static void stopProxy() throws Exception {
    proxy.close();
  }
}
