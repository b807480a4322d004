package io.pulsarproxy.core.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One probe without an answer in time does not take a broker seen up for down; a refusal or a second one does. */
class ClusterProbeTest {
  private static final String URL = "pulsar://127.0.0.1:6650";

  @Test
  void aBrokerSeenUpStaysUpThroughOneUnansweredProbe() {
    ClusterProbe probe = new ClusterProbe(URL);
    probe.record(true, false, null, 1);

    probe.record(false, true, "no answer within 2s", 2);
    assertThat(probe.up).isTrue();
    assertThat(probe.since).isEqualTo(1);

    probe.record(true, false, null, 3);
    probe.record(false, true, "no answer within 2s", 4);
    assertThat(probe.up).as("an answer in between starts the count again").isTrue();
  }

  @Test
  void theSecondUnansweredProbeInARowIsDown() {
    ClusterProbe probe = new ClusterProbe(URL);
    probe.record(true, false, null, 1);
    probe.record(false, true, "no answer within 2s", 2);
    probe.record(false, true, "no answer within 2s", 3);

    assertThat(probe.up).isFalse();
    assertThat(probe.since).isEqualTo(3);
    assertThat(probe.lastError).isEqualTo("no answer within 2s");
  }

  @Test
  void aRefusedProbeIsDownAtOnce() {
    ClusterProbe probe = new ClusterProbe(URL);
    probe.record(true, false, null, 1);
    probe.record(false, false, "connection refused", 2);

    assertThat(probe.up).isFalse();
    assertThat(probe.since).isEqualTo(2);
  }

  @Test
  void aBrokerNeverSeenUpIsDownAtItsFirstUnansweredProbe() {
    ClusterProbe probe = new ClusterProbe(URL);
    probe.record(false, true, "no answer within 2s", 1);

    assertThat(probe.up).isFalse();
    assertThat(probe.since).isEqualTo(1);
  }
}
