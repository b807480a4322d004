package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceUrlsTest {
  @TempDir
  Path dir;

  @Test
  void defaultsToTheSingleServiceUrl() {
    ProxyConfig c = ConfigLoader.load(null, Map.of("PROXY_PULSAR_SERVICE_URL", "pulsar://a:6650"), new Properties());
    assertThat(c.pulsar().clusters()).containsExactly("pulsar://a:6650");
  }

  @Test
  void readsAYamlListPrimaryFirst() throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), """
        pulsar:
          serviceUrls:
            - pulsar://primary:6650,primary2:6650
            - pulsar://secondary:6650
          failoverAfter: 2s
        """);
    ProxyConfig c = ConfigLoader.load(file, Map.of(), new Properties());
    assertThat(c.pulsar().clusters()).containsExactly("pulsar://primary:6650,primary2:6650", "pulsar://secondary:6650");
    assertThat(c.pulsar().failoverAfter()).hasSeconds(2);
  }

  @Test
  void readsSpaceOrSemicolonSeparatedUrlsFromTheEnvironment() {
    ProxyConfig c = ConfigLoader.load(null,
        Map.of("PROXY_PULSAR_SERVICE_URLS", "pulsar://a:6650; pulsar://b:6650 pulsar://c:6650"), new Properties());
    assertThat(c.pulsar().clusters()).isEqualTo(List.of("pulsar://a:6650", "pulsar://b:6650", "pulsar://c:6650"));
  }

  @Test
  void namesABadUrl() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PROXY_PULSAR_SERVICE_URLS", "pulsar://a:6650 http://b"),
        new Properties()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pulsar.serviceUrls: 'http://b'");
  }
}
