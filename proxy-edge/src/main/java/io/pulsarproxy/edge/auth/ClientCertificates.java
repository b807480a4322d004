package io.pulsarproxy.edge.auth;

import io.vertx.core.http.HttpServerRequest;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/** The name a TLS client certificate stands for: its subject's CN, or its first DNS, e-mail or URI alternative name. */
public final class ClientCertificates {
  private ClientCertificates() {}

  /**
   * The principal name of the request's client certificate, empty without TLS or without a certificate.
   *
   * @param from {@code cn} or {@code san} ({@code auth.mtls.principal})
   */
  public static Optional<String> name(HttpServerRequest request, String from) {
    if (!request.isSSL()) {
      return Optional.empty();
    }
    List<Certificate> chain;
    try {
      chain = request.connection().peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate cert)) {
      return Optional.empty();
    }
    return from.equals("san") ? alternativeName(cert) : commonName(cert);
  }

  static Optional<String> commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  static Optional<String> alternativeName(X509Certificate cert) {
    try {
      Collection<List<?>> names = cert.getSubjectAlternativeNames();
      if (names == null) {
        return Optional.empty();
      }
      for (List<?> entry : names) {
        // 1 rfc822Name (e-mail), 2 dNSName, 6 URI
        if (entry.size() >= 2 && entry.get(0) instanceof Integer type && (type == 1 || type == 2 || type == 6)) {
          return Optional.of(String.valueOf(entry.get(1)));
        }
      }
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
