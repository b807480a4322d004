package io.pulsarproxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lag of the subscriptions the proxy holds: {@code pulsar_proxy_consumer_lag_messages} and
 * {@code pulsar_proxy_consumer_lag_seconds}, labelled {@code topic} and {@code subscription}.
 *
 * <p>At most {@code maxSeries} subscriptions ({@code management.lagMaxSeries}) have series of their own. A
 * subscription keeps its series while it is sampled, so that a graph does not jump between subscriptions; the
 * subscriptions beyond the cap are folded into one series labelled {@value #OTHER} (messages summed, seconds the
 * largest), and {@code pulsar_proxy_consumer_lag_overflow} says how many. A subscription no longer sampled (its
 * consumers closed) loses its series at the next round.
 *
 * <p>{@link #publish} is called by one sampler at a time; the gauges are read by the scrape on any thread.
 */
public final class SubscriptionLag {
  /** The labels of the series that sums the subscriptions beyond the cap. */
  public static final String OTHER = "_other";

  /** One subscription: the topic (or topics, or pattern) as the client named it, and the subscription name. */
  public record Key(String topic, String subscription) {}

  /** Messages behind the topic's last message, and for how long, in seconds. */
  public record Sample(long messages, double seconds) {
    Sample merge(Sample other) {
      return new Sample(messages + other.messages, Math.max(seconds, other.seconds));
    }
  }

  private final int maxSeries;
  private final MultiGauge messages;
  private final MultiGauge seconds;
  private final AtomicInteger overflow = new AtomicInteger();
  private final Counter failures;
  private Set<Key> shown = Set.of();

  SubscriptionLag(MeterRegistry registry, int maxSeries) {
    this.maxSeries = maxSeries;
    this.messages = MultiGauge.builder("pulsar_proxy_consumer_lag_messages")
        .description("Messages a subscription held by the proxy is behind its topic's last message").register(registry);
    this.seconds = MultiGauge.builder("pulsar_proxy_consumer_lag").baseUnit("seconds")
        .description("How long a subscription held by the proxy has been behind its topic's last message")
        .register(registry);
    Gauge.builder("pulsar_proxy_consumer_lag_overflow", overflow, AtomicInteger::get)
        .description("Subscriptions beyond management.lagMaxSeries, summed into the series labelled _other")
        .register(registry);
    this.failures = Counter.builder("pulsar_proxy_consumer_lag_sample_failures")
        .description("Lag samples that failed (broker not answering); the subscription keeps its previous value")
        .register(registry);
  }

  /** Counts one subscription whose sample failed this round. */
  public void sampleFailed() {
    failures.increment();
  }

  /** Replaces every lag series by this round's samples, within the cap. */
  public void publish(Map<Key, Sample> samples) {
    Map<Key, Sample> rows = cap(shown, samples, maxSeries);
    Set<Key> kept = new LinkedHashSet<>(rows.keySet());
    kept.remove(new Key(OTHER, OTHER));
    shown = kept;
    overflow.set(samples.size() - kept.size());
    List<MultiGauge.Row<?>> messageRows = new ArrayList<>(rows.size());
    List<MultiGauge.Row<?>> secondRows = new ArrayList<>(rows.size());
    rows.forEach((key, sample) -> {
      Tags tags = Tags.of("topic", key.topic(), "subscription", key.subscription());
      messageRows.add(MultiGauge.Row.of(tags, sample.messages()));
      secondRows.add(MultiGauge.Row.of(tags, sample.seconds()));
    });
    messages.register(messageRows, true);
    seconds.register(secondRows, true);
  }

  /**
   * The series to export: the subscriptions shown last round that are still sampled, then new ones in the samples'
   * order, {@code max} at most; the rest merged into one {@code (_other, _other)} entry.
   */
  static Map<Key, Sample> cap(Set<Key> shownBefore, Map<Key, Sample> samples, int max) {
    Map<Key, Sample> rows = new LinkedHashMap<>();
    for (Key key : shownBefore) {
      Sample sample = samples.get(key);
      if (sample != null && rows.size() < max) {
        rows.put(key, sample);
      }
    }
    Sample rest = null;
    for (Map.Entry<Key, Sample> e : samples.entrySet()) {
      if (rows.containsKey(e.getKey())) {
        continue;
      }
      if (rows.size() < max) {
        rows.put(e.getKey(), e.getValue());
      } else {
        rest = rest == null ? e.getValue() : rest.merge(e.getValue());
      }
    }
    if (rest != null) {
      rows.put(new Key(OTHER, OTHER), rest);
    }
    return rows;
  }
}
