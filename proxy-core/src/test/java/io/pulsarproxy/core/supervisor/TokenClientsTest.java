package io.pulsarproxy.core.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds of the token clients. The clients are real Pulsar clients pointed at an address nobody listens on: they
 * connect only when used, which these tests never do.
 */
class TokenClientsTest {
  private static final Secret ALICE = new Secret("alice-token");
  private static final Secret CAROL = new Secret("carol-token");

  private final AtomicLong clock = new AtomicLong();
  private final List<PulsarClient> built = new ArrayList<>();
  private boolean failNext;
  private PulsarClient shared;

  private TokenClients clients(int max, Duration idle) throws PulsarClientException {
    shared = newClient();
    return new TokenClients(() -> shared, this::build, max, idle, clock::get);
  }

  private CompletionStage<PulsarClient> build(Secret token) {
    if (failNext) {
      failNext = false;
      return CompletableFuture.failedFuture(new PulsarClientException("cannot build"));
    }
    try {
      PulsarClient client = newClient();
      built.add(client);
      return CompletableFuture.completedFuture(client);
    } catch (PulsarClientException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static PulsarClient newClient() throws PulsarClientException {
    return PulsarClient.builder().serviceUrl("pulsar://127.0.0.1:1").ioThreads(1).listenerThreads(1).build();
  }

  private static PulsarClient get(CompletionStage<PulsarClient> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeClients() throws Exception {
    for (PulsarClient c : built) {
      c.closeAsync();
    }
    if (shared != null) {
      shared.closeAsync();
    }
  }

  @Test
  void noTokenMeansTheSharedClient() throws Exception {
    TokenClients clients = clients(2, Duration.ofMinutes(1));
    assertThat(get(clients.acquire(null))).isSameAs(shared);
    clients.release(null);
    assertThat(clients.size()).isZero();
    assertThat(built).isEmpty();
  }

  @Test
  void oneClientPerToken() throws Exception {
    TokenClients clients = clients(2, Duration.ofMinutes(1));
    PulsarClient first = get(clients.acquire(ALICE));
    assertThat(get(clients.acquire(new Secret("alice-token")))).isSameAs(first);
    assertThat(get(clients.acquire(CAROL))).isNotSameAs(first);
    assertThat(built).hasSize(2);
  }

  @Test
  void refusesANewTokenWhenEveryClientIsInUseAndReusesAnUnusedOne() throws Exception {
    TokenClients clients = clients(1, Duration.ofMinutes(1));
    PulsarClient alice = get(clients.acquire(ALICE));
    assertThatThrownBy(() -> get(clients.acquire(CAROL)))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ProxyException.class)
        .satisfies(e -> assertThat(((ProxyException) e).code()).isEqualTo(ErrorCode.OVERLOADED))
        .hasMessageContaining("ws.maxTokenClients");

    clients.release(ALICE);
    PulsarClient carol = get(clients.acquire(CAROL));
    assertThat(carol).isNotSameAs(alice);
    assertThat(clients.size()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(alice::isClosed);
  }

  @Test
  void closesClientsUnusedForTheIdleTimeout() throws Exception {
    TokenClients clients = clients(5, Duration.ofSeconds(60));
    PulsarClient alice = get(clients.acquire(ALICE));
    PulsarClient carol = get(clients.acquire(CAROL));
    clients.release(ALICE);
    clock.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(clients.evictIdle()).isZero();
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(clients.evictIdle()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(alice::isClosed);
    assertThat(carol.isClosed()).as("still in use").isFalse();
    assertThat(clients.size()).isEqualTo(1);
  }

  @Test
  void forgetsAClientThatCouldNotBeBuilt() throws Exception {
    TokenClients clients = clients(1, Duration.ofMinutes(1));
    failNext = true;
    assertThatThrownBy(() -> get(clients.acquire(ALICE))).hasMessageContaining("cannot build");
    assertThat(clients.size()).isZero();
    assertThat(get(clients.acquire(ALICE))).isNotNull();
    assertThat(built).hasSize(1);
  }

  @Test
  void closeAllClosesEveryTokenClientButNotTheSharedOne() throws Exception {
    TokenClients clients = clients(5, Duration.ofMinutes(1));
    PulsarClient alice = get(clients.acquire(ALICE));
    clients.closeAll().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(alice::isClosed);
    assertThat(shared.isClosed()).isFalse();
    assertThat(clients.size()).isZero();
  }
}
