package io.pulsarproxy.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pulsar standalone distribution ({@code org.apache.pulsar:pulsar-server-distribution:<version>:tar.gz:bin}):
 * found in the local Maven repository (fetched with {@code mvn dependency:get} when missing) and extracted once
 * into {@code ~/.cache/pulsar-proxy/apache-pulsar-<version>}, shared by every JVM and by {@code run.sh}.
 */
public final class PulsarDistribution {

  private static final Logger LOG = LoggerFactory.getLogger(PulsarDistribution.class);
  private static final String GROUP_PATH = "org/apache/pulsar/pulsar-server-distribution";
  private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(10);

  private static Path home;

  private PulsarDistribution() {
  }

  /** The Pulsar version the testkit was built against. */
  public static String version() {
    return Settings.pulsarVersion();
  }

  /**
   * The extracted distribution ({@code bin/pulsar} inside), fetching and extracting it on first use.
   * Safe to call from several JVMs at once: extraction happens in a temporary directory renamed into place.
   */
  public static synchronized Path home() {
    if (home == null) {
      home = extract(tarball(), Settings.cacheDir(), version());
    }
    return home;
  }

  /** The distribution tarball in the local Maven repository, fetched through Maven if it is not there. */
  public static Path tarball() {
    String version = version();
    List<Path> repos = localRepositories();
    for (Path repo : repos) {
      Path candidate = tarballIn(repo, version);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    Path repo = repos.get(0);
    fetch(repo, version);
    Path fetched = tarballIn(repo, version);
    if (!Files.isRegularFile(fetched)) {
      throw new IllegalStateException("mvn dependency:get finished but " + fetched + " does not exist");
    }
    return fetched;
  }

  static Path tarballIn(Path repo, String version) {
    return repo.resolve(GROUP_PATH).resolve(version)
        .resolve("pulsar-server-distribution-" + version + "-bin.tar.gz");
  }

  /**
   * Where to look, in order: {@code -Dmaven.repo.local}, the repository the testkit was built with,
   * {@code ~/.m2/repository}.
   */
  static List<Path> localRepositories() {
    Set<Path> repos = new LinkedHashSet<>();
    String property = System.getProperty("maven.repo.local");
    if (property != null && !property.isBlank()) {
      repos.add(Path.of(property).toAbsolutePath());
    }
    String recorded = Settings.buildLocalRepository();
    if (recorded != null && Files.isDirectory(Path.of(recorded))) {
      repos.add(Path.of(recorded).toAbsolutePath());
    }
    repos.add(Path.of(System.getProperty("user.home"), ".m2", "repository"));
    return new ArrayList<>(repos);
  }

  private static void fetch(Path repo, String version) {
    String artifact = "org.apache.pulsar:pulsar-server-distribution:" + version + ":tar.gz:bin";
    List<String> command = new ArrayList<>(List.of(mvnExecutable(), "-B", "-q", "dependency:get",
        "-Dartifact=" + artifact, "-Dtransitive=false"));
    if (!repo.equals(Path.of(System.getProperty("user.home"), ".m2", "repository"))) {
      command.add("-Dmaven.repo.local=" + repo);
    }
    LOG.info("Pulsar distribution not in {}: fetching {} with Maven", repo, artifact);
    try {
      Path log = Files.createTempFile("pulsar-dependency-get", ".log");
      // From a directory without a pom.xml, so Maven does not load the caller's project for a plain download.
      Path neutralDir = Files.createDirectories(Settings.cacheDir());
      Process process = new ProcessBuilder(command)
          .directory(neutralDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      if (!process.waitFor(FETCH_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
        ProcessTree.kill(process, Duration.ofSeconds(10));
        throw new IllegalStateException("Fetching " + artifact + " took more than " + FETCH_TIMEOUT.toMinutes()
            + " minutes; Maven's output: " + log);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("Fetching " + artifact + " failed (" + String.join(" ", command) + "):\n"
            + ProcessTree.tail(log, 50));
      }
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + String.join(" ", command) + " (is mvn on the PATH?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while fetching " + artifact, e);
    }
  }

  private static String mvnExecutable() {
    String mavenHome = System.getProperty("maven.home");
    if (mavenHome != null && Files.isExecutable(Path.of(mavenHome, "bin", "mvn"))) {
      return Path.of(mavenHome, "bin", "mvn").toString();
    }
    return "mvn";
  }

  static Path extract(Path tarball, Path cacheDir, String version) {
    Path target = cacheDir.resolve("apache-pulsar-" + version);
    if (isComplete(target)) {
      return target;
    }
    try {
      Files.createDirectories(cacheDir);
      removeAbandonedExtractions(cacheDir);
      Path scratch = Files.createTempDirectory(cacheDir, ".extract-");
      try {
        LOG.info("Extracting {} into {}", tarball, target);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", scratch.toString())
            .redirectErrorStream(true)
            .redirectOutput(scratch.resolve("tar.log").toFile())
            .start();
        if (tar.waitFor() != 0) {
          throw new IllegalStateException(
              "tar xzf " + tarball + " failed:\n" + ProcessTree.tail(scratch.resolve("tar.log"), 20));
        }
        Path extracted = scratch.resolve("apache-pulsar-" + version);
        if (!isComplete(extracted)) {
          throw new IllegalStateException(tarball + " has no apache-pulsar-" + version + "/bin/pulsar");
        }
        try {
          Files.move(extracted, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          // Another JVM renamed its copy into place first: use that one.
          if (!isComplete(target)) {
            throw e;
          }
        }
      } finally {
        deleteRecursively(scratch);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot extract " + tarball + " into " + target, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while extracting " + tarball, e);
    }
    return target;
  }

  private static boolean isComplete(Path distribution) {
    return Files.isExecutable(distribution.resolve("bin/pulsar")) && Files.isDirectory(distribution.resolve("lib"));
  }

  /** Scratch directories of extractions that were killed half way, older than an hour. */
  private static void removeAbandonedExtractions(Path cacheDir) throws IOException {
    FileTime cutoff = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    try (Stream<Path> entries = Files.list(cacheDir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (entry.getFileName().toString().startsWith(".extract-")
            && Files.getLastModifiedTime(entry).compareTo(cutoff) < 0) {
          deleteRecursively(entry);
        }
      }
    }
  }

  /**
   * Deletes {@code dir} and everything in it. Another test JVM may be deleting the same old directory at the same
   * time: a walk that finds part of the tree gone (each such failure is the other's progress) starts again until
   * nothing is left.
   */
  static void deleteRecursively(Path dir) {
    for (int walk = 0; walk < 100 && Files.exists(dir); walk++) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> {
          try {
            Files.deleteIfExists(path);
          } catch (IOException e) {
            LOG.debug("Cannot delete {}: {}", path, e.toString());
          }
        });
      } catch (IOException | UncheckedIOException e) {
        LOG.debug("Cannot delete {}: {}", dir, e.toString());
      }
    }
  }
}
