package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.s3cr3t";

  @TempDir
  Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("proxy.yaml"), yaml);
  }

  private ProxyConfig load(String yaml) throws IOException {
    return ConfigLoader.load(write(yaml), Map.of(), new Properties());
  }

  private List<String> problems(String yaml) throws IOException {
    Path file = write(yaml);
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of(), new Properties()))
        .problems();
  }

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void theBrokerWebServiceUrlIsConfiguredPerClusterOrDerivedFromTheActiveServiceUrl() throws IOException {
    ProxyConfig derived = load("pulsar:\n  serviceUrls: [pulsar://a:6650, pulsar+ssl://b.example:6651]\n");
    ProxyConfig given = load("pulsar:\n  serviceUrls: [pulsar://a:6650, pulsar://b:6650]\n"
        + "  webServiceUrls: [http://a-web:80, https://b-web:443]\n");
    ProxyConfig single = load("pulsar:\n  serviceUrl: pulsar://a:16650\n  webServiceUrl: http://a:18080\n");

    assertThat(derived.pulsar().webServiceUrlOf("pulsar://a:6650")).isEqualTo("http://a:8080");
    assertThat(derived.pulsar().webServiceUrlOf("pulsar+ssl://b.example:6651")).isEqualTo("https://b.example:8443");
    assertThat(given.pulsar().webServiceUrlOf("pulsar://b:6650")).isEqualTo("https://b-web:443");
    assertThat(single.pulsar().webServiceUrlOf("pulsar://a:16650")).isEqualTo("http://a:18080");
    assertThat(single.pulsar().schemaCacheMaxEntries()).isEqualTo(1000);
    assertThat(problems("pulsar:\n  serviceUrls: [pulsar://a:6650, pulsar://b:6650]\n"
        + "  webServiceUrls: [http://a:8080]\n")).containsExactly(
        "pulsar.webServiceUrls: has 1 URLs for 2 pulsar.serviceUrls (one per cluster, in the same order)");
    assertThat(problems("pulsar:\n  webServiceUrl: a:8080\nconsumer:\n  schemaCacheSize: 10\n"))
        .containsExactlyInAnyOrder(
            "pulsar.webServiceUrl: 'a:8080' is not a broker web service URL (http://host:port or https://host:port)",
            "consumer.schemaCacheSize: replaced by pulsar.schemaCacheMaxEntries (one schema cache for producing and "
                + "consuming)");
  }

  @Test
  void defaultsMatchTheReferenceTable() {
    ProxyConfig c = ConfigLoader.load(null, Map.of(), new Properties());

    assertThat(c).isEqualTo(ProxyConfig.defaults());
    assertThat(c.pulsar()).isEqualTo(new PulsarConfig("pulsar://localhost:6650", Optional.empty(),
        Duration.ofSeconds(30), Duration.ofSeconds(10), 1, 1, 64L * 1024 * 1024, Duration.ofSeconds(2),
        "persistent://public/default/pulsar-proxy-probe", List.of(), Duration.ofSeconds(5), Duration.ofSeconds(60)));
    assertThat(c.http()).isEqualTo(new HttpConfig("0.0.0.0", 8088, 5L * 1024 * 1024, 1024 * 1024, 1000, 4000,
        64L * 1024 * 1024));
    assertThat(c.management()).isEqualTo(new ManagementConfig("0.0.0.0", 8089));
    assertThat(c.producer()).isEqualTo(new ProducerConfig(Duration.ofSeconds(30), 10000, true, Duration.ofMillis(1),
        1000, true, "NONE", 1000, Duration.ofMinutes(5), Duration.ofSeconds(5)));
    assertThat(c.produce()).isEqualTo(new ProduceConfig(Duration.ofMinutes(10), 10000));
    assertThat(c.log()).isEqualTo(new LogConfig("INFO", Map.of(), "TEXT", false));
    assertThat(c.tracing()).isEqualTo(new TracingConfig("none", Optional.empty(), 1.0, "pulsar-proxy"));
    assertThat(c.shutdown()).isEqualTo(new ShutdownConfig(Duration.ofSeconds(10)));
  }

  @Test
  void readsEveryKeyFromYaml() throws IOException {
    ProxyConfig c = load("""
        # every key, values as numbers or as strings
        pulsar:
          serviceUrl: pulsar+ssl://broker.example:6651
          authToken: %s
          operationTimeout: 45s
          connectionTimeout: 2500        # milliseconds
          ioThreads: 4
          listenerThreads: "2"
          memoryLimit: 128MB
          probeInterval: 1m
          probeTopic: non-persistent://ops/health/probe
        http:
          host: 127.0.0.1
          port: 9000
          maxBodySize: 10MB
          maxMessageSize: 65536
          maxMessagesPerRequest: 50
          maxInFlightRequests: 20
          maxInFlightBytes: 32MB
        management:
          host: localhost
          port: "9001"
        producer:
          sendTimeout: 0
          maxPendingMessages: 500
          batchingEnabled: false
          batchingMaxPublishDelay: 10ms
          batchingMaxMessages: 100
          compressionType: lz4
          cacheMaxProducers: 10
          cacheIdleTimeout: 1h
          outageWait: 0
        log:
          level: debug
          loggers:
            io.pulsarproxy: TRACE
            org.apache.pulsar: warn
          format: json
          access: true
        tracing:
          exporter: otlp-http
          endpoint: http://collector:4318/v1/traces
          samplingRatio: 0.25
          serviceName: edge-eu
        shutdown:
          timeout: 3s
        """.formatted(TOKEN));

    assertThat(c.pulsar()).isEqualTo(new PulsarConfig("pulsar+ssl://broker.example:6651",
        Optional.of(new Secret(TOKEN)), Duration.ofSeconds(45), Duration.ofMillis(2500), 4, 2,
        128L * 1024 * 1024, Duration.ofMinutes(1), "non-persistent://ops/health/probe", List.of(),
        Duration.ofSeconds(5), Duration.ofSeconds(60)));
    assertThat(c.http()).isEqualTo(new HttpConfig("127.0.0.1", 9000, 10L * 1024 * 1024, 65536, 50, 20,
        32L * 1024 * 1024));
    assertThat(c.management()).isEqualTo(new ManagementConfig("localhost", 9001));
    assertThat(c.producer()).isEqualTo(new ProducerConfig(Duration.ZERO, 500, false, Duration.ofMillis(10), 100,
        true, "LZ4", 10, Duration.ofHours(1), Duration.ZERO));
    assertThat(c.log()).isEqualTo(new LogConfig("DEBUG", Map.of("io.pulsarproxy", "TRACE",
        "org.apache.pulsar", "WARN"), "JSON", true));
    assertThat(c.tracing()).isEqualTo(new TracingConfig("otlp-http", Optional.of("http://collector:4318/v1/traces"),
        0.25, "edge-eu"));
    assertThat(c.shutdown().timeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void emptyFileMeansDefaults() throws IOException {
    assertThat(load("# nothing set\n")).isEqualTo(ProxyConfig.defaults());
    assertThat(load("")).isEqualTo(ProxyConfig.defaults());
  }

  @Test
  void sectionWithEveryKeyCommentedOutMeansDefaults() throws IOException {
    ProxyConfig c = ConfigLoader.load(write("http:\n  # port: 9000\nlog:\n  loggers:\n"),
        Map.of("PROXY_HTTP_HOST", "127.0.0.1"), new Properties());
    assertThat(c.http()).isEqualTo(new HttpConfig("127.0.0.1", 8088, 5L * 1024 * 1024, 1024 * 1024, 1000, 4000,
        64L * 1024 * 1024));
    assertThat(c.httpConsumer()).isEqualTo(new HttpConsumerConfig(Duration.ofMinutes(5), 1000, 100,
        Duration.ofSeconds(30), 1000, Duration.ofSeconds(15), Duration.ofSeconds(3), 5000));
    assertThat(c.log().loggers()).isEmpty();
  }

  @Test
  void envVarNamesFollowTheKeys() {
    assertThat(ConfigLoader.envVarName("pulsar.serviceUrl")).isEqualTo("PROXY_PULSAR_SERVICE_URL");
    assertThat(ConfigLoader.envVarName("http.maxBodySize")).isEqualTo("PROXY_HTTP_MAX_BODY_SIZE");
    assertThat(ConfigLoader.envVarName("pulsar.ioThreads")).isEqualTo("PROXY_PULSAR_IO_THREADS");
    assertThat(ConfigLoader.envVarName("management.port")).isEqualTo("PROXY_MANAGEMENT_PORT");
    assertThat(ConfigLoader.envVarName("httpConsumer.idleTimeout")).isEqualTo("PROXY_HTTP_CONSUMER_IDLE_TIMEOUT");
    assertThat(ConfigLoader.envVarName("http.maxInFlightBytes")).isEqualTo("PROXY_HTTP_MAX_IN_FLIGHT_BYTES");
    assertThat(ConfigLoader.systemPropertyName("http.port")).isEqualTo("proxy.http.port");
    assertThat(ConfigLoader.envVarName("auth.jwt.secretKey")).isEqualTo("PROXY_AUTH_JWT_SECRET_KEY");
    assertThat(ConfigLoader.keys()).doesNotHaveDuplicates().startsWith("pulsar.serviceUrl")
        .endsWith("cluster.handoverWait");
  }

  @Test
  void environmentBeatsYaml() throws IOException {
    Path file = write("""
        pulsar:
          serviceUrl: pulsar://from-file:6650
        http:
          port: 9000
          maxBodySize: 1MB
        producer:
          sendTimeout: 5s
        """);
    ProxyConfig c = ConfigLoader.load(file, Map.of(
        "PROXY_PULSAR_SERVICE_URL", "pulsar://from-env:6650",
        "PROXY_HTTP_MAX_BODY_SIZE", "2MB",
        "PROXY_PRODUCER_BATCHING_ENABLED", "false",
        "PROXY_PULSAR_AUTH_TOKEN", TOKEN), new Properties());

    assertThat(c.pulsar().serviceUrl()).isEqualTo("pulsar://from-env:6650");
    assertThat(c.pulsar().authToken()).contains(new Secret(TOKEN));
    assertThat(c.http().maxBodyBytes()).isEqualTo(2L * 1024 * 1024);
    assertThat(c.producer().batchingEnabled()).isFalse();
    assertThat(c.http().port()).as("not overridden").isEqualTo(9000);
    assertThat(c.producer().sendTimeout()).as("not overridden").isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void systemPropertiesBeatEnvironment() throws IOException {
    Path file = write("http:\n  port: 9000\n");
    ProxyConfig c = ConfigLoader.load(file,
        Map.of("PROXY_HTTP_PORT", "9100", "PROXY_LOG_LEVEL", "warn"),
        props("proxy.http.port", "9200", "proxy.producer.compressionType", "zstd"));

    assertThat(c.http().port()).isEqualTo(9200);
    assertThat(c.log().level()).isEqualTo("WARN");
    assertThat(c.producer().compressionType()).isEqualTo("ZSTD");
  }

  @Test
  void onlyKnownKeysAreReadFromEnvironmentAndSystemProperties() {
    Map<String, String> env = Map.of("PROXY_HTTP_PROT", "1", "PROXY_CONFIG", "/etc/proxy.yaml",
        "PROXY_HTTP_PORT", "9000", "PROXY_LOG_LOGGERS", "x", "HOME", "/root");
    Properties props = props("proxy.http.prot", "1", "proxy.http.port", "9001", "user.home", "/root");

    ProxyConfig c = ConfigLoader.load(null, env, props);

    assertThat(c.http().port()).isEqualTo(9001);
    assertThat(c.log().loggers()).isEmpty();
    assertThat(ConfigLoader.unrecognizedOverrides(env, props))
        .containsExactly("PROXY_HTTP_PROT", "PROXY_LOG_LOGGERS", "proxy.http.prot");
  }

  @Test
  void emptyTokenInEnvironmentMeansNoToken() {
    ProxyConfig c = ConfigLoader.load(null, Map.of("PROXY_PULSAR_AUTH_TOKEN", ""), new Properties());
    assertThat(c.pulsar().authToken()).isEmpty();
  }

  @Test
  void buildFillsAbsentKeysWithDefaults() {
    ProxyConfig c = ConfigLoader.build(new JsonObject().put("http", new JsonObject().put("port", 0)));
    assertThat(c.http().port()).isZero();
    assertThat(c.http().maxBodyBytes()).isEqualTo(5L * 1024 * 1024);
    assertThat(c.pulsar()).isEqualTo(ProxyConfig.defaults().pulsar());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      http        | port: 70000                    | http.port: '70000' is not a port (0..65535)
      http        | port: -1                       | http.port: '-1' is not a port (0..65535)
      http        | port: eighty                   | http.port: 'eighty' is not a port (0..65535)
      management  | port: 65536                    | management.port: '65536' is not a port (0..65535)
      pulsar      | operationTimeout: 0s           | pulsar.operationTimeout: '0s' must be greater than 0
      pulsar      | connectionTimeout: soon        | pulsar.connectionTimeout: 'soon' is not a duration
      pulsar      | probeInterval: 50ms            | pulsar.probeInterval: '50ms' must be at least 100ms
      pulsar      | ioThreads: 0                   | pulsar.ioThreads: '0' must be at least 1
      pulsar      | listenerThreads: 1.5           | pulsar.listenerThreads: '1.5' is not an integer
      pulsar      | memoryLimit: 0                 | pulsar.memoryLimit: '0' must be greater than 0
      pulsar      | memoryLimit: 64XB              | pulsar.memoryLimit: '64XB' is not a size
      pulsar      | serviceUrl: http://broker:8080 | pulsar.serviceUrl: 'http://broker:8080' is not a Pulsar service URL
      pulsar      | probeTopic: public/default/x   | pulsar.probeTopic: 'public/default/x' is not a topic name
      http        | maxBodySize: -5MB              | http.maxBodySize: '-5MB' is not a size
      http        | maxMessagesPerRequest: 0       | http.maxMessagesPerRequest: '0' must be at least 1
      http        | maxInFlightRequests: lots      | http.maxInFlightRequests: 'lots' is not an integer
      http        | maxInFlightBytes: 0            | http.maxInFlightBytes: '0' must be greater than 0
      http        | maxInFlightBytes: much         | http.maxInFlightBytes: 'much' is not a size
      http        | host: ''                       | http.host: must not be empty
      producer    | sendTimeout: -1                | producer.sendTimeout: '-1' is not a duration
      producer    | batchingMaxPublishDelay: 1d    | producer.batchingMaxPublishDelay: '1d' is not a duration
      producer    | batchingEnabled: yes           | producer.batchingEnabled: 'yes' is not a boolean (true or false)
      producer    | batchingEnabled: 1             | producer.batchingEnabled: '1' is not a boolean (true or false)
      producer    | compressionType: gzip          | producer.compressionType: 'gzip' is not one of NONE, LZ4, ZLIB, ZSTD, SNAPPY
      producer    | cacheIdleTimeout: 0            | producer.cacheIdleTimeout: '0' must be greater than 0
      producer    | maxPendingMessages: 99999999999 | producer.maxPendingMessages: '99999999999' must be at most 2147483647
      produce     | idempotencyWindow: soon        | produce.idempotencyWindow: 'soon' is not a duration
      produce     | idempotencyMaxKeys: 0          | produce.idempotencyMaxKeys: '0' must be at least 1
      httpConsumer | idleTimeout: 10ms             | httpConsumer.idleTimeout: '10ms' must be at least 100ms
      httpConsumer | maxInstancesPerClient: 0      | httpConsumer.maxInstancesPerClient: '0' must be at least 1
      httpConsumer | sseHeartbeatInterval: often   | httpConsumer.sseHeartbeatInterval: 'often' is not a duration
      httpConsumer | sseConfirmDelay: soon         | httpConsumer.sseConfirmDelay: 'soon' is not a duration
      httpConsumer | sseMaxUnconfirmed: 0          | httpConsumer.sseMaxUnconfirmed: '0' must be at least 1
      httpConsumer | sseMaxUnconfirmed: 20000      | httpConsumer.sseMaxUnconfirmed: '20000' is larger than consumer.maxTrackedIds '10000'
      log         | level: LOUD                    | log.level: 'LOUD' is not one of TRACE, DEBUG, INFO, WARN, ERROR
      tracing     | samplingRatio: 1.5             | tracing.samplingRatio: '1.5' is not a number from 0 to 1
      tracing     | samplingRatio: half            | tracing.samplingRatio: 'half' is not a number from 0 to 1
      tracing     | samplingRatio: -0.1            | tracing.samplingRatio: '-0.1' is not a number from 0 to 1
      shutdown    | timeout: 0                     | shutdown.timeout: '0' must be greater than 0
      http        | prot: 9000                     | http.prot: unknown key (known keys in http: host, port,
      http        | port:                          | http.port: no value (remove the key to use the default, 8088)
      http        | port: [1, 2]                   | http.port: expected a single value, found a list
      """)
  void everyRuleNamesTheKeyAndTheValue(String section, String line, String expected) throws IOException {
    assertThat(problems(section + ":\n  " + line + "\n")).singleElement().asString().startsWith(expected);
  }

  @Test
  void rejectsUnknownSections() throws IOException {
    assertThat(problems("htpp:\n  port: 9000\n")).containsExactly(
        "htpp: unknown section (known sections: pulsar, http, edge, management, producer, produce, consumer, httpConsumer, "
            + "ws, resilience, log, tracing, shutdown, auth, authorization, cors, quotas, cluster)");
  }

  @Test
  void deploysOneEdgeInstancePerCoreUnlessConfigured() {
    assertThat(ConfigLoader.build(new JsonObject()).edge().instances())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(ConfigLoader.build(new JsonObject().put("edge", new JsonObject().put("instances", 3))).edge()
        .instances()).isEqualTo(3);
  }

  @Test
  void rejectsANegativeNumberOfEdgeInstances() throws IOException {
    assertThat(problems("edge:\n  instances: -1\n")).singleElement().asString().startsWith("edge.instances:");
  }

  @Test
  void rejectsASectionThatIsNotAMapping() throws IOException {
    assertThat(problems("http: 9000\n")).singleElement().asString().startsWith("http: must be a mapping of keys");
  }

  @Test
  void rejectsAnInFlightBudgetSmallerThanTheBodySize() throws IOException {
    assertThat(problems("http:\n  maxBodySize: 8MB\n  maxInFlightBytes: 4MB\n")).containsExactly(
        "http.maxInFlightBytes: '4MB' is smaller than http.maxBodySize '8MB'");
    assertThat(load("http:\n  maxBodySize: 4MB\n  maxInFlightBytes: 4MB\n").http().maxInFlightBytes())
        .isEqualTo(4L * 1024 * 1024);
  }

  @Test
  void rejectsAMessageSizeLargerThanTheBodySize() throws IOException {
    assertThat(problems("http:\n  maxBodySize: 1MB\n  maxMessageSize: 2MB\n")).containsExactly(
        "http.maxMessageSize: '2MB' is larger than http.maxBodySize '1MB'");
    assertThat(load("http:\n  maxBodySize: 2MB\n  maxMessageSize: 2MB\n").http().maxMessageBytes())
        .isEqualTo(2L * 1024 * 1024);
  }

  @Test
  void rejectsBadLoggerLevels() throws IOException {
    assertThat(problems("""
        log:
          loggers:
            io.pulsarproxy: VERBOSE
            ROOT: DEBUG
        """)).containsExactly(
        "log.loggers[io.pulsarproxy]: 'VERBOSE' is not one of TRACE, DEBUG, INFO, WARN, ERROR",
        "log.loggers[ROOT]: not a logger name (set the root level with log.level)");
    assertThat(problems("log:\n  loggers: DEBUG\n")).singleElement().asString()
        .startsWith("log.loggers: must be a mapping of logger name to level");
  }

  @Test
  void reportsEveryProblemAtOnce() throws IOException {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(write("""
        http:
          port: 70000
        producer:
          compressionType: gzip
          batchingEnabled: maybe
        shutdown:
          timout: 5s
        """), Map.of("PROXY_PULSAR_IO_THREADS", "none"), new Properties()));

    assertThat(e.problems()).containsExactlyInAnyOrder(
        "pulsar.ioThreads: 'none' is not an integer",
        "http.port: '70000' is not a port (0..65535)",
        "producer.batchingEnabled: 'maybe' is not a boolean (true or false)",
        "producer.compressionType: 'gzip' is not one of NONE, LZ4, ZLIB, ZSTD, SNAPPY",
        "shutdown.timout: unknown key (known keys in shutdown: timeout)");
    assertThat(e.getMessage()).startsWith("invalid configuration (5 problems): ")
        .contains("http.port: '70000'").doesNotContain("\n");
  }

  @Test
  void yamlOnlyKnowsTrueAndFalseAsBooleans() throws IOException {
    assertThat(problems("producer:\n  batchingEnabled: on\n"))
        .containsExactly("producer.batchingEnabled: 'on' is not a boolean (true or false)");
    assertThat(load("producer:\n  batchingEnabled: False\n").producer().batchingEnabled()).isFalse();
    assertThat(load("producer:\n  batchingEnabled: 'true'\n").producer().batchingEnabled()).isTrue();
  }

  @Test
  void reportsYamlSyntaxErrorsWithTheirPosition() throws IOException {
    Path file = write("http:\n  port: 9000\n   host: x\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), new Properties()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("config file " + file + ": invalid YAML at line 3");
  }

  @Test
  void rejectsDuplicateKeys() throws IOException {
    assertThat(problems("http:\n  port: 9000\n  port: 9001\n")).singleElement().asString()
        .contains("invalid YAML at line 3").contains("found duplicate key port");
  }

  @Test
  void rejectsAFileThatIsNotAMapping() throws IOException {
    assertThat(problems("- pulsar\n- http\n")).singleElement().asString()
        .endsWith(": the top level must be a mapping of sections (pulsar:, http:, ...)");
  }

  @Test
  void reportsAMissingFile() {
    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of(), new Properties()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: config file " + missing + ": cannot be read (no such file)");
  }

  @Test
  void toStringHidesTheToken() throws IOException {
    ProxyConfig c = load("pulsar:\n  authToken: " + TOKEN + "\n");

    assertThat(c.pulsar().authToken().orElseThrow().reveal()).isEqualTo(TOKEN);
    assertThat(c.pulsar().toString()).contains("authToken=Optional[****]").doesNotContain(TOKEN);
    assertThat(c.toString()).contains("authToken=Optional[****]").doesNotContain(TOKEN).doesNotContain("s3cr3t");
  }

  @Test
  void problemsNeverShowTheToken() throws IOException {
    // A token of the wrong type, a typo in its key, a YAML error on its line, and a problem elsewhere with it set.
    List<String> typed = problems("pulsar:\n  authToken: [" + TOKEN + "]\n");
    List<String> typo = problems("pulsar:\n  authtoken: " + TOKEN + "\n");
    Path broken = write("pulsar:\n  authToken: " + TOKEN + "\n   serviceUrl: x: y\n");
    String syntax = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.load(broken, Map.of(), new Properties())).getMessage();
    String other = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(null,
        Map.of("PROXY_PULSAR_AUTH_TOKEN", TOKEN, "PROXY_HTTP_PORT", "x"), new Properties())).getMessage();

    assertThat(typed).containsExactly("pulsar.authToken: must be a string (value not shown: it is a secret)");
    assertThat(typo).singleElement().asString().startsWith("pulsar.authtoken: unknown key");
    assertThat(String.join(" ", typed) + String.join(" ", typo) + syntax + other)
        .doesNotContain("s3cr3t").doesNotContain("eyJ");
  }

  @Test
  void longValuesAreShortenedInMessages() throws IOException {
    String longUrl = "http://" + "x".repeat(200);
    assertThat(problems("pulsar:\n  serviceUrl: " + longUrl + "\n")).singleElement().asString()
        .contains("'" + longUrl.substring(0, 80) + "...'");
  }

  @Test
  void configExceptionNeedsAProblem() {
    assertThatThrownBy(() -> new ConfigException(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesATaggedValueItsTagCannotRead() {
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseYaml(
        "pulsar:\n  probeInterval: !!binary Gk=", "proxy.yaml")).problems())
        .containsExactly("proxy.yaml: invalid YAML: a tagged value cannot be read: Length of Base64 encoded input "
            + "string is not a multiple of 4.");
  }

  @Test
  void refusesATagOnANodeOfTheWrongKind() {
    // found by ConfigLoaderPropertyTest: SnakeYAML let a ClassCastException out
    for (String yaml : new String[] {"pulsar:\n  probeInterval: !!set x", "pulsar: !!set [a]", "a: !!omap x"}) {
      assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseYaml(yaml, "proxy.yaml"))
          .problems()).as(yaml).singleElement().asString().startsWith("proxy.yaml: invalid YAML");
    }
  }

  @Test
  void refusesAValueThatContainsItselfThroughAnAlias() {
    for (String yaml : new String[] {"a: &x [*x]", "http: &h {a: [{b: *h}]}"}) {
      assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseYaml(yaml, "proxy.yaml"))
          .problems()).containsExactly("proxy.yaml: an alias (*name) refers to a node that contains it; a "
              + "configuration value cannot contain itself");
    }
  }
}
