package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The outcomes of produce requests with an {@code Idempotency-Key}, per principal and key.
 *
 * <p>An entry holds the outcome of the Pulsar sends of the first request with its key, not the HTTP answer: it stays
 * in flight until every send has its answer from Pulsar, however long after the client stopped waiting. A completed
 * entry is kept for the window after its completion, then forgotten.
 *
 * <p>Bounded: at most {@code maxKeys} entries, where the entry of a request of more than {@value #MESSAGES_PER_KEY}
 * messages counts once per {@value #MESSAGES_PER_KEY} (so that the memory held, mostly one message id per message,
 * is bounded too). A new key at the limit makes the oldest completed entries go (evictions); when there is not enough
 * room in completed entries the new key is refused with {@link ErrorCode#OVERLOADED}. A completed outcome is kept
 * without the Pulsar exceptions behind its failures.
 *
 * <p>Not thread-safe: every method must be called on the owning verticle's context.
 */
final class IdempotencyStore {
  private record Scoped(String scope, String key) {}

  /** One key's request and the outcome of its sends. */
  static final class Entry {
    private final Scoped id;
    private final String fingerprint;
    private final int weight;
    private Future<ProduceReply> outcome;
    private long completedAt;

    private Entry(Scoped id, String fingerprint, int weight) {
      this.id = id;
      this.fingerprint = fingerprint;
      this.weight = weight;
    }

    /** The outcome of the sends: pending while any send is, then the reply of the last attempt. */
    Future<ProduceReply> outcome() {
      return outcome;
    }

    boolean inFlight() {
      return !outcome.isComplete();
    }
  }

  /** A key's entry, and whether it was just created (the caller sends) or already there (the caller replays). */
  record Claim(Entry entry, boolean created) {}

  /** Ordered by completion (in-flight entries by creation): iteration starts at the oldest. */
  private final LinkedHashMap<Scoped, Entry> entries = new LinkedHashMap<>();
  /** Messages of a request that count as one key. */
  static final int MESSAGES_PER_KEY = 10;

  private final LongSupplier clock;
  private int held;
  private Duration window;
  private int maxKeys;
  private final Runnable onEviction;

  /**
   * @param onEviction called for each completed entry forgotten before its window ended, to make room
   */
  IdempotencyStore(Duration window, int maxKeys, LongSupplier clock, Runnable onEviction) {
    this.window = window;
    this.maxKeys = maxKeys;
    this.clock = clock;
    this.onEviction = onEviction;
  }

  void reconfigure(Duration newWindow, int newMaxKeys) {
    this.window = newWindow;
    this.maxKeys = newMaxKeys;
  }

  /**
   * The entry for this key: the existing one when the request is the same, else a new one, in flight from now; the
   * caller must {@link #start} it.
   *
   * @throws ProxyException IDEMPOTENCY_KEY_REUSED when the key was used for a different request; OVERLOADED when the
   *                        store is full of entries in flight
   */
  Claim claim(Idempotency idempotency, int messages) {
    expire();
    Scoped id = new Scoped(idempotency.scope(), idempotency.key());
    Entry existing = entries.get(id);
    if (existing != null) {
      if (!existing.fingerprint.equals(idempotency.fingerprint())) {
        throw new ProxyException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + idempotency.key()
            + "' was already used for a different request (method, path, content type, Pulsar-* headers or body)"
            + " within produce.idempotencyWindow");
      }
      return new Claim(existing, false);
    }
    int weight = Math.min(maxKeys, Math.max(1, (messages + MESSAGES_PER_KEY - 1) / MESSAGES_PER_KEY));
    makeRoom(weight);
    Entry entry = new Entry(id, idempotency.fingerprint(), weight);
    add(entry);
    return new Claim(entry, true);
  }

  /**
   * Sets the entry's outcome to these sends; once they have completed, the entry is kept for the window. An entry
   * that had gone (evicted or expired while a repeat waited for it) is taken back in, room permitting.
   *
   * @throws ProxyException OVERLOADED when the entry had gone and the store is full of entries in flight
   */
  void start(Entry entry, Future<ProduceReply> sends) {
    Entry current = entries.get(entry.id);
    if (current != entry) {
      if (current != null) {
        // The key was evicted and taken again meanwhile: this entry's sends win, the other's outcome is not kept.
        entries.remove(entry.id);
        held -= current.weight;
      }
      makeRoom(entry.weight);
      add(entry);
    }
    entry.outcome = sends;
    sends.onComplete(done -> {
      if (entry.outcome == sends) {
        entry.outcome = Future.succeededFuture(compact(done.result()));
        if (entries.get(entry.id) == entry) {
          entry.completedAt = clock.getAsLong();
          entries.remove(entry.id);
          entries.put(entry.id, entry);
        }
      }
    });
  }

  /** Forgets the completed entries older than the window; returns how many. */
  int expire() {
    long now = clock.getAsLong();
    long windowNanos = window.toNanos();
    int expired = 0;
    Iterator<Entry> oldest = entries.values().iterator();
    while (oldest.hasNext()) {
      Entry e = oldest.next();
      if (e.outcome == null || e.inFlight()) {
        continue;
      }
      if (now - e.completedAt < windowNanos) {
        break;
      }
      oldest.remove();
      held -= e.weight;
      expired++;
    }
    return expired;
  }

  private void add(Entry entry) {
    entries.put(entry.id, entry);
    held += entry.weight;
  }

  private void makeRoom(int weight) {
    if (held + weight <= maxKeys) {
      return;
    }
    int completed = 0;
    for (Entry e : entries.values()) {
      if (e.outcome != null && !e.inFlight()) {
        completed += e.weight;
      }
    }
    if (held - completed + weight > maxKeys) {
      throw new ProxyException(ErrorCode.OVERLOADED, "the " + maxKeys + " idempotency keys the proxy holds "
          + "(produce.idempotencyMaxKeys) are taken by requests still in flight");
    }
    for (Iterator<Entry> oldest = entries.values().iterator(); held + weight > maxKeys; ) {
      Entry e = oldest.next();
      if (e.outcome != null && !e.inFlight()) {
        oldest.remove();
        held -= e.weight;
        onEviction.run();
      }
    }
  }

  /** The reply without the Pulsar exceptions behind its failures: only what a replay shows is kept. */
  private static ProduceReply compact(ProduceReply reply) {
    if (reply.firstFailure().isEmpty()) {
      return reply;
    }
    List<ProduceResult> results = new ArrayList<>(reply.results().size());
    for (ProduceResult r : reply.results()) {
      results.add(r.isOk() || r.error().getCause() == null ? r
          : ProduceResult.failed(new ProxyException(r.error().code(), r.error().getMessage(), r.error().details())));
    }
    return new ProduceReply(results);
  }

  /** How many keys are held, in flight or completed. */
  int size() {
    return entries.size();
  }

  Map<?, Entry> entriesForTest() {
    return entries;
  }
}
