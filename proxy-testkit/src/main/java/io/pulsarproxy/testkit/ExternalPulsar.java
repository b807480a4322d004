package io.pulsarproxy.testkit;

import java.net.URI;
import org.apache.pulsar.client.admin.PulsarAdmin;

/** A cluster the testkit did not start and does not control (environment, or a container). */
final class ExternalPulsar implements PulsarBroker {

  private final String serviceUrl;
  private final String adminUrl;
  private final LazyAdmin admin;
  private final String description;

  ExternalPulsar(String serviceUrl, String adminUrl, String description) {
    this.description = description;
    this.serviceUrl = stripTrailingSlash(serviceUrl);
    this.adminUrl = stripTrailingSlash(adminUrl);
    this.admin = new LazyAdmin(this.adminUrl);
  }

  /**
   * Uses {@code adminUrl} when given, else derives {@code http://<host>:8080} ({@code https://<host>:8443}
   * for {@code pulsar+ssl}) from the service URL, which is what a default broker listens on.
   */
  static ExternalPulsar fromUrls(String serviceUrl, String adminUrl) {
    if (adminUrl != null && !adminUrl.isBlank()) {
      return new ExternalPulsar(serviceUrl, adminUrl, "external Pulsar");
    }
    URI uri = URI.create(serviceUrl.split(",")[0].trim());
    boolean tls = "pulsar+ssl".equals(uri.getScheme());
    String host = uri.getHost() == null ? "localhost" : uri.getHost();
    return new ExternalPulsar(serviceUrl, (tls ? "https://" : "http://") + host + (tls ? ":8443" : ":8080"),
        "external Pulsar");
  }

  static String webSocketUrlOf(String adminUrl) {
    if (adminUrl.startsWith("https://")) {
      return "wss://" + adminUrl.substring("https://".length());
    }
    if (adminUrl.startsWith("http://")) {
      return "ws://" + adminUrl.substring("http://".length());
    }
    throw new IllegalArgumentException("Not an http(s) URL: " + adminUrl);
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public String serviceUrl() {
    return serviceUrl;
  }

  @Override
  public String adminUrl() {
    return adminUrl;
  }

  @Override
  public String webSocketUrl() {
    return webSocketUrlOf(adminUrl);
  }

  @Override
  public PulsarAdmin admin() {
    return admin.get();
  }

  @Override
  public boolean controllable() {
    return false;
  }

  @Override
  public void stop() {
    throw notControllable();
  }

  @Override
  public void kill() {
    throw notControllable();
  }

  @Override
  public void start() {
    throw notControllable();
  }

  void closeAdmin() {
    admin.close();
  }

  private UnsupportedOperationException notControllable() {
    return new UnsupportedOperationException(
        "The broker at " + serviceUrl + " was not started by the testkit; check controllable() first");
  }

  @Override
  public String toString() {
    return description + " " + serviceUrl + " (admin " + adminUrl + ")";
  }
}
