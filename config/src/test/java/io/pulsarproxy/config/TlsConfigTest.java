package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code http.tls.*}, {@code management.tls.*} and {@code management.metricsToken} keys. */
class TlsConfigTest {
  private static final String PASSWORD = "p4ssw0rd-never-shown";
  private static final String METRICS_TOKEN = "metrics-t0ken-never-shown";

  @TempDir
  Path dir;
  Path cert;
  Path key;
  Path ca;
  Path p12;

  @BeforeEach
  void files() throws IOException {
    // The loader only checks that the files can be read; the listener parses them.
    cert = Files.writeString(dir.resolve("server.crt"), "cert");
    key = Files.writeString(dir.resolve("server.key"), "key");
    ca = Files.writeString(dir.resolve("ca.crt"), "ca");
    p12 = Files.writeString(dir.resolve("server.p12"), "p12");
  }

  private ProxyConfig load(String yaml, Map<String, String> env) throws IOException {
    return ConfigLoader.load(Files.writeString(dir.resolve("proxy.yaml"), yaml), env, new Properties());
  }

  private List<String> problems(String yaml) throws IOException {
    return catchThrowableOfType(ConfigException.class, () -> load(yaml, Map.of())).problems();
  }

  @Test
  void tlsIsOffByDefault() {
    ProxyConfig c = ProxyConfig.defaults();
    assertThat(c.http().tls()).isEqualTo(TlsConfig.DISABLED);
    assertThat(c.http().tls().enabled()).isFalse();
    assertThat(c.management().tls().enabled()).isFalse();
    assertThat(c.management().metricsToken()).isEmpty();
    assertThat(TlsConfig.DISABLED.reloadInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void readsNestedTlsMappings() throws IOException {
    ProxyConfig c = load("""
        http:
          port: 8443
          tls:
            certFile: %s
            keyFile: %s
            clientAuth: require
            trustFile: %s
            reloadInterval: 250ms
        management:
          tls:
            keyStoreFile: %s
            keyStorePassword: %s
          metricsToken: %s
        """.formatted(cert, key, ca, p12, PASSWORD, METRICS_TOKEN), Map.of());

    assertThat(c.http().port()).isEqualTo(8443);
    assertThat(c.http().tls()).isEqualTo(new TlsConfig(Optional.of(cert), Optional.of(key), Optional.empty(),
        Optional.empty(), TlsConfig.ClientAuth.REQUIRE, Optional.of(ca), Duration.ofMillis(250)));
    assertThat(c.http().tls().enabled()).isTrue();
    assertThat(c.management().tls()).isEqualTo(new TlsConfig(Optional.empty(), Optional.empty(), Optional.of(p12),
        Optional.of(new Secret(PASSWORD)), TlsConfig.ClientAuth.NONE, Optional.empty(), Duration.ofSeconds(10)));
    assertThat(c.management().tls().enabled()).isTrue();
    assertThat(c.management().metricsToken()).contains(new Secret(METRICS_TOKEN));
  }

  @Test
  void readsDottedNamesUnderTheSection() throws IOException {
    ProxyConfig c = load("""
        http:
          tls.certFile: %s
          tls.keyFile: %s
        """.formatted(cert, key), Map.of());
    assertThat(c.http().tls()).isEqualTo(TlsConfig.pem(cert, key));
  }

  @Test
  void readsTlsFromTheEnvironment() throws IOException {
    assertThat(ConfigLoader.envVarName("http.tls.certFile")).isEqualTo("PROXY_HTTP_TLS_CERT_FILE");
    assertThat(ConfigLoader.envVarName("management.tls.keyStorePassword"))
        .isEqualTo("PROXY_MANAGEMENT_TLS_KEY_STORE_PASSWORD");
    assertThat(ConfigLoader.envVarName("management.metricsToken")).isEqualTo("PROXY_MANAGEMENT_METRICS_TOKEN");

    ProxyConfig c = load("http:\n  tls:\n    certFile: /nowhere.crt\n", Map.of(
        "PROXY_HTTP_TLS_CERT_FILE", cert.toString(),
        "PROXY_HTTP_TLS_KEY_FILE", key.toString(),
        "PROXY_HTTP_TLS_CLIENT_AUTH", "REQUEST",
        "PROXY_HTTP_TLS_TRUST_FILE", ca.toString(),
        "PROXY_MANAGEMENT_METRICS_TOKEN", METRICS_TOKEN));
    assertThat(c.http().tls().certFile()).contains(cert);
    assertThat(c.http().tls().keyFile()).contains(key);
    assertThat(c.http().tls().clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUEST);
    assertThat(c.http().tls().trustFile()).contains(ca);
    assertThat(c.management().metricsToken()).contains(new Secret(METRICS_TOKEN));
    assertThat(ConfigLoader.unrecognizedOverrides(Map.of("PROXY_HTTP_TLS_CERT_FILE", "x",
        "PROXY_HTTP_TLS_CERTFILE", "x"), new Properties())).containsExactly("PROXY_HTTP_TLS_CERTFILE");
  }

  @Test
  void aTlsMappingWithEveryKeyCommentedOutMeansNoTls() throws IOException {
    assertThat(load("http:\n  tls:\n    # certFile: x\n", Map.of()).http().tls()).isEqualTo(TlsConfig.DISABLED);
  }

  @Test
  void namesAFileThatCannotBeRead() throws IOException {
    assertThat(problems("http:\n  tls:\n    certFile: " + dir.resolve("missing.crt") + "\n    keyFile: " + key + "\n"))
        .containsExactly("http.tls.certFile: '" + dir.resolve("missing.crt") + "' cannot be read (no such file)");
    assertThat(problems("management:\n  tls:\n    keyStoreFile: " + dir + "\n"))
        .containsExactly("management.tls.keyStoreFile: '" + dir + "' cannot be read (not a file)");
  }

  @Test
  void rejectsIncompleteOrConflictingTls() throws IOException {
    assertThat(problems("http:\n  tls:\n    certFile: " + cert + "\n"))
        .containsExactly("http.tls.keyFile: required with http.tls.certFile");
    assertThat(problems("http:\n  tls:\n    keyFile: " + key + "\n"))
        .containsExactly("http.tls.certFile: required with http.tls.keyFile");
    assertThat(problems("http:\n  tls:\n    certFile: " + cert + "\n    keyFile: " + key + "\n    keyStoreFile: "
        + p12 + "\n")).singleElement().asString().startsWith("http.tls.keyStoreFile: set either");
  }

  @Test
  void clientAuthIsOneOfThreeAndNeedsATrustFile() throws IOException {
    String pem = "http:\n  tls:\n    certFile: " + cert + "\n    keyFile: " + key + "\n";
    assertThat(problems(pem + "    clientAuth: always\n"))
        .containsExactly("http.tls.clientAuth: 'always' is not one of NONE, REQUEST, REQUIRE");
    assertThat(problems(pem + "    clientAuth: require\n")).containsExactly("http.tls.trustFile: required when "
        + "http.tls.clientAuth is require (the CAs that client certificates must chain to)");
    assertThat(problems(pem + "    clientAuth: request\n")).singleElement().asString()
        .startsWith("http.tls.trustFile: required when http.tls.clientAuth is request");
  }

  @Test
  void rejectsUnknownKeysInTheNestedMapping() throws IOException {
    assertThat(problems("http:\n  tls:\n    certFlie: x\n")).singleElement().asString()
        .startsWith("http.tls.certFlie: unknown key (known keys in http: host, port,")
        .contains("tls.certFile");
  }

  @Test
  void toStringHidesThePasswordAndTheMetricsToken() throws IOException {
    ProxyConfig c = load("""
        management:
          tls:
            keyStoreFile: %s
            keyStorePassword: %s
          metricsToken: %s
        """.formatted(p12, PASSWORD, METRICS_TOKEN), Map.of());
    assertThat(c.toString()).contains("keyStorePassword=Optional[****]", "metricsToken=Optional[****]")
        .doesNotContain(PASSWORD).doesNotContain(METRICS_TOKEN);
  }

  @Test
  void problemsNeverShowThePassword() throws IOException {
    assertThat(String.join("\n", problems("management:\n  tls:\n    keyStorePassword: [" + PASSWORD + "]\n"
        + "  metricsToken: {a: " + METRICS_TOKEN + "}\n")))
        .contains("management.tls.keyStorePassword: must be a string (value not shown: it is a secret)")
        .doesNotContain(PASSWORD).doesNotContain(METRICS_TOKEN);
  }

  @Test
  void readsTlsAndAuthenticationToTheBroker() throws IOException {
    assertThat(ProxyConfig.defaults().pulsar().tls()).isEqualTo(PulsarTlsConfig.DEFAULTS);
    assertThat(PulsarTlsConfig.DEFAULTS.hostnameVerification()).isTrue();

    ProxyConfig c = load("""
        pulsar:
          serviceUrl: pulsar+ssl://broker.example:6651
          tls:
            trustFile: %s
            certFile: %s
            keyFile: %s
            hostnameVerification: false
          authPlugin: org.apache.pulsar.client.impl.auth.AuthenticationTls
          authParams: %s
        """.formatted(ca, cert, key, PASSWORD), Map.of());
    assertThat(c.pulsar().tls()).isEqualTo(new PulsarTlsConfig(Optional.of(ca), Optional.of(cert), Optional.of(key),
        false));
    assertThat(c.pulsar().authPlugin()).contains("org.apache.pulsar.client.impl.auth.AuthenticationTls");
    assertThat(c.pulsar().authParams()).contains(new Secret(PASSWORD));
    assertThat(c.toString()).doesNotContain(PASSWORD);
    assertThat(ConfigLoader.envVarName("pulsar.tls.hostnameVerification"))
        .isEqualTo("PROXY_PULSAR_TLS_HOSTNAME_VERIFICATION");
  }

  @Test
  void rejectsConflictingBrokerCredentials() throws IOException {
    assertThat(problems("pulsar:\n  authToken: t\n  authPlugin: com.example.Auth\n"))
        .containsExactly("pulsar.authPlugin: set either pulsar.authToken or pulsar.authPlugin, not both");
    assertThat(problems("pulsar:\n  authParams: " + PASSWORD + "\n"))
        .containsExactly("pulsar.authParams: needs pulsar.authPlugin (the class that reads them)");
    assertThat(problems("pulsar:\n  tls:\n    certFile: " + cert + "\n"))
        .containsExactly("pulsar.tls.keyFile: required with pulsar.tls.certFile");
  }

  @Test
  void buildAcceptsNestedJson() {
    ProxyConfig c = ConfigLoader.build(new JsonObject().put("http", new JsonObject()
        .put("tls", new JsonObject().put("certFile", cert.toString()).put("keyFile", key.toString()))));
    assertThat(c.http().tls()).isEqualTo(TlsConfig.pem(cert, key));
  }
}
