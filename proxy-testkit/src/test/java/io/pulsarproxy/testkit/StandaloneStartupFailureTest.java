package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Start-up failures, with a fake distribution whose bin/pulsar misbehaves. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StandaloneStartupFailureTest {

  @TempDir
  Path tmp;

  @Test
  void reportsTheLastFiftyLogLinesWhenPulsarDiesDuringStartUp() throws Exception {
    Path home = fakeDistribution("for i in $(seq 1 80); do echo \"log line $i\"; done\nexit 3\n");

    assertThatThrownBy(() -> StandalonePulsar.startNew(home, tmp.resolve("work"), 0, 0, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 3 during start-up")
        .hasMessageContaining("log line 31\n")
        .hasMessageEndingWith("log line 80")
        .hasMessageNotContaining("log line 30\n");
    assertThat(tmp.resolve("work/pulsar.pid")).doesNotExist();
  }

  @Test
  void givesUpAndKillsPulsarWhenItIsNotReadyInTime() throws Exception {
    Path home = fakeDistribution("echo still starting\nexec sleep 300\n");

    assertThatThrownBy(() -> StandalonePulsar.startNew(home, tmp.resolve("work"), 0, 0, Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not ready within 2 s")
        .hasMessageContaining("still starting");
    assertThat(tmp.resolve("work/pulsar.pid")).doesNotExist();
  }

  @Test
  void triesOtherPortsWhenAPortIsTakenDuringStartUp() throws Exception {
    Path home = fakeDistribution("echo attempt >> \"$0.attempts\"\n"
        + "echo 'java.net.BindException: Address already in use'\nexit 1\n");

    assertThatThrownBy(() -> StandalonePulsar.startNew(home, tmp.resolve("work"), 0, 0, Duration.ofSeconds(30)))
        .isInstanceOf(StandalonePulsar.PortInUseException.class);
    assertThat(Files.readAllLines(home.resolve("bin/pulsar.attempts"))).hasSize(3);
  }

  @Test
  void passesPortsAndDirectoriesToPulsar() throws Exception {
    Path home = fakeDistribution("echo \"$@\" > \"$0.args\"\nexit 1\n");
    Path work = tmp.resolve("work");

    assertThatThrownBy(() -> StandalonePulsar.startNew(home, work, 0, 0, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class);

    String args = Files.readString(home.resolve("bin/pulsar.args"));
    assertThat(args).startsWith("standalone --no-functions-worker --no-stream-storage --advertised-address 127.0.0.1")
        .contains("--bookkeeper-dir " + work.resolve("data/bookkeeper"))
        .contains("--metadata-dir " + work.resolve("data/metadata"))
        .contains("--config " + work.resolve("conf/standalone.conf"));
    assertThat(Files.readString(work.resolve("conf/standalone.conf")))
        .contains("webSocketServiceEnabled=true")
        .contains("brokerDeleteInactiveTopicsEnabled=false")
        .containsPattern("(?m)^brokerServicePort=\\d+$");
  }

  private Path fakeDistribution(String script) throws Exception {
    Path home = tmp.resolve("apache-pulsar");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("conf"));
    Files.writeString(home.resolve("conf/standalone.conf"),
        "brokerServicePort=6650\nwebServicePort=8080\nbrokerDeleteInactiveTopicsEnabled=true\n");
    Path pulsar = Files.writeString(home.resolve("bin/pulsar"), "#!/bin/sh\n" + script);
    Files.setPosixFilePermissions(pulsar, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }
}
