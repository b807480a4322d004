package io.pulsarproxy.core.supervisor;

import io.pulsarproxy.config.Secret;
import java.util.concurrent.CompletionStage;
import org.apache.pulsar.client.api.PulsarClient;

/**
 * Where the producer and consumer services get their Pulsar client: the proxy's own (its configured credentials), or
 * one that acts with a client's token ({@code ws.forwardClientTokens}). Thread-safe.
 */
public interface PulsarClients {

  /** The service URL of the cluster in use: the first of the configured ones until a fail-over switches. */
  String activeServiceUrl();

  /** The proxy's own client; valid once the supervisor has started. */
  PulsarClient shared();

  /**
   * The client that acts with {@code token}: the shared client when {@code token} is null, otherwise a client
   * authenticated with the token, created on first use and shared by everything opened with the same token. Every
   * successful call must be matched by one {@link #release(Secret)} once what was opened with the client is closed.
   * Fails with {@code OVERLOADED} when {@code ws.maxTokenClients} token clients exist and every one is in use.
   */
  CompletionStage<PulsarClient> acquire(Secret token);

  /** Ends one use of {@link #acquire(Secret)}; an unused token client is closed after {@code ws.tokenClientIdleTimeout}. */
  void release(Secret token);
}
