package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigVerticleTest {
  private static final Duration SCAN = Duration.ofMillis(100);
  private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.dG9rZW4.t0p-s3cr3t";
  private static final String TEST_LOGGER = "io.pulsarproxy.config.test";

  @TempDir
  Path dir;

  private Path file;
  private CapturedLogs logs;
  private Level rootLevelBefore;

  @BeforeEach
  void setUp() {
    file = dir.resolve("proxy.yaml");
    logs = new CapturedLogs(ConfigVerticle.class);
    rootLevelBefore = rootLogger().getLevel();
  }

  @AfterEach
  void tearDown() {
    logs.close();
    rootLogger().setLevel(rootLevelBefore);
    logger(TEST_LOGGER).setLevel(null);
  }

  private static ch.qos.logback.classic.Logger rootLogger() {
    return logger(Logger.ROOT_LOGGER_NAME);
  }

  private static ch.qos.logback.classic.Logger logger(String name) {
    return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name);
  }

  /** Replaces the file atomically, as a deployment tool or an editor would, so that no scan sees half of it. */
  private void replace(String yaml) throws IOException {
    Path tmp = Files.writeString(Files.createTempFile(dir, "next", ".yaml"), yaml);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static <T> T join(Future<T> future) {
    await().atMost(Duration.ofSeconds(10)).until(future::isComplete);
    assertThat(future.succeeded()).as("%s", future.cause()).isTrue();
    return future.result();
  }

  private ConfigVerticle deploy(Vertx vertx, Map<String, String> env) {
    ConfigVerticle verticle = new ConfigVerticle(file, env, new Properties(), SCAN);
    join(vertx.deployVerticle(verticle));
    return verticle;
  }

  private static Queue<ProxyConfig> listen(Vertx vertx) {
    Queue<ProxyConfig> published = new ConcurrentLinkedQueue<>();
    join(vertx.eventBus().<ProxyConfig>consumer(Addresses.CONFIG_CHANGED, m -> published.add(m.body())).completion());
    return published;
  }

  @Test
  void startsFromTheFileAndLogsTheEffectiveConfigWithoutTheToken(Vertx vertx) throws IOException {
    replace("pulsar:\n  authToken: " + TOKEN + "\nproducer:\n  sendTimeout: 5s\n");

    ConfigVerticle verticle = deploy(vertx, Map.of());

    assertThat(verticle.current().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(verticle.current().pulsar().authToken().orElseThrow().reveal()).isEqualTo(TOKEN);
    assertThat(logs.at(Level.INFO)).singleElement().asString()
        .contains("configuration loaded from config file " + file)
        .contains("sendTimeout=PT5S")
        .contains("authToken=Optional[****]")
        .doesNotContain("s3cr3t");
  }

  @Test
  void publishesAValidChangeAndMakesItCurrent(Vertx vertx) throws IOException {
    replace("producer:\n  sendTimeout: 5s\n");
    ConfigVerticle verticle = deploy(vertx, Map.of());
    ProxyConfig first = verticle.current();
    Queue<ProxyConfig> published = listen(vertx);

    replace("producer:\n  sendTimeout: 7s\n");

    await().until(() -> !published.isEmpty());
    ProxyConfig changed = published.peek();
    assertThat(changed.producer().sendTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(changed).usingRecursiveComparison().ignoringFields("producer.sendTimeout").isEqualTo(first);
    assertThat(verticle.current()).isSameAs(changed);
    assertThat(logs.at(Level.INFO)).last().asString().contains("changed sections [producer]");
  }

  /**
   * A Kubernetes ConfigMap volume: the file is a symbolic link through {@code ..data}, itself a link to a timestamped
   * directory; the kubelet writes the new content into a new directory and renames a new {@code ..data} link over the
   * old one. The file's own path never changes; what it resolves to does.
   */
  @Test
  void reloadsAFileThatAConfigMapVolumeUpdates(Vertx vertx) throws IOException {
    Path volume = Files.createDirectory(dir.resolve("config-volume"));
    Path first = Files.createDirectory(volume.resolve("..2026_12_01_20_00_00.1"));
    Files.writeString(first.resolve("proxy.yaml"), "producer:\n  sendTimeout: 5s\n");
    Files.createSymbolicLink(volume.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(volume.resolve("proxy.yaml"), Path.of("..data", "proxy.yaml"));
    file = volume.resolve("proxy.yaml");
    ConfigVerticle verticle = deploy(vertx, Map.of());
    assertThat(verticle.current().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(5));
    Queue<ProxyConfig> published = listen(vertx);

    Path second = Files.createDirectory(volume.resolve("..2026_12_01_20_01_00.2"));
    Files.writeString(second.resolve("proxy.yaml"), "producer:\n  sendTimeout: 7s\n");
    Path link = Files.createSymbolicLink(volume.resolve("..data_tmp"), second.getFileName());
    Files.move(link, volume.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(first.resolve("proxy.yaml"));
    Files.delete(first);

    await().until(() -> !published.isEmpty());
    assertThat(published.peek().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(verticle.current()).isSameAs(published.peek());
  }

  /** An invalid value, and a file that is not YAML (a duplicate key); FILE stands for the file's name. */
  static Stream<Arguments> invalidChanges() {
    return Stream.of(
        Arguments.of("producer:\n  sendTimeout: 6s\nhttp:\n  port: 70000\n",
            "http.port: '70000' is not a port (0..65535)"),
        Arguments.of("producer:\n  sendTimeout: 6s\n  sendTimeout: 7s\n",
            "FILE: invalid YAML at line 3, column 3: while constructing a mapping, found duplicate key sendTimeout"));
  }

  @ParameterizedTest
  @MethodSource("invalidChanges")
  void skipsAnInvalidChangeAndKeepsWatching(String invalid, String problem, Vertx vertx) throws IOException {
    replace("producer:\n  sendTimeout: 5s\n");
    ConfigVerticle verticle = deploy(vertx, Map.of());
    ProxyConfig first = verticle.current();
    Queue<ProxyConfig> published = listen(vertx);

    replace(invalid);
    await().until(() -> !logs.at(Level.WARN).isEmpty());

    assertThat(published).isEmpty();
    assertThat(verticle.current()).isSameAs(first);

    replace("producer:\n  sendTimeout: 9s\n");
    await().until(() -> !published.isEmpty());

    assertThat(published).singleElement()
        .satisfies(c -> assertThat(c.producer().sendTimeout()).isEqualTo(Duration.ofSeconds(9)));
    assertThat(verticle.current().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(9));
    // One WARN for the invalid content, not one per scan.
    assertThat(logs.at(Level.WARN)).containsExactly("config file " + file
        + " changed but is not valid, keeping the running configuration: "
        + problem.replace("FILE", "config file " + file));
  }

  @Test
  void appliesLogLevelsAtStartAndOnChange(Vertx vertx) throws IOException {
    replace("log:\n  level: WARN\n");
    deploy(vertx, Map.of());
    assertThat(rootLogger().getLevel()).isEqualTo(Level.WARN);

    replace("log:\n  level: debug\n  loggers:\n    " + TEST_LOGGER + ": TRACE\n");
    await().until(() -> rootLogger().getLevel() == Level.DEBUG);
    assertThat(logger(TEST_LOGGER).getLevel()).isEqualTo(Level.TRACE);

    // A logger no longer named gets its level from its ancestors again.
    replace("log:\n  level: ERROR\n");
    await().until(() -> rootLogger().getLevel() == Level.ERROR);
    assertThat(logger(TEST_LOGGER).getLevel()).isNull();
  }

  @Test
  void environmentKeepsOverridingTheFileAfterAReload(Vertx vertx) throws IOException {
    replace("producer:\n  sendTimeout: 5s\n");
    ConfigVerticle verticle = deploy(vertx, Map.of("PROXY_PRODUCER_SEND_TIMEOUT", "2s"));
    assertThat(verticle.current().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(2));
    Queue<ProxyConfig> published = listen(vertx);

    replace("producer:\n  sendTimeout: 7s\n  maxPendingMessages: 42\n");

    await().until(() -> !published.isEmpty());
    assertThat(published.peek().producer().maxPendingMessages()).isEqualTo(42);
    assertThat(published.peek().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void saysAtInfoWhichKeysOfTheFileTheEnvironmentOverrides(Vertx vertx) throws IOException {
    replace("producer:\n  sendTimeout: 5s\n  maxPendingMessages: 7\n");

    deploy(vertx, Map.of("PROXY_PRODUCER_SEND_TIMEOUT", "2s", "PROXY_HTTP_PORT", "9100"));

    // http.port is not in the file: nothing to say about it.
    assertThat(logs.at(Level.INFO)).filteredOn(line -> line.contains("overridden"))
        .containsExactly("producer.sendTimeout in " + file + " is overridden by environment variable "
            + "PROXY_PRODUCER_SEND_TIMEOUT");
  }

  @Test
  void appliesALiveKeyAndWarnsAboutARestartKeyByName(Vertx vertx) throws IOException {
    replace("http:\n  port: 9200\n");
    ConfigVerticle verticle = deploy(vertx, Map.of());
    Queue<ProxyConfig> published = listen(vertx);

    replace("http:\n  port: 9201\n  maxMessagesPerRequest: 5\n");

    await().until(() -> !published.isEmpty());
    // The new config is published whole; the listener that owns the port keeps its own until a restart.
    assertThat(verticle.current().http().maxMessagesPerRequest()).isEqualTo(5);
    assertThat(logs.at(Level.WARN)).containsExactly("changed [http.port] take effect after a restart (see the reloads "
        + "column of the configuration reference)");
  }

  @Test
  void warnsOnceWhileTheFileIsMissingAndReloadsWhenItIsBack(Vertx vertx) throws IOException {
    replace("producer:\n  sendTimeout: 5s\n");
    ConfigVerticle verticle = deploy(vertx, Map.of());
    Queue<ProxyConfig> published = listen(vertx);

    Files.delete(file);
    await().until(() -> !logs.at(Level.WARN).isEmpty());
    replace("producer:\n  sendTimeout: 8s\n");
    await().until(() -> !published.isEmpty());

    assertThat(logs.at(Level.WARN)).singleElement().asString()
        .isEqualTo("config file " + file + ": cannot be read (no such file); keeping the running configuration");
    assertThat(verticle.current().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void failsToStartOnAnInvalidFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    replace("http:\n  port: 70000\nproducer:\n  compressionType: gzip\n");

    vertx.deployVerticle(new ConfigVerticle(file, Map.of(), new Properties(), SCAN))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(ConfigException.class);
          assertThat(((ConfigException) err).problems()).containsExactly(
              "http.port: '70000' is not a port (0..65535)",
              "producer.compressionType: 'gzip' is not one of NONE, LZ4, ZLIB, ZSTD, SNAPPY");
          ctx.completeNow();
        })));
  }

  @Test
  void failsToStartWhenTheFileIsMissing(Vertx vertx, VertxTestContext ctx) {
    vertx.deployVerticle(new ConfigVerticle(file, Map.of(), new Properties(), SCAN))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(ConfigException.class)
              .hasMessage("invalid configuration: config file " + file + ": cannot be read (no such file)");
          ctx.completeNow();
        })));
  }

  @Test
  void runsWithoutAFileAndWarnsAboutUnknownVariables(Vertx vertx) {
    Properties props = new Properties();
    props.setProperty("proxy.http.port", "9100");
    ConfigVerticle verticle = new ConfigVerticle(null, Map.of("PROXY_HTTP_PROT", "9000"), props, SCAN);

    join(vertx.deployVerticle(verticle));

    assertThat(verticle.current().http().port()).isEqualTo(9100);
    assertThat(verticle.file()).isNull();
    assertThat(logs.at(Level.WARN)).containsExactly(
        "ignoring PROXY_HTTP_PROT: it sets no configuration key (see the configuration reference)");
  }

  @Test
  void resolvesTheFileFromTheArgumentThenTheEnvironment() {
    Path explicit = Path.of("/etc/explicit.yaml");
    Map<String, String> env = Map.of(ConfigVerticle.CONFIG_FILE_ENV, "/etc/from-env.yaml");

    assertThat(ConfigVerticle.resolveConfigFile(explicit, env)).isEqualTo(explicit);
    assertThat(ConfigVerticle.resolveConfigFile(null, env)).isEqualTo(Path.of("/etc/from-env.yaml"));
    assertThat(ConfigVerticle.resolveConfigFile(null, Map.of())).isNull();
    assertThat(ConfigVerticle.resolveConfigFile(null, Map.of(ConfigVerticle.CONFIG_FILE_ENV, " "))).isNull();
  }

  @Test
  void currentFailsBeforeStart() {
    ConfigVerticle verticle = new ConfigVerticle(null, Map.of(), new Properties());
    assertThatThrownBy(verticle::current)
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stopsWatchingWhenUndeployed(Vertx vertx) throws IOException {
    replace("producer:\n  sendTimeout: 5s\n");
    ConfigVerticle verticle = new ConfigVerticle(file, Map.of(), new Properties(), SCAN);
    String id = join(vertx.deployVerticle(verticle));
    join(vertx.undeploy(id));
    // Deploy a second one: only it may publish the next change.
    ConfigVerticle second = deploy(vertx, Map.of());
    Queue<ProxyConfig> published = listen(vertx);

    replace("producer:\n  sendTimeout: 6s\n");
    await().until(() -> !published.isEmpty());

    assertThat(second.current().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(6));
    assertThat(verticle.current().producer().sendTimeout()).isEqualTo(Duration.ofSeconds(5));
    await().during(Duration.ofMillis(400)).until(() -> published.size() == 1);
    assertThat(List.copyOf(published)).hasSize(1);
  }
}
