package io.pulsarproxy.config;

/**
 * The client-facing listener (REST, WebSocket, SSE and the demo page share it).
 *
 * @param host                   {@code http.host}
 * @param port                   {@code http.port} (0 picks a free port)
 * @param maxBodyBytes           {@code http.maxBodySize}: larger request bodies are answered 413
 * @param maxMessageBytes        {@code http.maxMessageSize}: larger single message payloads are answered 413
 * @param maxMessagesPerRequest  {@code http.maxMessagesPerRequest}: more messages in one request are answered 400
 * @param maxInFlightRequests    {@code http.maxInFlightRequests}: produce requests in progress at once; above it 503
 * @param maxInFlightBytes       {@code http.maxInFlightBytes}: bytes of request bodies (and WebSocket frames) held at
 *                               once by the whole edge; a body that does not fit is answered 503 before it is read
 * @param tls                    {@code http.tls.*}: HTTPS and WSS when a certificate is configured
 */
public record HttpConfig(
    String host,
    int port,
    long maxBodyBytes,
    long maxMessageBytes,
    int maxMessagesPerRequest,
    int maxInFlightRequests,
    long maxInFlightBytes,
    TlsConfig tls) {

  public HttpConfig {
    java.util.Objects.requireNonNull(host, "host");
    java.util.Objects.requireNonNull(tls, "tls");
  }

  /** Without TLS. */
  public HttpConfig(String host, int port, long maxBodyBytes, long maxMessageBytes, int maxMessagesPerRequest,
      int maxInFlightRequests, long maxInFlightBytes) {
    this(host, port, maxBodyBytes, maxMessageBytes, maxMessagesPerRequest, maxInFlightRequests, maxInFlightBytes,
        TlsConfig.DISABLED);
  }
}
