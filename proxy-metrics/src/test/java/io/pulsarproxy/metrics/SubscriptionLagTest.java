package io.pulsarproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulsarproxy.metrics.SubscriptionLag.Key;
import io.pulsarproxy.metrics.SubscriptionLag.Sample;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cap on lag series: who keeps a series, what the rest add up to, and what the overflow gauge says. */
class SubscriptionLagTest {
  private static final Key A = new Key("t", "a");
  private static final Key B = new Key("t", "b");
  private static final Key C = new Key("t", "c");
  private static final Key D = new Key("u", "d");
  private static final Key OTHER = new Key(SubscriptionLag.OTHER, SubscriptionLag.OTHER);

  private static Map<Key, Sample> samples(Object... keysAndSamples) {
    Map<Key, Sample> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndSamples.length; i += 2) {
      map.put((Key) keysAndSamples[i], (Sample) keysAndSamples[i + 1]);
    }
    return map;
  }

  @Test
  void belowTheCapEverySubscriptionHasItsOwnSeries() {
    Map<Key, Sample> rows = SubscriptionLag.cap(Set.of(), samples(A, new Sample(1, 1), B, new Sample(2, 2)), 2);

    assertThat(rows).containsExactly(Map.entry(A, new Sample(1, 1)), Map.entry(B, new Sample(2, 2)));
  }

  @Test
  void beyondTheCapTheRestIsSummedIntoOneSeriesWithTheLargestSeconds() {
    Map<Key, Sample> rows = SubscriptionLag.cap(Set.of(),
        samples(A, new Sample(1, 1), B, new Sample(2, 9), C, new Sample(3, 4), D, new Sample(5, 7)), 2);

    assertThat(rows).containsExactly(Map.entry(A, new Sample(1, 1)), Map.entry(B, new Sample(2, 9)),
        Map.entry(OTHER, new Sample(8, 7)));
  }

  @Test
  void aSubscriptionShownBeforeKeepsItsSeriesAheadOfNewOnes() {
    Map<Key, Sample> rows = SubscriptionLag.cap(Set.of(C),
        samples(A, new Sample(1, 1), B, new Sample(2, 2), C, new Sample(3, 3)), 2);

    assertThat(rows.keySet()).containsExactly(C, A, OTHER);
    assertThat(rows.get(OTHER)).isEqualTo(new Sample(2, 2));
  }

  @Test
  void aSubscriptionNoLongerSampledGivesItsPlaceUp() {
    Map<Key, Sample> rows = SubscriptionLag.cap(Set.of(A, B), samples(B, new Sample(2, 2), C, new Sample(3, 3)), 2);

    assertThat(rows.keySet()).containsExactly(B, C);
  }

  @Test
  void publishesTheCappedSeriesAndCountsTheSubscriptionsFoldedIn() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SubscriptionLag lag = new SubscriptionLag(registry, 1);

    lag.publish(samples(A, new Sample(4, 2.5), B, new Sample(6, 1), C, new Sample(1, 8)));

    assertThat(registry.get("pulsar_proxy_consumer_lag_messages").tags("topic", "t", "subscription", "a")
        .gauge().value()).isEqualTo(4);
    assertThat(registry.get("pulsar_proxy_consumer_lag_messages")
        .tags("topic", SubscriptionLag.OTHER, "subscription", SubscriptionLag.OTHER).gauge().value()).isEqualTo(7);
    assertThat(registry.get("pulsar_proxy_consumer_lag").tags("subscription", SubscriptionLag.OTHER)
        .gauge().value()).isEqualTo(8);
    assertThat(registry.get("pulsar_proxy_consumer_lag_messages").gauges()).hasSize(2);
    assertThat(registry.get("pulsar_proxy_consumer_lag_overflow").gauge().value()).isEqualTo(2);

    lag.publish(samples(B, new Sample(0, 0)));

    Gauge b = registry.get("pulsar_proxy_consumer_lag_messages").tags("subscription", "b").gauge();
    assertThat(b.value()).isZero();
    assertThat(registry.get("pulsar_proxy_consumer_lag_messages").gauges()).hasSize(1);
    assertThat(registry.get("pulsar_proxy_consumer_lag_overflow").gauge().value()).isZero();
  }
}
