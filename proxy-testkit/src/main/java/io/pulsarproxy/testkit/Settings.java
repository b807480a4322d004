package io.pulsarproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;

/** Where the testkit's settings come from: environment, system properties, and values recorded at build time. */
final class Settings {

  /** Heap and direct memory of a standalone broker: modest, so tests and a dev broker fit side by side. */
  static final String PULSAR_MEM = "-Xms256m -Xmx1g -XX:MaxDirectMemorySize=512m";
  /** G1 instead of the distribution's ZGC + AlwaysPreTouch: cheaper on small machines. */
  static final String PULSAR_GC = "-XX:+UseG1GC -XX:+PerfDisableSharedMem";
  /**
   * The distribution's own extra options, and C1 only: a test's broker lives for a minute or a few, where C2's
   * compilations cost more CPU than they save (a start took 9 CPU-seconds instead of 15 on 2 cores).
   */
  static final String PULSAR_EXTRA_OPTS = "-Dpulsar.allocator.exit_on_oom=true "
      + "-Dio.netty.recycler.maxCapacityPerThread=4096 -XX:TieredStopAtLevel=1";

  static final String SERVICE_URL_ENV = "PULSAR_SERVICE_URL";
  static final String ADMIN_URL_ENV = "PULSAR_ADMIN_URL";
  /** {@code false} skips the Docker path even when an engine is reachable. */
  static final String DOCKER_SWITCH = "PULSAR_TESTKIT_DOCKER (or -Dpulsar.testkit.docker)";
  static final String STARTUP_TIMEOUT_PROPERTY = "pulsar.testkit.startupTimeoutSeconds";

  private static final Properties BUILD = load();

  private Settings() {
  }

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = Settings.class.getResourceAsStream("testkit.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }

  static String pulsarVersion() {
    String version = BUILD.getProperty("pulsar.version", "");
    if (version.isBlank() || version.startsWith("${")) {
      throw new IllegalStateException("testkit.properties has no pulsar.version: was the testkit built by Maven?");
    }
    return version;
  }

  /** The local Maven repository the testkit was built with, if the build recorded it. */
  static String buildLocalRepository() {
    String repo = BUILD.getProperty("maven.localRepository", "");
    return repo.isBlank() || repo.startsWith("${") ? null : repo;
  }

  static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  static boolean dockerAllowed() {
    String value = System.getProperty("pulsar.testkit.docker", env("PULSAR_TESTKIT_DOCKER"));
    return value == null || !value.trim().equalsIgnoreCase("false");
  }

  /** Any sign that a Docker engine may be there; without one, Testcontainers is not asked at all. */
  static boolean dockerHinted() {
    if (env("DOCKER_HOST") != null) {
      return true;
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.contains("win") || os.contains("mac")) {
      return true;
    }
    Path home = Path.of(System.getProperty("user.home"));
    String runtimeDir = env("XDG_RUNTIME_DIR");
    return Files.exists(Path.of("/var/run/docker.sock"))
        || Files.exists(home.resolve(".docker/run/docker.sock"))
        || Files.exists(home.resolve(".docker/desktop/docker.sock"))
        || Files.exists(home.resolve(".testcontainers.properties"))
        || (runtimeDir != null && Files.exists(Path.of(runtimeDir, "docker.sock")));
  }

  static Duration startupTimeout() {
    return Duration.ofSeconds(Long.getLong(STARTUP_TIMEOUT_PROPERTY, 300L));
  }

  /** {@code $XDG_CACHE_HOME/pulsar-proxy}, by default {@code ~/.cache/pulsar-proxy}: shared with run.sh. */
  static Path cacheDir() {
    String xdg = env("XDG_CACHE_HOME");
    Path base = xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("pulsar-proxy");
  }
}
