package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExternalPulsarTest {

  @Test
  void derivesTheAdminUrlFromTheServiceUrlWhenNotGiven() {
    assertThat(ExternalPulsar.fromUrls("pulsar://broker.example:6650", null).adminUrl())
        .isEqualTo("http://broker.example:8080");
    assertThat(ExternalPulsar.fromUrls("pulsar+ssl://broker.example:6651", " ").adminUrl())
        .isEqualTo("https://broker.example:8443");
  }

  @Test
  void usesTheGivenAdminUrlAndDerivesTheWebSocketUrlFromIt() {
    ExternalPulsar pulsar = ExternalPulsar.fromUrls("pulsar://a:6650", "https://admin.example:9443/");

    assertThat(pulsar.adminUrl()).isEqualTo("https://admin.example:9443");
    assertThat(pulsar.webSocketUrl()).isEqualTo("wss://admin.example:9443");
    assertThat(ExternalPulsar.webSocketUrlOf("http://h:8080")).isEqualTo("ws://h:8080");
  }

  @Test
  void refusesLifecycleControl() {
    ExternalPulsar pulsar = ExternalPulsar.fromUrls("pulsar://a:6650", null);

    assertThat(pulsar.controllable()).isFalse();
    assertThatThrownBy(pulsar::stop).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(pulsar::kill).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(pulsar::start).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void makesUniqueTopicNamesInPublicDefault() {
    ExternalPulsar pulsar = ExternalPulsar.fromUrls("pulsar://a:6650", null);

    assertThat(pulsar.uniqueTopic("orders")).matches("persistent://public/default/orders-[0-9a-f]{12}");
    assertThat(pulsar.uniqueTopic("orders")).isNotEqualTo(pulsar.uniqueTopic("orders"));
  }
}
