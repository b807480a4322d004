package io.pulsarproxy.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Pulsar broker shared by every test of this JVM, created on first use. Resolution order:
 * <ol>
 *   <li>{@code PULSAR_SERVICE_URL} (and optionally {@code PULSAR_ADMIN_URL}) set: that cluster;</li>
 *   <li>a Docker engine answers (and {@code PULSAR_TESTKIT_DOCKER} is not {@code false}): a Testcontainers
 *       {@code apachepulsar/pulsar:<version>} container;</li>
 *   <li>otherwise: the standalone distribution as a child process on free ports, in
 *       {@code target/pulsar-standalone/shared-<time>-<pid>/} of the working directory (the module directory
 *       under Maven), or {@code -Dpulsar.testkit.dir}.</li>
 * </ol>
 * It is stopped when the JVM exits. Tests must not close or permanently stop it: a test that stops or kills it
 * starts it again, and {@link #get()} restarts it if a test left it stopped.
 */
public final class SharedPulsar {

  private static final Logger LOG = LoggerFactory.getLogger(SharedPulsar.class);

  private static PulsarBroker broker;
  private static RuntimeException failure;

  private SharedPulsar() {
  }

  /**
   * The shared broker, started on the first call (which may take tens of seconds) and running when this returns.
   * If it could not be started, every later call fails at once with the original cause.
   */
  public static synchronized PulsarBroker get() {
    if (failure != null) {
      throw new IllegalStateException("The shared Pulsar failed to start earlier in this JVM", failure);
    }
    try {
      if (broker == null) {
        broker = create();
      }
      if (broker instanceof StandalonePulsar standalone && !standalone.isRunning()) {
        LOG.info("The shared Pulsar was left stopped by a previous test: starting it again");
        standalone.start();
      }
      return broker;
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    }
  }

  /** The shared broker when it has been started in this JVM, without starting it. */
  public static synchronized java.util.Optional<PulsarBroker> ifStarted() {
    return java.util.Optional.ofNullable(broker);
  }

  private static PulsarBroker create() {
    String serviceUrl = Settings.env(Settings.SERVICE_URL_ENV);
    if (serviceUrl != null) {
      ExternalPulsar external = ExternalPulsar.fromUrls(serviceUrl, Settings.env(Settings.ADMIN_URL_ENV));
      LOG.info("Using {} from {}", external, Settings.SERVICE_URL_ENV);
      return external;
    }
    if (ContainerPulsar.dockerAvailable()) {
      return ContainerPulsar.start(PulsarDistribution.version());
    }
    Path base = Path.of(System.getProperty("pulsar.testkit.dir",
        Path.of(System.getProperty("user.dir"), "target", "pulsar-standalone").toString()));
    removeOldSharedDirs(base);
    String name = "shared-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        + "-" + ProcessHandle.current().pid();
    return StandalonePulsar.startNew(base.resolve(name));
  }

  /**
   * Work directories of earlier test runs whose broker is gone, so target/ does not grow run after run. A directory
   * whose JVM (the pid its name ends with) still runs is another test JVM's of this run, which may not have started
   * its broker yet: it is left alone.
   */
  private static void removeOldSharedDirs(Path base) {
    if (!Files.isDirectory(base)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(base)) {
      dirs.filter(dir -> dir.getFileName().toString().startsWith("shared-"))
          .filter(dir -> !ownerRuns(dir))
          .filter(dir -> StandalonePulsar.reapOrphan(dir, false))
          .forEach(PulsarDistribution::deleteRecursively);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + base, e);
    }
  }

  /** Whether the JVM that made {@code dir} ({@code shared-<time>-<pid>}) still runs. */
  static boolean ownerRuns(Path dir) {
    String name = dir.getFileName().toString();
    try {
      long pid = Long.parseLong(name.substring(name.lastIndexOf('-') + 1));
      return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException notOurs) {
      return false;
    }
  }
}
