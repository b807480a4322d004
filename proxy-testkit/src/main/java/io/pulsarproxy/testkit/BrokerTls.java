package io.pulsarproxy.testkit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TLS on a standalone broker's binary protocol ({@link StandalonePulsar#startNew(Path, TokenAuth, BrokerTls)}): a
 * second broker port, {@code pulsar+ssl://} ({@link StandalonePulsar#serviceUrlTls()}), serving a certificate for
 * {@code localhost} and {@code 127.0.0.1} signed by {@link #authority()} (PEM certificate chain, PKCS#8 PEM key, as
 * Pulsar reads them). The plain port and the HTTP admin API stay open, so that the testkit's own clients and tests
 * can check what a TLS client did.
 *
 * <p>With {@link #requiringClientCertificates} the TLS port completes a handshake only with a client certificate that
 * the same authority signed ({@code tlsRequireTrustedClientCertOnConnect}), and authentication is on with Pulsar's
 * TLS provider, whose role is the certificate's CN. Without {@link TokenAuth}, clients of the plain port get the role
 * {@value #ANONYMOUS_ROLE} (no authorisation is on); with it, they need a token as usual.
 */
public final class BrokerTls {
  /** The role of a client without credentials on a broker that requires client certificates and has no tokens. */
  public static final String ANONYMOUS_ROLE = "anonymous";
  static final String TLS_PROVIDER = "org.apache.pulsar.broker.authentication.AuthenticationProviderTls";

  private final TestCertificates.Authority authority;
  private final TestCertificates.Issued server;
  private final boolean requireClientCertificates;

  private BrokerTls(TestCertificates.Authority authority, boolean requireClientCertificates) {
    this.authority = authority;
    this.server = authority.issue("pulsar-broker", "localhost", StandalonePulsar.HOST);
    this.requireClientCertificates = requireClientCertificates;
  }

  /** TLS with a server certificate of {@code authority}; any client that trusts it may connect. */
  public static BrokerTls serverOnly(TestCertificates.Authority authority) {
    return new BrokerTls(authority, false);
  }

  /** TLS that also requires a client certificate signed by {@code authority} (mutual TLS). */
  public static BrokerTls requiringClientCertificates(TestCertificates.Authority authority) {
    return new BrokerTls(authority, true);
  }

  /** The CA that signed the broker's certificate and that the broker trusts for client certificates. */
  public TestCertificates.Authority authority() {
    return authority;
  }

  public boolean requiresClientCertificates() {
    return requireClientCertificates;
  }

  /**
   * The broker settings (standalone.conf) that turn this on, with the certificate, key and trust bundle written
   * into {@code dir}; {@code auth} is the token authentication also on, or null.
   */
  Map<String, String> brokerSettings(Path dir, int tlsPort, TokenAuth auth) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("brokerServicePortTls", Integer.toString(tlsPort));
    settings.put("tlsCertificateFilePath", server.writeCert(dir.resolve("broker.crt")).toString());
    settings.put("tlsKeyFilePath", server.writeKey(dir.resolve("broker.key")).toString());
    settings.put("tlsTrustCertsFilePath", authority.writeCert(dir.resolve("ca.crt")).toString());
    if (requireClientCertificates) {
      settings.put("tlsAllowInsecureConnection", "false");
      settings.put("tlsRequireTrustedClientCertOnConnect", "true");
      settings.put("authenticationEnabled", "true");
      if (auth == null) {
        settings.put("authenticationProviders", TLS_PROVIDER);
        settings.put("anonymousUserRole", ANONYMOUS_ROLE);
      } else {
        settings.put("authenticationProviders", auth.brokerSettings().get("authenticationProviders") + ","
            + TLS_PROVIDER);
      }
    }
    return settings;
  }
}
