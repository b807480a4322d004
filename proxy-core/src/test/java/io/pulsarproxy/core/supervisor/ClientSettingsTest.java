package io.pulsarproxy.core.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.PulsarConfig;
import io.pulsarproxy.config.Secret;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pulsar.client.api.Authentication;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.PulsarClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the supervisor asks of Pulsar's client builder: TLS to the brokers and the credentials. */
class ClientSettingsTest {
  /** Pulsar's TLS authentication plugin, named as an operator configures it. */
  private static final String TLS_PLUGIN = "org.apache.pulsar.client.impl.auth.AuthenticationTls";

  @TempDir
  Path dir;

  /** Records every builder call as "method(arg, …)"; authentication objects by their class. */
  private static final class Recorder {
    final List<String> calls = new ArrayList<>();
    final ClientBuilder builder = (ClientBuilder) Proxy.newProxyInstance(ClientBuilder.class.getClassLoader(),
        new Class<?>[] {ClientBuilder.class}, (proxy, method, args) -> {
          if (method.getName().equals("authentication") && args.length == 2) {
            // What the real builder does with a class name: load the plugin (fails for an unknown class).
            Authentication plugin = org.apache.pulsar.client.api.AuthenticationFactory.create((String) args[0],
                (String) args[1]);
            calls.add("authentication(" + plugin.getClass().getSimpleName() + ")");
          } else if (args != null && args.length == 1 && args[0] instanceof Authentication a) {
            calls.add(method.getName() + "(" + a.getClass().getSimpleName() + ")");
          } else {
            calls.add(method.getName() + (args == null ? "()" : Arrays.toString(args)
                .replace('[', '(').replace(']', ')')));
          }
          return proxy;
        });
  }

  private static PulsarConfig pulsar(JsonObject pulsar) {
    return ConfigLoader.build(new JsonObject().put("pulsar", pulsar)).pulsar();
  }

  private static List<String> configure(PulsarConfig config, SupervisorVerticle.ClientRole role, Secret token)
      throws PulsarClientException {
    Recorder recorder = new Recorder();
    SupervisorVerticle.configure(recorder.builder, config, config.serviceUrl(), role, token);
    return recorder.calls;
  }

  @Test
  void byDefaultHostNamesAreVerifiedAndNoCredentialsAreSent() throws Exception {
    List<String> calls = configure(pulsar(new JsonObject()), SupervisorVerticle.ClientRole.SHARED, null);

    assertThat(calls).contains("serviceUrl(pulsar://localhost:6650)", "enableTlsHostnameVerification(true)",
        "statsInterval(15, SECONDS)");
    assertThat(calls).noneMatch(c -> c.startsWith("tls") || c.startsWith("authentication"));
  }

  @Test
  void statisticsAreOffForProbesAndWhenTheIntervalIsZero() throws Exception {
    assertThat(configure(pulsar(new JsonObject()), SupervisorVerticle.ClientRole.PROBE, null))
        .contains("statsInterval(0, SECONDS)");
    assertThat(configure(pulsar(new JsonObject().put("statsInterval", "0")), SupervisorVerticle.ClientRole.SHARED,
        null)).contains("statsInterval(0, SECONDS)");
    assertThat(configure(pulsar(new JsonObject().put("statsInterval", "500ms")),
        SupervisorVerticle.ClientRole.TOKEN, new Secret("t"))).contains("statsInterval(1, SECONDS)");
  }

  @Test
  void tlsToTheBrokerUsesTheTrustBundleAndTheClientCertificate() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "ca");
    Path cert = Files.writeString(dir.resolve("proxy.crt"), "cert");
    Path key = Files.writeString(dir.resolve("proxy.key"), "key");
    PulsarConfig config = pulsar(new JsonObject().put("serviceUrl", "pulsar+ssl://broker.example:6651")
        .put("tls", new JsonObject().put("trustFile", ca.toString()).put("certFile", cert.toString())
            .put("keyFile", key.toString()).put("hostnameVerification", false)));

    List<String> calls = configure(config, SupervisorVerticle.ClientRole.SHARED, null);

    assertThat(calls).contains("serviceUrl(pulsar+ssl://broker.example:6651)",
        "tlsTrustCertsFilePath(" + ca + ")", "tlsCertificateFilePath(" + cert + ")", "tlsKeyFilePath(" + key + ")",
        "enableTlsHostnameVerification(false)");
  }

  @Test
  void anAuthenticationPluginIsLoadedByClassNameWithItsParameters() throws Exception {
    PulsarConfig config = pulsar(new JsonObject()
        .put("authPlugin", TLS_PLUGIN)
        .put("authParams", "tlsCertFile:/etc/proxy.crt,tlsKeyFile:/etc/proxy.key"));

    assertThat(configure(config, SupervisorVerticle.ClientRole.SHARED, null))
        .contains("authentication(AuthenticationTls)");
    assertThat(config.toString()).doesNotContain("tlsKeyFile").contains("authParams=Optional[****]");
  }

  @Test
  void aTokenClientUsesItsTokenNotThePlugin() throws Exception {
    PulsarConfig config = pulsar(new JsonObject().put("authPlugin", TLS_PLUGIN));

    List<String> calls = configure(config, SupervisorVerticle.ClientRole.TOKEN, new Secret("client-token"));

    assertThat(calls).containsOnlyOnce("authentication(AuthenticationToken)");
    assertThat(calls).doesNotContain("authentication(AuthenticationTls)");
  }

  @Test
  void theProxysTokenIsUsedWithoutAPlugin() throws Exception {
    PulsarConfig config = pulsar(new JsonObject().put("authToken", "proxy-token"));

    assertThat(configure(config, SupervisorVerticle.ClientRole.SHARED, null))
        .contains("authentication(AuthenticationToken)");
  }

  @Test
  void anUnknownPluginClassFails() {
    PulsarConfig config = pulsar(new JsonObject().put("authPlugin", "com.example.NoSuchAuth"));

    assertThatThrownBy(() -> configure(config, SupervisorVerticle.ClientRole.SHARED, null))
        .isInstanceOf(PulsarClientException.UnsupportedAuthenticationException.class);
  }
}
