package io.pulsarproxy.core.supervisor;

import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pulsar clients of forwarded client tokens: one per distinct token, shared by every producer, consumer and reader
 * opened with it, so that the broker authenticates and authorises the client itself rather than the proxy.
 *
 * <p>Bounded: at most {@code maxClients} exist. A new token at the limit takes the place of the least recently used
 * client that nothing uses; when every client is in use it is refused with {@link ErrorCode#OVERLOADED}. A client
 * nothing has used for {@code idleTimeout} is closed by {@link #evictIdle()}. A client whose creation failed is
 * forgotten, so the next use tries again.
 *
 * <p>Thread-safe: the producer and consumer services call it from their own event loops. Creating a client
 * ({@code factory}) must not block the caller; the supervisor builds them on a worker thread.
 */
final class TokenClients implements PulsarClients {
  private static final Logger LOG = LoggerFactory.getLogger(TokenClients.class);

  private final Supplier<PulsarClient> shared;
  private final Function<Secret, CompletionStage<PulsarClient>> factory;
  private final LongSupplier clock;
  /** Access-ordered: iteration starts at the least recently used token. */
  private final LinkedHashMap<Secret, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private int maxClients;
  private Duration idleTimeout;

  private static final class Entry {
    final CompletableFuture<PulsarClient> client;
    int users;
    long idleSinceNanos;

    Entry(CompletableFuture<PulsarClient> client) {
      this.client = client;
    }
  }

  /** Set by the supervisor at start and at each switch of cluster. */
  private volatile String activeServiceUrl;

  TokenClients(Supplier<PulsarClient> shared, Function<Secret, CompletionStage<PulsarClient>> factory,
      int maxClients, Duration idleTimeout, LongSupplier clock) {
    this.shared = shared;
    this.factory = factory;
    this.maxClients = maxClients;
    this.idleTimeout = idleTimeout;
    this.clock = clock;
  }

  @Override
  public String activeServiceUrl() {
    return activeServiceUrl;
  }

  @Override
  public PulsarClient shared() {
    return shared.get();
  }

  @Override
  public synchronized CompletionStage<PulsarClient> acquire(Secret token) {
    if (token == null) {
      return CompletableFuture.completedFuture(shared.get());
    }
    Entry entry = entries.get(token);
    if (entry == null) {
      if (!makeRoom()) {
        return CompletableFuture.failedFuture(new ProxyException(ErrorCode.OVERLOADED, "the proxy acts for "
            + maxClients + " client tokens at once, its limit (ws.maxTokenClients), and every one is in use; retry "
            + "later"));
      }
      Entry created = new Entry(new CompletableFuture<>());
      entries.put(token, created);
      entry = created;
      factory.apply(token).whenComplete((client, failure) -> {
        if (failure != null) {
          forget(token, created);
          created.client.completeExceptionally(failure);
        } else {
          created.client.complete(client);
        }
      });
    }
    entry.users++;
    return entry.client;
  }

  @Override
  public synchronized void release(Secret token) {
    if (token == null) {
      return;
    }
    Entry entry = entries.get(token);
    if (entry != null && entry.users > 0 && --entry.users == 0) {
      entry.idleSinceNanos = clock.getAsLong();
    }
  }

  synchronized void reconfigure(int newMaxClients, Duration newIdleTimeout) {
    maxClients = newMaxClients;
    idleTimeout = newIdleTimeout;
  }

  synchronized int size() {
    return entries.size();
  }

  /** Closes the clients nothing has used for the idle timeout; returns how many. */
  synchronized int evictIdle() {
    long now = clock.getAsLong();
    List<Entry> idle = new ArrayList<>();
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      if (entry.users == 0 && now - entry.idleSinceNanos >= idleTimeout.toNanos()) {
        it.remove();
        idle.add(entry);
      }
    }
    idle.forEach(TokenClients::close);
    return idle.size();
  }

  /** Points every token client at another cluster, as the supervisor does with the shared client on failover. */
  synchronized void updateServiceUrl(String serviceUrl) {
    activeServiceUrl = serviceUrl;
    for (Entry entry : entries.values()) {
      entry.client.thenAccept(client -> {
        try {
          client.updateServiceUrl(serviceUrl);
        } catch (PulsarClientException e) {
          LOG.error("Could not switch a token's Pulsar client to {}: {}", serviceUrl, e.getMessage());
        }
      });
    }
  }

  /** Closes every token client. */
  synchronized CompletableFuture<Void> closeAll() {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    entries.values().forEach(entry -> closing.add(close(entry)));
    entries.clear();
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
  }

  /** Makes room for one more client: true when there is room, closing an unused one if needed. */
  private boolean makeRoom() {
    if (entries.size() < maxClients) {
      return true;
    }
    for (Iterator<Map.Entry<Secret, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      Entry candidate = it.next().getValue();
      if (candidate.users == 0) {
        it.remove();
        close(candidate);
        return entries.size() < maxClients;
      }
    }
    return false;
  }

  private synchronized void forget(Secret token, Entry entry) {
    entries.remove(token, entry);
  }

  private static CompletableFuture<Void> close(Entry entry) {
    return entry.client
        .thenCompose(PulsarClient::closeAsync)
        .exceptionally(failure -> null);
  }
}
