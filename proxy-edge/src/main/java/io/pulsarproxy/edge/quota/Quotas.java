package io.pulsarproxy.edge.quota;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.QuotasConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.edge.ClusterCounts;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quotas per principal ({@code quotas.*}): produce rates (messages and payload bytes per second, token buckets of
 * Bucket4j that refill continuously and hold one second's worth) and counts of what a principal holds open
 * (WebSockets, SSE streams, consumer instances, HTTP requests in progress). Over a limit a request, stream or handshake
 * is refused with 429 {@code TOO_MANY_REQUESTS} and a {@code Retry-After}; a WebSocket producer is slowed instead
 * ({@link #throttle}). Every refusal and slow-down is counted in {@code pulsar_proxy_quota_throttled{quota}}.
 *
 * <p>As a handler behind the edge's authentication it counts each HTTP request in progress and makes itself known to
 * the routes ({@link #of}). Nothing here waits: buckets are only asked and charged, never waited on.
 *
 * <p>When the proxy runs clustered, what a principal holds open (WebSockets, SSE streams, consumer instances) is
 * counted cluster-wide as well ({@link #acrossCluster}): the limit is the principal's across every node. Requests in
 * progress and produce rates are counted per node.
 *
 * <p>State is kept for at most {@code quotas.maxPrincipals} principals; beyond that the least recently seen one that
 * holds nothing open is forgotten (its buckets start full if it comes back). A principal holding something open is
 * never forgotten, so its counts stay right; they are bounded in turn by {@code ws.maxSockets},
 * {@code httpConsumer.maxInstances} and {@code http.maxInFlightRequests}. Thread-safe: the map and counts change under
 * this object's lock (a few field updates, never a wait), the buckets are lock-free.
 */
public final class Quotas implements Handler<RoutingContext> {
  static final String KEY = "pulsar-proxy.quotas";
  private static final Logger LOG = LoggerFactory.getLogger(Quotas.class);
  private static final Quotas OFF = new Quotas(ProxyConfig.defaults().quotas(), ProxyMetrics.noop());
  /** Entries looked at per eviction, so that a map full of busy principals costs little per new one. */
  private static final int EVICTION_SCAN = 64;

  private final ProxyMetrics metrics;
  private final TimeMeter clock;
  private final ClusterCounts cluster;
  private final LinkedHashMap<String, PrincipalState> states = new LinkedHashMap<>(64, 0.75f, true);
  private volatile QuotasConfig config;
  private Map<String, QuotasConfig.Limits> overrides;
  private long generation;

  public Quotas(QuotasConfig config, ProxyMetrics metrics) {
    this(config, metrics, ClusterCounts.NONE);
  }

  /** @param cluster where what principals hold open is counted cluster-wide ({@link ClusterCounts#NONE}: per node) */
  public Quotas(QuotasConfig config, ProxyMetrics metrics, ClusterCounts cluster) {
    this(config, metrics, TimeMeter.SYSTEM_NANOTIME, cluster);
  }

  Quotas(QuotasConfig config, ProxyMetrics metrics, TimeMeter clock) {
    this(config, metrics, clock, ClusterCounts.NONE);
  }

  Quotas(QuotasConfig config, ProxyMetrics metrics, TimeMeter clock, ClusterCounts cluster) {
    this.metrics = metrics;
    this.clock = clock;
    this.cluster = cluster;
    for (Quota quota : Quota.values()) {
      metrics.quotaKnown(quota.label());
    }
    apply(config);
  }

  /** The quotas of the edge that serves {@code ctx}; quotas that are off when it passed no edge. */
  public static Quotas of(RoutingContext ctx) {
    Quotas quotas = ctx.get(KEY);
    return quotas == null ? OFF : quotas;
  }

  /**
   * New limits (hot reload): they apply to the next request, frame or handshake. Buckets keep their tokens (at most
   * the new capacity); what is open stays open, counted against the new limits. Turning quotas off forgets every
   * principal; turned on again, counts start from what opens afterwards.
   */
  public synchronized void reconfigure(QuotasConfig newConfig) {
    apply(newConfig);
    if (!newConfig.enabled()) {
      states.clear();
    }
  }

  private synchronized void apply(QuotasConfig newConfig) {
    overrides = newConfig.overridesByRole();
    generation++;
    config = newConfig;
  }

  /** Makes the quotas known to the routes and counts an HTTP request in progress (not a WebSocket: it has its own). */
  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, this);
    if (!config.enabled() || ctx.request().canUpgradeToWebSocket()) {
      ctx.next();
      return;
    }
    Reservation request;
    try {
      request = reserve(Principal.of(ctx), Quota.IN_FLIGHT);
    } catch (ProxyException e) {
      ctx.fail(e);
      return;
    }
    ctx.addEndHandler(v -> request.release());
    ctx.next();
  }

  /**
   * Counts one more socket, stream, instance or request of {@code principal}.
   *
   * @throws ProxyException 429 {@code TOO_MANY_REQUESTS}, naming the key, when the principal holds its limit already
   */
  public Reservation reserve(Principal principal, Quota quota) {
    if (!config.enabled()) {
      return Reservation.NONE;
    }
    int limit;
    PrincipalState state;
    synchronized (this) {
      state = state(principal.name());
      limit = state.limit(quota);
      if (limit <= 0 || state.held[quota.ordinal()] < limit) {
        state.held[quota.ordinal()]++;
        state.open++;
        return new Held(state, quota);
      }
    }
    throw refused(principal, quota, limit);
  }

  /**
   * Counts cluster-wide what {@link #reserve} counted on this node ({@code local}), when the proxy runs clustered:
   * the principal's limit then holds across every node. Completes on the caller's context with a reservation that
   * gives back both counts (just {@code local} when nothing is counted beyond the node).
   *
   * @return failed with the same 429 as {@link #reserve} when the cluster holds the limit already, or with 503
   *         {@code OVERLOADED} when the cluster could not be asked; {@code local} is given back then
   */
  public Future<Reservation> acrossCluster(Principal principal, Quota quota, Reservation local) {
    if (!(local instanceof Held held) || !cluster.clustered()) {
      return Future.succeededFuture(local);
    }
    int limit;
    synchronized (this) {
      limit = held.state.limit(quota);
    }
    if (limit <= 0) {
      return Future.succeededFuture(local);
    }
    String name = quota.key() + "|" + principal.name();
    return cluster.tryAcquire(name, limit).transform(asked -> {
      if (asked.succeeded() && asked.result()) {
        AtomicBoolean released = new AtomicBoolean();
        return Future.succeededFuture((Reservation) () -> {
          if (released.compareAndSet(false, true)) {
            local.release();
            cluster.release(name);
          }
        });
      }
      local.release();
      return Future.failedFuture(asked.succeeded() ? refused(principal, quota, limit) : unreachable(asked.cause()));
    });
  }

  private ProxyException refused(Principal principal, Quota quota, int limit) {
    metrics.quotaThrottled(quota.label());
    return ProxyException.retryAfter(ErrorCode.TOO_MANY_REQUESTS, principal.name() + " holds " + limit + " "
        + noun(quota) + ", its quota (" + quota.key() + ")" + (cluster.clustered() ? " across the cluster" : "")
        + "; close one or retry later", 1);
  }

  /** The 503 of a limit counted cluster-wide when the cluster's counts could not be asked. */
  public static ProxyException unreachable(Throwable cause) {
    LOG.warn("Cluster-wide limits: the shared counts could not be asked: {}", String.valueOf(cause));
    return ProxyException.retryAfter(ErrorCode.OVERLOADED,
        "the cluster's shared counts could not be asked; retry later", 1);
  }

  /**
   * Charges an HTTP produce request of {@code messages} messages and {@code bytes} payload bytes, or refuses all of
   * it. A request larger than a second's worth passes when the bucket is full, and the next ones wait for it.
   *
   * @throws ProxyException 429 {@code TOO_MANY_REQUESTS}, naming the key, with {@code Retry-After} the seconds (at least
   *                        1) until the request would fit
   */
  public void checkProduce(Principal principal, int messages, long bytes) {
    if (!config.enabled()) {
      return;
    }
    Rates rates = rates(principal.name());
    long messagesWait = shortfall(rates.messages, rates.messagesPerSecond, messages);
    long bytesWait = shortfall(rates.bytes, rates.bytesPerSecond, bytes);
    if (messagesWait > 0 || bytesWait > 0) {
      Quota quota = messagesWait >= bytesWait ? Quota.PRODUCE_RATE : Quota.PRODUCE_BYTES;
      long wait = Math.max(messagesWait, bytesWait);
      int seconds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (wait + 999_999_999L) / 1_000_000_000L));
      metrics.quotaThrottled(quota.label());
      throw ProxyException.retryAfter(ErrorCode.TOO_MANY_REQUESTS, principal.name() + " may produce "
          + (quota == Quota.PRODUCE_RATE ? rates.messagesPerSecond + " messages" : rates.bytesPerSecond + " bytes")
          + " per second (" + quota.key() + "); retry after " + seconds + " s", seconds);
    }
    charge(rates.messages, messages);
    charge(rates.bytes, bytes);
  }

  /**
   * The produce rate of {@code principal} for a WebSocket producer: frames are charged as they come and never
   * refused; the socket stops reading for the time the answer says.
   */
  public ProduceThrottle throttle(Principal principal) {
    if (!config.enabled()) {
      return ProduceThrottle.NONE;
    }
    String name = principal.name();
    return (messages, bytes) -> {
      if (!config.enabled()) {
        return 0;
      }
      Rates rates = rates(name);
      long messagesWait = charge(rates.messages, messages);
      long bytesWait = charge(rates.bytes, bytes);
      if (messagesWait > 0 || bytesWait > 0) {
        metrics.quotaThrottled((messagesWait >= bytesWait ? Quota.PRODUCE_RATE : Quota.PRODUCE_BYTES).label());
      }
      return Math.max(messagesWait, bytesWait);
    };
  }

  /** How many principals have state now (for tests of the bound). */
  synchronized int principals() {
    return states.size();
  }

  private synchronized Rates rates(String name) {
    return state(name).rates;
  }

  /** The principal's state, current with the configuration; may forget idle principals. Call with the lock held. */
  private PrincipalState state(String name) {
    PrincipalState state = states.get(name);
    if (state == null) {
      state = new PrincipalState();
      states.put(name, state);
      if (states.size() > config.maxPrincipals()) {
        forgetIdle();
      }
    }
    if (state.generation != generation) {
      QuotasConfig.Limits limits = overrides.getOrDefault(name, config.defaults());
      state.limits = limits;
      state.rates = new Rates(
          bucket(state.rates.messages, limits.produceMessagesPerSecond()), limits.produceMessagesPerSecond(),
          bucket(state.rates.bytes, limits.produceBytesPerSecond()), limits.produceBytesPerSecond());
      state.generation = generation;
    }
    return state;
  }

  /** Forgets the least recently seen principals that hold nothing open, until the map is within its bound. */
  private void forgetIdle() {
    List<String> busy = new ArrayList<>();
    Iterator<Map.Entry<String, PrincipalState>> it = states.entrySet().iterator();
    for (int scanned = 0; states.size() > config.maxPrincipals() && it.hasNext() && scanned < EVICTION_SCAN;
        scanned++) {
      Map.Entry<String, PrincipalState> eldest = it.next();
      if (eldest.getValue().open == 0) {
        it.remove();
      } else {
        busy.add(eldest.getKey());
      }
    }
    // Seen now: the next scan starts with principals it has not looked at yet.
    busy.forEach(states::get);
  }

  private Bucket bucket(Bucket existing, long perSecond) {
    if (perSecond <= 0) {
      return null;
    }
    if (existing == null) {
      return Bucket.builder().addLimit(limit -> limit.capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1)))
          .withCustomTimePrecision(clock).build();
    }
    existing.replaceConfiguration(BucketConfiguration.builder()
            .addLimit(limit -> limit.capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1))).build(),
        TokensInheritanceStrategy.AS_IS);
    return existing;
  }

  /** Nanoseconds until {@code amount} (at most a full bucket) could be taken; 0 if now. */
  private static long shortfall(Bucket bucket, long capacity, long amount) {
    if (bucket == null || amount <= 0) {
      return 0;
    }
    EstimationProbe probe = bucket.estimateAbilityToConsume(Math.min(amount, capacity));
    return probe.canBeConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
  }

  /** Takes {@code amount}, into debt if need be; the nanoseconds until the debt is paid back. */
  private static long charge(Bucket bucket, long amount) {
    return bucket == null || amount <= 0 ? 0 : bucket.consumeIgnoringRateLimits(amount);
  }

  private static String noun(Quota quota) {
    return switch (quota) {
      case WEBSOCKETS -> "WebSockets";
      case SSE_STREAMS -> "SSE streams";
      case CONSUMER_INSTANCES -> "consumer instances";
      case IN_FLIGHT -> "requests in progress";
      case PRODUCE_RATE, PRODUCE_BYTES -> throw new IllegalArgumentException(quota + " is a rate");
    };
  }

  /** A principal's produce buckets; null for an unlimited one. Immutable: replaced when the limits change. */
  private record Rates(Bucket messages, long messagesPerSecond, Bucket bytes, long bytesPerSecond) {
    static final Rates NONE = new Rates(null, 0, null, 0);
  }

  /** One principal's buckets and counts. Guarded by the {@link Quotas} lock, except the buckets themselves. */
  private static final class PrincipalState {
    final int[] held = new int[Quota.values().length];
    /** Everything held, of every kind: a principal with something open is not forgotten. */
    int open;
    long generation = -1;
    QuotasConfig.Limits limits;
    Rates rates = Rates.NONE;

    int limit(Quota quota) {
      return switch (quota) {
        case WEBSOCKETS -> limits.maxWebSockets();
        case SSE_STREAMS -> limits.maxSseStreams();
        case CONSUMER_INSTANCES -> limits.maxConsumerInstances();
        case IN_FLIGHT -> limits.maxInFlightRequests();
        case PRODUCE_RATE, PRODUCE_BYTES -> throw new IllegalArgumentException(quota + " is a rate");
      };
    }
  }

  /** Counted in one principal's state until released, once. */
  private final class Held implements Reservation {
    private final PrincipalState state;
    private final Quota quota;
    private boolean released;

    Held(PrincipalState state, Quota quota) {
      this.state = state;
      this.quota = quota;
    }

    @Override
    public void release() {
      synchronized (Quotas.this) {
        if (!released) {
          released = true;
          state.held[quota.ordinal()]--;
          state.open--;
        }
      }
    }
  }
}
