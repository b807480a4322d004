package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quotas section: off and unlimited by default, the environment form, per-role overrides, validation. */
class QuotasConfigTest {
  @TempDir
  Path dir;

  private ProxyConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("proxy.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file, env, new Properties());
  }

  private List<String> problems(String yaml) throws IOException {
    return catchThrowableOfType(ConfigException.class, () -> load(yaml, Map.of())).problems();
  }

  @Test
  void quotasAreOffAndUnlimitedByDefault() {
    QuotasConfig quotas = ProxyConfig.defaults().quotas();
    assertThat(quotas.enabled()).isFalse();
    assertThat(quotas.defaults()).isEqualTo(new QuotasConfig.Limits(0, 0, 0, 0, 0, 0));
    assertThat(quotas.maxPrincipals()).isEqualTo(10000);
    assertThat(quotas.overrides()).isEmpty();
  }

  @Test
  void overridesTakeTheDefaultsForKeysTheyDoNotGive() throws IOException {
    QuotasConfig quotas = load("""
        quotas:
          enabled: true
          produceMessagesPerSecond: 100
          produceBytesPerSecond: 1MB
          maxWebSockets: 5
          maxInFlightRequests: 20
          overrides:
            - role: billing
              produceMessagesPerSecond: 5000
              maxWebSockets: 0
            - role: ui
              produceBytesPerSecond: 64KB
        """, Map.of()).quotas();
    assertThat(quotas.enabled()).isTrue();
    assertThat(quotas.defaults()).isEqualTo(new QuotasConfig.Limits(100, 1024 * 1024, 5, 0, 0, 20));
    assertThat(quotas.limitsFor("billing")).isEqualTo(new QuotasConfig.Limits(5000, 1024 * 1024, 0, 0, 0, 20));
    assertThat(quotas.limitsFor("ui")).isEqualTo(new QuotasConfig.Limits(100, 64 * 1024, 5, 0, 0, 20));
    assertThat(quotas.limitsFor("someone-else")).isEqualTo(quotas.defaults());
    assertThat(quotas.overridesByRole()).containsOnlyKeys("billing", "ui");
  }

  @Test
  void theScalarKeysComeFromTheEnvironmentToo() throws IOException {
    QuotasConfig quotas = load("", Map.of("PROXY_QUOTAS_ENABLED", "true",
        "PROXY_QUOTAS_PRODUCE_MESSAGES_PER_SECOND", "7", "PROXY_QUOTAS_MAX_SSE_STREAMS", "2",
        "PROXY_QUOTAS_MAX_PRINCIPALS", "50")).quotas();
    assertThat(quotas.enabled()).isTrue();
    assertThat(quotas.defaults().produceMessagesPerSecond()).isEqualTo(7);
    assertThat(quotas.defaults().maxSseStreams()).isEqualTo(2);
    assertThat(quotas.maxPrincipals()).isEqualTo(50);
  }

  @Test
  void badValuesNameTheKey() throws IOException {
    assertThat(problems("quotas:\n  maxWebSockets: -1\n")).singleElement().asString()
        .startsWith("quotas.maxWebSockets: '-1' must be at least 0");
    assertThat(problems("quotas:\n  maxPrincipals: 0\n")).singleElement().asString()
        .startsWith("quotas.maxPrincipals: '0' must be at least 1");
    assertThat(problems("""
        quotas:
          overrides:
            - role: a
              produceMessagesPerSecond: lots
            - maxWebSockets: 1
            - role: b
              maxSockets: 1
            - role: a
              maxWebSockets: 1
            - role: c
              produceBytesPerSecond: 5 parsecs
        """)).containsExactly(
            "quotas.overrides[0].produceMessagesPerSecond: 'lots' is not a whole number from 0 to "
                + Long.MAX_VALUE + " (0: unlimited)",
            "quotas.overrides[1].role: must name the principal the limits are for",
            "quotas.overrides[2]: unknown field (known: role, produceMessagesPerSecond, produceBytesPerSecond, "
                + "maxWebSockets, maxSseStreams, maxConsumerInstances, maxInFlightRequests)",
            "quotas.overrides[4].produceBytesPerSecond: '5 parsecs' is not a size (e.g. 512, 64KB, 5MB) (0: unlimited)");
  }

  @Test
  void overridesAreFileOnly() throws IOException {
    assertThat(ConfigLoader.unrecognizedOverrides(Map.of("PROXY_QUOTAS_OVERRIDES", "x"), new Properties()))
        .containsExactly("PROXY_QUOTAS_OVERRIDES");
  }
}
