package io.pulsarproxy.http.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.HttpConsumerConfig;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.topic.Topic;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated query strings and bodies of the consume API: each request is parsed or refused with a 400 whose details
 * name the fields, and a query with a parameter its endpoint does not take is always refused, naming it.
 */
class ConsumeRequestsPropertyTest {
  private static final HttpConsumerConfig LIMITS = ConfigLoader.build(new JsonObject()
      .put("httpConsumer", new JsonObject().put("maxMessages", 50).put("maxWait", "2s"))).httpConsumer();
  private static final Topic TOPIC = Topic.parse("persistent://public/default/t");
  private static final Set<String> STREAM = names("ack", "subscriptionType", "initialPosition", "receiverQueueSize",
      "ackTimeoutMs", "negativeAckRedeliveryDelayMs", "deadLetterMaxRedeliverCount", "deadLetterTopic", "format",
      "name");
  private static final Set<String> READ = names("from", "max", "waitMs", "format");
  private static final Set<String> POLL = names("max", "waitMs");

  @Property(tries = 3000, seed = "20261201")
  void aStreamQueryIsParsedOrRefusedNamingTheParameter(@ForAll("streamQueries") List<Tuple2<String, String>> query) {
    check(query, STREAM, q -> ConsumeRequests.stream(TOPIC, "sub", q, LIMITS));
  }

  @Property(tries = 3000, seed = "20261201")
  void aReadQueryIsParsedOrRefusedNamingTheParameter(@ForAll("readQueries") List<Tuple2<String, String>> query) {
    check(query, READ, q -> ConsumeRequests.read(TOPIC, q, LIMITS));
  }

  @Property(tries = 3000, seed = "20261201")
  void aPollQueryIsParsedOrRefusedNamingTheParameter(@ForAll("pollQueries") List<Tuple2<String, String>> query) {
    check(query, POLL, q -> ConsumeRequests.poll(q, LIMITS));
  }

  @Property(tries = 3000, seed = "20261201")
  void aSubscriptionBodyIsParsedOrRefusedWithA400(@ForAll("bodies") JsonObject body) {
    try {
      ConsumeRequests.Subscribe s = ConsumeRequests.subscribe(body, LIMITS);
      assertThat(s.spec()).isNotNull();
      assertThat(s.spec().subscription()).isNotBlank();
      Statistics.collect("parsed");
    } catch (ProxyException e) {
      assertIsANamed400(e);
      Statistics.collect("refused");
    }
  }

  private static void check(List<Tuple2<String, String>> pairs, Set<String> known,
      Function<MultiMap, Object> parse) {
    MultiMap query = MultiMap.caseInsensitiveMultiMap();
    pairs.forEach(p -> query.add(p.get1(), p.get2()));
    Set<String> unknown = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    // A parameter without a name (?=x) is reported as a problem of the query
    query.names().stream().filter(n -> !known.contains(n)).map(n -> n.isBlank() ? "query" : n)
        .forEach(unknown::add);
    try {
      assertThat(parse.apply(query)).isNotNull();
      assertThat(unknown).as("unknown parameters").isEmpty();
      Statistics.collect("parsed");
    } catch (ProxyException e) {
      assertIsANamed400(e);
      Set<String> named = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      e.details().forEach(d -> named.add(d.field()));
      assertThat(named).containsAll(unknown);
      Statistics.collect(unknown.isEmpty() ? "refused: a bad value" : "refused: an unknown parameter");
    }
  }

  private static void assertIsANamed400(ProxyException e) {
    assertThat(e.code().httpStatus()).isEqualTo(400);
    assertThat(e.details()).isNotEmpty().allSatisfy(d -> {
      assertThat(d.field()).isNotBlank();
      assertThat(d.message()).isNotBlank();
      assertThat(d.message()).doesNotStartWith(d.field() + ":");
    });
    assertThat(e.getMessage()).startsWith(e.details().get(0).field() + ": ");
  }

  private static Set<String> names(String... names) {
    Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(List.of(names));
    return set;
  }

  // ---- generators ----

  @Provide
  Arbitrary<List<Tuple2<String, String>>> streamQueries() {
    return queries(STREAM);
  }

  @Provide
  Arbitrary<List<Tuple2<String, String>>> readQueries() {
    return queries(READ);
  }

  @Provide
  Arbitrary<List<Tuple2<String, String>>> pollQueries() {
    return queries(POLL);
  }

  /** Mostly the endpoint's own parameters, some of the others', misspelt, empty and arbitrary names. */
  private static Arbitrary<List<Tuple2<String, String>>> queries(Set<String> known) {
    Arbitrary<String> name = Arbitraries.frequencyOf(
        Tuple.of(30, Arbitraries.of(known.toArray(String[]::new))),
        Tuple.of(1, Arbitraries.of(STREAM.toArray(String[]::new))),
        Tuple.of(1, Arbitraries.of("from", "max", "waitMs")),
        Tuple.of(1, Arbitraries.of("intialPosition", "MAX", "limit", "wait", "topic", "", "ack ", "unsubscribe")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(12)));
    Arbitrary<String> value = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of("Earliest", "Latest", "earliest", "latest", "Shared", "Key_Shared", "Failover",
            "Exclusive", "json", "text", "base64", "auto", "client", "true", "0", "1", "5", "49", "50", "51", "1000",
            "2000", "2001", "-1", "1.5", "99999999999999999999", "CAEQAjAA", "1700000000000",
            "persistent://public/default/dlq", "orders", "persistent://a b/ns/t", "")),
        Tuple.of(2, Arbitraries.strings().withChars("0123456789-+ .e").ofMaxLength(22)),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(20)));
    return Combinators.combine(name, value).as(Tuple::of).list().ofMaxSize(5);
  }

  @Provide
  Arbitrary<JsonObject> bodies() {
    Arbitrary<Object> topic = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of("persistent://public/default/t", "non-persistent://t/n/x-partition-0")),
        Tuple.of(2, Arbitraries.of("orders", "persistent://public/default/a b", "persistent://a..b/ns/t",
            "persistent://public/default/", "persistent://", "://", "")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(30)),
        Tuple.of(1, Arbitraries.of(1, true, new JsonArray(), new JsonObject())));
    Arbitrary<Object> any = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(10).map(s -> (Object) s),
        Arbitraries.of("Earliest", "Shared", "json", "[", "(?", "x-.*").map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.integers().between(-2, 2000).map(i -> (Object) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        topic.list().ofMaxSize(3).map(l -> (Object) new JsonArray(new java.util.ArrayList<>(l))),
        Arbitraries.just(new JsonObject().put("maxRedeliverCount", 3)),
        Arbitraries.just(new JsonObject().put("topic", "x")),
        Arbitraries.just(null));
    Arbitrary<String> field = Arbitraries.of("topics", "topicsPattern", "subscriptionType", "initialPosition",
        "receiverQueueSize", "ackTimeoutMs", "negativeAckRedeliveryDelayMs", "deadLetter", "format", "name");
    Arbitrary<List<Tuple2<String, Object>>> extras = Combinators.combine(field, any).as(Tuple::of).list()
        .ofMaxSize(2);
    return Combinators.combine(topic.injectNull(0.2), Arbitraries.of("sub", "", " ").injectNull(0.1), extras)
        .as((t, sub, more) -> {
          JsonObject body = new JsonObject();
          if (t != null) {
            body.put("topic", t);
          }
          if (sub != null) {
            body.put("subscription", sub);
          }
          more.forEach(p -> body.put(p.get1(), p.get2()));
          return body;
        });
  }
}
