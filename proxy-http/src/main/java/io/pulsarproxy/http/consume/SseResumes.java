package io.pulsarproxy.http.consume;

import io.pulsarproxy.config.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ended SSE streams ({@code ack=auto}) had written and not confirmed, so that a reconnection's
 * {@code Last-Event-ID} can say which of those messages the client received.
 *
 * <p>An event id is {@code <stream>.<n>}: a random stream id and the event's number on that stream, counted from 1.
 * A stream's unconfirmed events are always a run of consecutive numbers (they are confirmed oldest first), so an
 * event id names exactly the messages it covers: those of the run numbered up to it. Ids the proxy does not know
 * (malformed, of another subscription or principal, forgotten) confirm nothing; the messages come again.
 *
 * <p>Bounded: at most {@code httpConsumer.maxInstances} ended streams, each with at most twice
 * {@code httpConsumer.sseMaxUnconfirmed} ids (its own and those it carried), kept for {@code httpConsumer.idleTimeout}; the oldest are forgotten
 * first (which costs duplicates, never a loss). A reconnection that names an event of a stream still open (the
 * proxy has not seen its connection drop yet) ends that stream, confirming up to the event.
 *
 * <p>Each stream, open or remembered, is served on the event bus at {@code Addresses.sseStream(streamId)} by the edge
 * instance that holds it (JSON, so that it can cross nodes): a reconnection through any edge instance asks there
 * ({@link #lookup}). Confined to the context of the edge instance that holds the streams.
 */
final class SseResumes {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String EVENT = "lastEventId";
  private static final String OWNER = "owner";
  private static final String SUBSCRIPTION = "subscription";
  private static final String CONFIRMED = "confirmed";
  private static final Pattern EVENT_ID = Pattern.compile("([A-Za-z0-9_-]{12})\\.([1-9][0-9]{0,17})");

  /** An ended stream: whose, of which subscription, and its unconfirmed message ids numbered from {@code first}. */
  private record Ended(String owner, String subscription, long first, List<String> messageIds, Set<String> carried,
      long atMs) {}

  /** A stream still open, and how to end it confirming its events up to a number. */
  private record Live(String owner, String subscription, LongConsumer supersede) {}

  private final Map<String, Ended> ended = new LinkedHashMap<>(64, 0.75f, false);
  /** Open streams, by id: as many as the open instances, which {@code httpConsumer.maxInstances} bounds. */
  private final Map<String, Live> live = new HashMap<>();
  /** The addresses served: one per stream open or remembered. */
  private final Map<String, MessageConsumer<JsonObject>> served = new HashMap<>();
  private final Vertx vertx;
  private int maxStreams;
  private long keepMs;

  /** Streams known to this object only (not served on the event bus). */
  SseResumes(int maxStreams, long keepMs) {
    this(null, maxStreams, keepMs);
  }

  /** Streams served on {@code vertx}'s event bus; call on the edge instance's context. */
  SseResumes(Vertx vertx, int maxStreams, long keepMs) {
    this.vertx = vertx;
    reconfigure(maxStreams, keepMs);
  }

  void reconfigure(int maxStreams, long keepMs) {
    this.maxStreams = maxStreams;
    this.keepMs = keepMs;
  }

  /** A new stream's id: 72 random bits, URL-safe. */
  static String newStreamId() {
    byte[] bytes = new byte[9];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String eventId(String streamId, long number) {
    return streamId + "." + number;
  }

  /**
   * A stream started: a reconnection naming one of its events before the proxy saw its connection drop ends it
   * through {@code supersede}, which confirms its events up to the number given.
   */
  void started(String streamId, String owner, String subscription, LongConsumer supersede) {
    live.put(streamId, new Live(owner, subscription, supersede));
    if (vertx != null) {
      served.put(streamId, vertx.eventBus().<JsonObject>consumer(Addresses.sseStream(streamId), msg -> {
        JsonObject q = msg.body();
        Set<String> ids = confirmed(q.getString(EVENT), q.getString(OWNER), q.getString(SUBSCRIPTION),
            System.currentTimeMillis());
        msg.reply(new JsonObject().put(CONFIRMED, new JsonArray(List.copyOf(ids))));
      }));
    }
  }

  /**
   * {@link #confirmed}, asked of the edge instance that holds the stream {@code lastEventId} names, wherever it is.
   * Completes on the caller's context; with nothing confirmed when the id is malformed or no instance knows it (or
   * does not answer within {@code timeoutMs}): the messages come again.
   */
  Future<Set<String>> lookup(String lastEventId, String owner, String subscription, long timeoutMs) {
    Matcher m = lastEventId == null ? null : EVENT_ID.matcher(lastEventId.trim());
    if (m == null || !m.matches()) {
      return Future.succeededFuture(new HashSet<>());
    }
    if (vertx == null) {
      return Future.succeededFuture(confirmed(lastEventId, owner, subscription, System.currentTimeMillis()));
    }
    JsonObject q = new JsonObject().put(EVENT, lastEventId).put(OWNER, owner).put(SUBSCRIPTION, subscription);
    return vertx.eventBus().<JsonObject>request(Addresses.sseStream(m.group(1)), q,
            new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(reply -> (Set<String>) new HashSet<>(InstanceCalls.strings(reply.body().getJsonArray(CONFIRMED))))
        .otherwise(err -> new HashSet<>());
  }

  /**
   * Stream {@code streamId} ended; remembers what it wrote and did not see confirmed (its events {@code first}, …)
   * and {@code carried}: what an earlier stream's id confirmed to it and Pulsar had not delivered again yet, which
   * any id of this stream confirms as well.
   */
  void ended(String streamId, String owner, String subscription, long first, List<String> messageIds,
      Set<String> carried, long nowMs) {
    live.remove(streamId);
    if (messageIds.isEmpty() && carried.isEmpty()) {
      unserve(streamId);
      return;
    }
    expire(nowMs);
    ended.put(streamId, new Ended(owner, subscription, first, List.copyOf(messageIds), Set.copyOf(carried), nowMs));
    Iterator<String> oldest = ended.keySet().iterator();
    while (ended.size() > maxStreams && oldest.hasNext()) {
      String forgotten = oldest.next();
      oldest.remove();
      unserve(forgotten);
    }
  }

  /**
   * The message ids {@code lastEventId} confirms for {@code owner} on {@code subscription}: those its stream wrote up
   * to and including that event, and what that stream carried. Asking again gives the same answer (a client may
   * reconnect twice with one id, when the first reconnection ended before any event); an unknown id confirms
   * nothing.
   */
  Set<String> confirmed(String lastEventId, String owner, String subscription, long nowMs) {
    expire(nowMs);
    Matcher m = lastEventId == null ? null : EVENT_ID.matcher(lastEventId.trim());
    if (m == null || !m.matches()) {
      return new HashSet<>();
    }
    Live open = live.get(m.group(1));
    if (open != null && open.owner().equals(owner) && open.subscription().equals(subscription)) {
      // the client is back before the proxy saw it go: the old stream confirms, and gives back the rest, now
      open.supersede().accept(Long.parseLong(m.group(2)));
    }
    Ended e = ended.get(m.group(1));
    if (e == null || !e.owner().equals(owner) || !e.subscription().equals(subscription)) {
      return new HashSet<>();
    }
    long covered = Long.parseLong(m.group(2)) - e.first() + 1;
    int n = (int) Math.max(0, Math.min(e.messageIds().size(), covered));
    Set<String> confirmed = new HashSet<>(e.carried());
    confirmed.addAll(e.messageIds().subList(0, n));
    return confirmed;
  }

  /** Ended streams remembered. */
  int size() {
    return ended.size();
  }

  private void expire(long nowMs) {
    Iterator<Map.Entry<String, Ended>> oldest = ended.entrySet().iterator();
    while (oldest.hasNext()) {
      Map.Entry<String, Ended> e = oldest.next();
      if (nowMs - e.getValue().atMs() < keepMs) {
        break;
      }
      oldest.remove();
      unserve(e.getKey());
    }
  }

  /** Stops serving a stream neither open nor remembered. */
  private void unserve(String streamId) {
    if (live.containsKey(streamId) || ended.containsKey(streamId)) {
      return;
    }
    MessageConsumer<JsonObject> consumer = served.remove(streamId);
    if (consumer != null) {
      consumer.unregister();
    }
  }
}
