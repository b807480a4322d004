package io.pulsarproxy.edge;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The certificate a client presented on the edge's TLS connection ({@code http.tls.clientAuth} {@code request} or
 * {@code require}), and the names in it that authentication maps to a principal: the subject's common name or a
 * subject alternative name. The server has verified the certificate against {@code http.tls.trustFile} before any
 * request arrives; a connection without TLS or without a client certificate has none. Safe on any thread.
 */
public final class ClientCertificates {
  private ClientCertificates() {}

  /** Kinds of subject alternative name (RFC 5280 GeneralName tags). */
  public enum SanType {
    EMAIL(1), DNS(2), URI(6), IP(7);

    private final int tag;

    SanType(int tag) {
      this.tag = tag;
    }
  }

  /** The client's verified certificate (the first of its chain), if it presented one. */
  public static Optional<X509Certificate> certificate(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    if (connection == null || !connection.isSsl()) {
      return Optional.empty();
    }
    try {
      List<Certificate> chain = connection.peerCertificates();
      return chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate x509)
          ? Optional.empty() : Optional.of(x509);
    } catch (SSLPeerUnverifiedException noCertificate) {
      return Optional.empty();
    }
  }

  /** The client's verified certificate (the first of its chain), if it presented one. */
  public static Optional<X509Certificate> certificate(RoutingContext ctx) {
    return certificate(ctx.request());
  }

  /** The common name ({@code CN}) of the client certificate's subject, if there is a certificate with one. */
  public static Optional<String> commonName(RoutingContext ctx) {
    return certificate(ctx).flatMap(ClientCertificates::commonName);
  }

  /**
   * The common name ({@code CN}) of {@code certificate}'s subject; the most specific one when the subject has several
   * (the leftmost in {@code CN=client, OU=a, O=b}).
   */
  public static Optional<String> commonName(X509Certificate certificate) {
    try {
      List<Rdn> rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
      // LdapName lists the RDNs from the most significant (rightmost) to the most specific (leftmost).
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdns.get(i).getValue()));
        }
      }
      return Optional.empty();
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
  }

  /** The subject alternative names of {@code type} in {@code certificate}, in the certificate's order. */
  public static List<String> subjectAlternativeNames(X509Certificate certificate, SanType type) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> all = certificate.getSubjectAlternativeNames();
      if (all != null) {
        for (List<?> entry : all) {
          if (entry.size() >= 2 && entry.get(0) instanceof Integer tag && tag == type.tag
              && entry.get(1) instanceof String name) {
            names.add(name);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // A certificate the server accepted but whose extension does not parse has no usable names.
    }
    return names;
  }
}
