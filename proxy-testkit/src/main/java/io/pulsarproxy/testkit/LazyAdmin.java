package io.pulsarproxy.testkit;

import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.admin.PulsarAdminBuilder;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.PulsarClientException;

/** The shared admin client of one broker, created on first use. */
final class LazyAdmin implements AutoCloseable {

  private final String adminUrl;
  /** A token to authenticate with, or null. */
  private final String token;
  private PulsarAdmin admin;

  LazyAdmin(String adminUrl) {
    this(adminUrl, null);
  }

  LazyAdmin(String adminUrl, String token) {
    this.adminUrl = adminUrl;
    this.token = token;
  }

  synchronized PulsarAdmin get() {
    if (admin == null) {
      try {
        PulsarAdminBuilder builder = PulsarAdmin.builder().serviceHttpUrl(adminUrl);
        if (token != null) {
          builder.authentication(AuthenticationFactory.token(token));
        }
        admin = builder.build();
      } catch (PulsarClientException e) {
        throw new IllegalStateException("Cannot create a Pulsar admin client for " + adminUrl, e);
      }
    }
    return admin;
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close();
      admin = null;
    }
  }
}
