package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessTreeTest {

  @TempDir
  Path tmp;

  @Test
  void killsTheProcessAndItsDescendants() throws Exception {
    Process shell = new ProcessBuilder("sh", "-c", "sleep 300 & sleep 300 & wait").start();
    List<ProcessHandle> children = awaitChildren(shell.toHandle(), 2);

    assertThat(ProcessTree.kill(shell, Duration.ofSeconds(10))).isTrue();

    // At once, not eventually: a caller goes on as soon as kill returns.
    assertThat(shell.isAlive()).isFalse();
    assertThat(children).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void escalatesToKillWhenTerminationIsIgnored() throws Exception {
    Process shell = new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 300 & wait").start();
    List<ProcessHandle> children = awaitChildren(shell.toHandle(), 1);

    long start = System.nanoTime();
    assertThat(ProcessTree.terminate(shell, Duration.ofMillis(500))).isTrue();

    // Nothing exits on SIGTERM, so only the SIGKILL after the grace period can have ended the tree.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(shell.isAlive()).isFalse();
    assertThat(children).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void returnsAtOnceWhenTheTreeExitsOnTermination() throws Exception {
    Process shell = new ProcessBuilder("sh", "-c", "sleep 300 & wait").start();
    List<ProcessHandle> children = awaitChildren(shell.toHandle(), 1);

    long start = System.nanoTime();
    assertThat(ProcessTree.terminate(shell, Duration.ofSeconds(30))).isTrue();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    assertThat(shell.isAlive()).isFalse();
    assertThat(children).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void tailsTheLastLinesOfAFile() throws Exception {
    Path log = tmp.resolve("x.log");
    Files.writeString(log, IntStream.rangeClosed(1, 100).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")));

    assertThat(ProcessTree.tail(log, 3)).isEqualTo("line 98\nline 99\nline 100");
    assertThat(ProcessTree.tail(tmp.resolve("missing.log"), 3)).contains("missing.log");
  }

  private static List<ProcessHandle> awaitChildren(ProcessHandle parent, int count) {
    await().atMost(Duration.ofSeconds(10))
        .until(() -> parent.children().count() >= count);
    return parent.children().collect(Collectors.toList());
  }
}
