package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SharedPulsarTest {

  @Test
  void aDirectoryOfAnotherRunningJvmIsItsOwnersAndLeftAlone() {
    long parent = ProcessHandle.current().parent().orElseThrow().pid(); // Maven's JVM, running
    assertThat(SharedPulsar.ownerRuns(Path.of("target", "shared-20261202-033411-" + parent))).isTrue();
  }

  @Test
  void aDirectoryOfThisJvmOrOfOneThatExitedIsNotKeptForItsOwner() {
    long self = ProcessHandle.current().pid();
    assertThat(SharedPulsar.ownerRuns(Path.of("target", "shared-20261202-033411-" + self))).isFalse();
    assertThat(SharedPulsar.ownerRuns(Path.of("target", "shared-20261202-033411-" + Integer.MAX_VALUE))).isFalse();
    assertThat(SharedPulsar.ownerRuns(Path.of("target", "shared-20261202-033411-x"))).isFalse();
  }
}
