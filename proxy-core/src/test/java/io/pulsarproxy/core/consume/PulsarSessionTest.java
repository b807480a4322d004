package io.pulsarproxy.core.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.junit.jupiter.api.Test;

/** How many receives a session asks of Pulsar at once, given how many messages Pulsar's consumer holds. */
class PulsarSessionTest {
  /** Messages in the Pulsar consumer's receiver queue, as its statistics tell them. */
  private Integer queued = 0;

  /** A consumer whose receives are answered later, as Pulsar's are (on its own thread). */
  @SuppressWarnings("unchecked")
  private final Consumer<byte[]> consumer = (Consumer<byte[]>) Proxy.newProxyInstance(
      getClass().getClassLoader(), new Class<?>[] {Consumer.class}, (proxy, method, args) -> {
        if (!method.getName().equals("receiveAsync")) {
          throw new UnsupportedOperationException(method.getName());
        }
        return new CompletableFuture<Message<byte[]>>();
      });

  private final Supplier<Integer> queue = () -> queued;

  private PulsarSession session(int permits) {
    PulsarSession session = new PulsarSession("s", "a", null, consumer, null, null, 100, 16, queue, false);
    session.permits = permits;
    return session;
  }

  /** What the consume service does when a session may receive. */
  private static void pump(PulsarSession session) {
    while (session.canReceive()) {
      session.pending.addLast(session.next());
    }
  }

  @Test
  void aQuietSessionHoldsOneReceive() {
    PulsarSession session = session(1000);
    pump(session);
    assertThat(session.pending).hasSize(1);
  }

  @Test
  void asksOneMoreThanPulsarHolds() {
    queued = 5;
    PulsarSession session = session(1000);
    pump(session);
    assertThat(session.pending).hasSize(6);
  }

  @Test
  void onceTheHeldMessagesAreTakenOnlyTheOneReceiveWaits() {
    queued = 5;
    PulsarSession session = session(1000);
    pump(session);
    // Pulsar answers the first five with the messages it held; the sixth waits for the next message to come.
    for (int i = 0; i < 5; i++) {
      session.pending.pollFirst().complete(null);
    }
    queued = 0;
    pump(session);
    assertThat(session.pending).hasSize(1);
    assertThat(session.pending.peekFirst()).isNotDone();
  }

  @Test
  void answeredReceivesNotYetHandedOverDoNotHoldBackTheNext() {
    queued = 5;
    PulsarSession session = session(1000);
    pump(session);
    // All six answered (the sixth by a message that came after), none handed to the client yet.
    session.pending.forEach(receive -> receive.complete(null));
    queued = 0;
    pump(session);
    assertThat(session.pending).hasSize(7);
    assertThat(session.pending.peekLast()).isNotDone();
  }

  @Test
  void neverMoreThanThePipelineOrThePermits() {
    queued = 100;
    PulsarSession busy = session(1000);
    pump(busy);
    assertThat(busy.pending).hasSize(16);

    PulsarSession few = session(3);
    pump(few);
    assertThat(few.pending).hasSize(3);
  }

  @Test
  void theWholePipelineWhereTheQueueCannotBeSeen() {
    queued = null;
    PulsarSession session = session(1000);
    pump(session);
    assertThat(session.pending).hasSize(16);
  }
}
