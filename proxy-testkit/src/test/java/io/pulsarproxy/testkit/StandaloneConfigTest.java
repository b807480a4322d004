package io.pulsarproxy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneConfigTest {

  @Test
  void replacesKeysInPlaceAndAppendsMissingOnes() {
    String original = "# brokerServicePort=1\nbrokerServicePort=6650\nwebServicePort=8080\nclusterName=standalone";

    String written = StandalonePulsar.applyOverrides(original,
        Map.of("brokerServicePort", "16650", "webServicePort", "18080", "webSocketServiceEnabled", "true"));

    assertThat(written).isEqualTo("# brokerServicePort=1\nbrokerServicePort=16650\nwebServicePort=18080\n"
        + "clusterName=standalone\nwebSocketServiceEnabled=true\n");
  }

  @Test
  void setsPortsWebSocketServiceAndKeepsInactiveTopicsAndTheirMessages() {
    Map<String, String> overrides = StandalonePulsar.configOverrides(16650, 18080);

    assertThat(overrides)
        .containsEntry("brokerServicePort", "16650")
        .containsEntry("webServicePort", "18080")
        .containsEntry("webSocketServiceEnabled", "true")
        .containsEntry("allowAutoTopicCreation", "true")
        .containsEntry("brokerDeleteInactiveTopicsEnabled", "false")
        .containsEntry("defaultRetentionTimeInMinutes", "-1")
        .containsEntry("defaultRetentionSizeInMB", "-1");
  }

  @Test
  void findsDistinctFreePorts() {
    int[] ports = StandalonePulsar.freePorts(3);

    assertThat(ports).hasSize(3).doesNotHaveDuplicates().doesNotContain(0);
  }

  @Test
  void tlsWritesPemFilesAndRequiresClientCertificatesOnlyWhenAsked(@TempDir Path dir) throws Exception {
    TestCertificates.Authority ca = TestCertificates.authority("settings CA");

    Map<String, String> serverOnly = BrokerTls.serverOnly(ca).brokerSettings(dir, 16651, null);
    Map<String, String> mutual = BrokerTls.requiringClientCertificates(ca).brokerSettings(dir, 16651, null);
    Map<String, String> withTokens = BrokerTls.requiringClientCertificates(ca)
        .brokerSettings(dir, 16651, TokenAuth.random());

    assertThat(serverOnly).containsEntry("brokerServicePortTls", "16651")
        .doesNotContainKeys("authenticationEnabled", "tlsRequireTrustedClientCertOnConnect");
    assertThat(Files.readString(Path.of(serverOnly.get("tlsKeyFilePath")))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(Path.of(serverOnly.get("tlsCertificateFilePath"))))
        .startsWith("-----BEGIN CERTIFICATE-----").endsWith(ca.certificatePem());
    assertThat(Files.readString(Path.of(serverOnly.get("tlsTrustCertsFilePath")))).isEqualTo(ca.certificatePem());
    assertThat(mutual).containsEntry("tlsRequireTrustedClientCertOnConnect", "true")
        .containsEntry("authenticationEnabled", "true")
        .containsEntry("authenticationProviders", BrokerTls.TLS_PROVIDER)
        .containsEntry("anonymousUserRole", BrokerTls.ANONYMOUS_ROLE);
    assertThat(withTokens).containsEntry("authenticationProviders",
        "org.apache.pulsar.broker.authentication.AuthenticationProviderToken," + BrokerTls.TLS_PROVIDER)
        .doesNotContainKey("anonymousUserRole");
  }
}
