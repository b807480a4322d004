package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StandaloneConfigTest {

  @Test
  void replacesKeysInPlaceAndAppendsMissingOnes() {
    String original = "# brokerServicePort=1\nbrokerServicePort=6650\nwebServicePort=8080\nclusterName=standalone";

    String written = StandalonePulsar.applyOverrides(original,
        Map.of("brokerServicePort", "16650", "webServicePort", "18080", "webSocketServiceEnabled", "true"));

    assertThat(written).isEqualTo("# brokerServicePort=1\nbrokerServicePort=16650\nwebServicePort=18080\n"
        + "clusterName=standalone\nwebSocketServiceEnabled=true\n");
  }

  @Test
  void setsPortsWebSocketServiceAndKeepsInactiveTopics() {
    Map<String, String> overrides = StandalonePulsar.configOverrides(16650, 18080);

    assertThat(overrides)
        .containsEntry("brokerServicePort", "16650")
        .containsEntry("webServicePort", "18080")
        .containsEntry("webSocketServiceEnabled", "true")
        .containsEntry("allowAutoTopicCreation", "true")
        .containsEntry("brokerDeleteInactiveTopicsEnabled", "false");
  }

  @Test
  void findsDistinctFreePorts() {
    int[] ports = StandalonePulsar.freePorts(3);

    assertThat(ports).hasSize(3).doesNotHaveDuplicates().doesNotContain(0);
  }
}
