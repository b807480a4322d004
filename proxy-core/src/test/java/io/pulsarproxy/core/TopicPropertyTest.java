package io.pulsarproxy.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.topic.Topic;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.apache.pulsar.common.naming.TopicName;

/**
 * Generated and mutated topic names: every name is either a topic that Pulsar reads exactly as the proxy does, or
 * refused with {@code INVALID_TOPIC} (400) naming the bad part; no other exception.
 */
class TopicPropertyTest {
  private static final Set<String> PARTS = Set.of("domain", "tenant", "namespace", "topic");

  @Property(tries = 5000, seed = "20261201")
  void eachPartIsAcceptedAsPulsarReadsItOrRefusedByName(@ForAll("domains") String domain,
      @ForAll("segments") String tenant, @ForAll("segments") String namespace, @ForAll("locals") String local) {
    Topic topic;
    try {
      topic = Topic.of(domain, tenant, namespace, local);
    } catch (ProxyException e) {
      assertRefusedByName(e);
      Statistics.collect("refused");
      return;
    }
    Statistics.collect("accepted");
    TopicName pulsar = TopicName.get(topic.fullName());
    assertThat(pulsar.getDomain().value()).isEqualTo(domain);
    assertThat(pulsar.getTenant()).isEqualTo(tenant);
    assertThat(pulsar.getNamespacePortion()).isEqualTo(namespace);
    assertThat(pulsar.getLocalName()).isEqualTo(local);
    assertThat(pulsar.toString()).isEqualTo(topic.fullName());
    assertThat(Topic.parse(topic.fullName())).isEqualTo(topic);
  }

  @Property(tries = 5000, seed = "20261201")
  void anyFullNameIsParsedToTheSameNameOrRefused(@ForAll("fullNames") String fullName) {
    Topic topic;
    try {
      topic = Topic.parse(fullName);
    } catch (ProxyException e) {
      assertRefusedByName(e);
      Statistics.collect("refused");
      return;
    }
    Statistics.collect("accepted");
    assertThat(topic.fullName()).isEqualTo(fullName);
    assertThat(TopicName.get(fullName).toString()).isEqualTo(fullName);
  }

  private static void assertRefusedByName(ProxyException e) {
    assertThat(e.code().httpStatus()).isEqualTo(400);
    assertThat(e.details()).isNotEmpty();
    assertThat(e.details()).allSatisfy(d -> {
      assertThat(PARTS).contains(d.field());
      assertThat(d.message()).isNotBlank();
    });
    assertThat(e.getMessage()).startsWith(e.details().get(0).field() + ": ");
  }

  @Provide
  Arbitrary<String> domains() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.of("persistent", "non-persistent")),
        Tuple.of(1, Arbitraries.of("Persistent", "durable", "", "persistent ", "persistent:")));
  }

  /** Mostly the characters that matter (valid ones, separators, dots, escapes, spaces), some anything at all. */
  @Provide
  Arbitrary<String> segments() {
    return Arbitraries.frequencyOf(
        Tuple.of(20, Arbitraries.strings().withChars("abZ09-=:._").ofMaxLength(8)),
        Tuple.of(3, Arbitraries.strings().withChars("ab-._/% 2F\t\né?#").ofMaxLength(8)),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(8)));
  }

  @Provide
  Arbitrary<String> locals() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, segments()),
        Tuple.of(2, Combinators.combine(segments(), segments()).as((a, b) -> a + "/" + b)),
        Tuple.of(1, segments().map(s -> s + "-partition-1")));
  }

  /** Valid names, names mutated by one inserted, deleted or replaced character, and arbitrary text. */
  @Provide
  Arbitrary<String> fullNames() {
    Arbitrary<String> valid = Combinators.combine(domains(), segments(), segments(), locals())
        .as((d, t, n, l) -> d + "://" + t + "/" + n + "/" + l);
    Arbitrary<String> mutated = Combinators.combine(valid, Arbitraries.integers().between(0, 1000),
            Arbitraries.of('/', '.', ':', '%', ' ', 'a', '\u0000', 'é'), Arbitraries.of(0, 1, 2))
        .as((s, at, c, how) -> mutate(s, at, c, how));
    return Arbitraries.oneOf(valid, mutated, Arbitraries.strings().ofMaxLength(40));
  }

  static String mutate(String s, int at, char c, int how) {
    int i = s.isEmpty() ? 0 : at % s.length();
    return switch (how) {
      case 0 -> s.substring(0, i) + c + s.substring(i);
      case 1 -> s.isEmpty() ? s : s.substring(0, i) + s.substring(i + 1);
      default -> s.isEmpty() ? String.valueOf(c) : s.substring(0, i) + c + s.substring(i + 1);
    };
  }
}
