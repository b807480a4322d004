package io.pulsarproxy.testkit;

import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.api.PulsarClientException;

/** The shared admin client of one broker, created on first use. */
final class LazyAdmin implements AutoCloseable {

  private final String adminUrl;
  private PulsarAdmin admin;

  LazyAdmin(String adminUrl) {
    this.adminUrl = adminUrl;
  }

  synchronized PulsarAdmin get() {
    if (admin == null) {
      try {
        admin = PulsarAdmin.builder().serviceHttpUrl(adminUrl).build();
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
