package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PulsarDistributionTest {

  @TempDir
  Path tmp;

  /** Two test JVMs may clean up the same old broker directory at once: neither may fail because of the other. */
  @Test
  void aTreeDeletedFromSeveralThreadsAtOnceIsGoneWithoutAnError() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int run = 0; run < 20; run++) {
        Path dir = Files.createDirectories(tmp.resolve("shared-" + run));
        for (int i = 0; i < 50; i++) {
          Files.writeString(Files.createDirectories(dir.resolve("d" + i).resolve("conf")).resolve("f"), "x");
        }
        List<Callable<Void>> deletes = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          deletes.add(() -> {
            PulsarDistribution.deleteRecursively(dir);
            return null;
          });
        }
        for (Future<Void> done : pool.invokeAll(deletes)) {
          done.get();
        }
        assertThat(dir).doesNotExist();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void knowsTheVersionItWasBuiltWith() {
    assertThat(PulsarDistribution.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void looksForTheTarballInTheMavenRepositoryLayout() {
    assertThat(PulsarDistribution.tarballIn(Path.of("/repo"), "4.0.8")).isEqualTo(Path.of(
        "/repo/org/apache/pulsar/pulsar-server-distribution/4.0.8/pulsar-server-distribution-4.0.8-bin.tar.gz"));
  }

  @Test
  void prefersTheRepositoryGivenByMavenRepoLocal() {
    String previous = System.getProperty("maven.repo.local");
    System.setProperty("maven.repo.local", tmp.toString());
    try {
      List<Path> repos = PulsarDistribution.localRepositories();
      assertThat(repos.get(0)).isEqualTo(tmp.toAbsolutePath());
      assertThat(repos).contains(Path.of(System.getProperty("user.home"), ".m2", "repository"));
    } finally {
      if (previous == null) {
        System.clearProperty("maven.repo.local");
      } else {
        System.setProperty("maven.repo.local", previous);
      }
    }
  }

  @Test
  void extractsOnceEvenWhenSeveralCallersRace() throws Exception {
    Path tarball = fakeDistribution("9.9.9");
    Path cache = tmp.resolve("cache");

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Callable<Path> extract = () -> PulsarDistribution.extract(tarball, cache, "9.9.9");
        results.add(pool.submit(extract));
      }
      for (Future<Path> result : results) {
        assertThat(result.get()).isEqualTo(cache.resolve("apache-pulsar-9.9.9"));
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(cache.resolve("apache-pulsar-9.9.9/bin/pulsar")).isExecutable();
    try (var entries = Files.list(cache)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("apache-pulsar-9.9.9");
    }
    Files.delete(tarball);
    assertThat(PulsarDistribution.extract(tarball, cache, "9.9.9")).isEqualTo(cache.resolve("apache-pulsar-9.9.9"));
  }

  private Path fakeDistribution(String version) throws Exception {
    Path root = tmp.resolve("src").resolve("apache-pulsar-" + version);
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("lib"));
    Path script = Files.writeString(root.resolve("bin/pulsar"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path tarball = tmp.resolve("dist.tar.gz");
    Process tar = new ProcessBuilder("tar", "czf", tarball.toString(), "-C", root.getParent().toString(),
        root.getFileName().toString()).inheritIO().start();
    assertThat(tar.waitFor()).isZero();
    return tarball;
  }
}
