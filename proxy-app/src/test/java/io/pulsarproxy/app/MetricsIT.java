package io.pulsarproxy.app;

import static io.pulsarproxy.app.ConsumeHttp.ids;
import static io.pulsarproxy.app.ConsumeHttp.subscription;
import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

@ExtendWith(PulsarExtension.class)
class MetricsIT {
  /** Sampled often, so that the lag follows the test within a second. */
  private static final JsonObject FAST_SAMPLES = cfg("management", "lagInterval", "200ms")
      .mergeIn(cfg("pulsar", "statsInterval", "1s"));

  @Test
  void exportsProxyAndHttpServerMetricsInPrometheusFormat(PulsarBroker broker, @TempDir Path dir) throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), new JsonObject())) {
      String topic = broker.uniqueTopic("metrics");
      assertThat(proxy.postJson(producePath(topic), "{\"messages\":[{\"text\":\"abc\"},{\"text\":\"de\"}]}")
          .statusCode()).isEqualTo(200);
      assertThat(proxy.postJson(producePath(topic), "{\"messages\":[]}").statusCode()).isEqualTo(400);

      // The GC pause timer appears with the first collection after the binder started: a quiet JVM may have none.
      System.gc();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        HttpResponse<String> metrics = proxy.get(proxy.managementUrl("/metrics"));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
            .contains("pulsar_proxy_messages_produced_total{outcome=\"ok\"} 2.0")
            .contains("pulsar_proxy_bytes_produced_bytes_total{outcome=\"ok\"} 5.0")
            .contains("pulsar_proxy_produce_latency_seconds_bucket")
            .contains("pulsar_proxy_producers_cached 1.0")
            .contains("pulsar_proxy_broker_up 1.0")
            .contains("pulsar_proxy_broker_state{state=\"UP\"} 1.0")
            .contains("pulsar_proxy_requests_rejected_total{code=\"bad_request\"} 1.0")
            .contains("pulsar_proxy_http_errors_total{code=\"bad_request\","
                + "route=\"/api/v1/topics/:domain/:tenant/:namespace/:topic/messages\"} 1.0")
            .contains("vertx_http_server_requests_total")
            .contains("jvm_memory_used_bytes{area=\"heap\"")
            .contains("jvm_gc_pause_seconds")
            .contains("process_cpu_usage")
            .contains("process_files_open_files");
      });
    }
  }

  @Test
  void lagRisesWhileAConsumerDoesNotAcknowledgeAndReturnsToZeroOnceItDoes(PulsarBroker broker, @TempDir Path dir)
      throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), FAST_SAMPLES)) {
      ConsumeHttp http = new ConsumeHttp(proxy);
      String topic = broker.uniqueTopic("lag");
      String id = http.create(subscription(topic, "lagging", "Exclusive"));
      Map<String, String> series = Map.of("topic", topic, "subscription", "lagging");
      await().atMost(Duration.ofSeconds(90))
          .untilAsserted(() -> assertThat(value(scrape(proxy), "pulsar_proxy_consumer_lag_messages", series)).isZero());

      produceOneByOne(proxy, topic, 5);
      List<JsonObject> firstFive = http.pollUntil(id, 5);
      assertThat(firstFive).extracting(MetricsIT::text).containsExactly("m0", "m1", "m2", "m3", "m4");
      // Handed out, not acknowledged.
      await().atMost(Duration.ofSeconds(90))
          .untilAsserted(() -> assertThat(value(scrape(proxy), "pulsar_proxy_consumer_lag_messages", series))
              .isEqualTo(5));
      // Three more wait at the broker: the consumer asks for none.
      produceOneByOne(proxy, topic, 3);
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        String scrape = scrape(proxy);
        assertThat(value(scrape, "pulsar_proxy_consumer_lag_messages", series)).isEqualTo(8);
        assertThat(value(scrape, "pulsar_proxy_consumer_lag_seconds", series)).isGreaterThan(0);
      });
      // What the broker itself counts: the same 8 (one entry per message, none acknowledged).
      assertThat(ConsumeHttp.backlog(broker, topic, "lagging")).isEqualTo(8);

      List<JsonObject> lastThree = http.pollUntil(id, 3);
      assertThat(lastThree).extracting(MetricsIT::text).containsExactly("m0", "m1", "m2");
      List<String> all = new ArrayList<>(ids(firstFive));
      all.addAll(ids(lastThree));
      http.ack(id, all);

      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        String scrape = scrape(proxy);
        assertThat(value(scrape, "pulsar_proxy_consumer_lag_messages", series)).isZero();
        assertThat(value(scrape, "pulsar_proxy_consumer_lag_seconds", series)).isZero();
        // From the Pulsar client's own statistics, counted every pulsar.statsInterval.
        assertThat(value(scrape, "pulsar_proxy_pulsar_messages_sent_total", Map.of())).isEqualTo(8);
        assertThat(value(scrape, "pulsar_proxy_pulsar_messages_received_total", Map.of())).isEqualTo(8);
        assertThat(value(scrape, "pulsar_proxy_pulsar_acks_total", Map.of())).isEqualTo(8);
      });
      assertThat(ConsumeHttp.backlog(broker, topic, "lagging")).isZero();
    }
  }

  /**
   * Every metric name the Grafana dashboard and the alert rules use is in a scrape of a proxy that produced and
   * consumed, so that a panel or rule with a misspelt or removed name fails the build.
   */
  @Test
  void everyMetricOfTheDashboardAndTheAlertsIsExported(PulsarBroker broker, @TempDir Path dir) throws Exception {
    Path deploy = Path.of("..", "deploy");
    Set<String> used = new TreeSet<>();
    for (String expr : dashboardExpressions(Files.readString(deploy.resolve("grafana/pulsar-proxy.json")))) {
      used.addAll(metricNames(expr));
    }
    for (String expr : ruleExpressions(Files.readString(deploy.resolve("prometheus/alerts.yml")))) {
      used.addAll(metricNames(expr));
    }
    assertThat(used).as("metric names found in the dashboard and the rules").hasSizeGreaterThan(20);
    // Prometheus's own series of each target, not in the proxy's scrape.
    used.remove("up");

    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), FAST_SAMPLES)) {
      ConsumeHttp http = new ConsumeHttp(proxy);
      String topic = broker.uniqueTopic("dashboard");
      String id = http.create(subscription(topic, "dashboard", "Shared").put("negativeAckRedeliveryDelayMs", 100));
      produceOneByOne(proxy, topic, 2);
      http.nack(id, ids(http.pollUntil(id, 2)));
      http.ack(id, ids(http.pollUntil(id, 2)));
      assertThat(proxy.postJson(producePath(topic), "{\"messages\":[]}").statusCode()).isEqualTo(400);

      // The GC pause timer appears with the first collection after the binder started.
      System.gc();
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        Set<String> exported = exportedNames(scrape(proxy));
        assertThat(used).allSatisfy(name -> assertThat(exported).as("exported metric names").contains(name));
      });
    }
  }

  private static void produceOneByOne(ProxyFixture proxy, String topic, int count) {
    for (int i = 0; i < count; i++) {
      // One request each: one entry each in the topic (a batch would count as one entry at the broker).
      assertThat(proxy.postJson(producePath(topic), "{\"messages\":[{\"text\":\"m" + i + "\"}]}").statusCode())
          .isEqualTo(200);
    }
  }

  private static String text(JsonObject message) {
    return new String(Base64.getDecoder().decode(message.getString("payload")), StandardCharsets.UTF_8);
  }

  private static String scrape(ProxyFixture proxy) {
    HttpResponse<String> response = proxy.get(proxy.managementUrl("/metrics"));
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of the sample {@code name} whose labels include {@code labels}; fails when there is none. */
  static double value(String scrape, String name, Map<String, String> labels) {
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      if (labels.entrySet().stream().allMatch(l -> line.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no sample " + name + labels + " in the scrape");
  }

  /** The names of the samples in a Prometheus text scrape. */
  static Set<String> exportedNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** Every {@code expr} of the dashboard's panels (and of its templating queries). */
  static List<String> dashboardExpressions(String json) {
    List<String> exprs = new ArrayList<>();
    collect(new JsonObject(json).getMap(), exprs);
    return exprs;
  }

  /** Every {@code expr} of the rule file's groups. */
  static List<String> ruleExpressions(String yaml) {
    List<String> exprs = new ArrayList<>();
    collect(new Yaml().load(yaml), exprs);
    return exprs;
  }

  private static void collect(Object node, List<String> exprs) {
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        if ("expr".equals(k) && v instanceof String s) {
          exprs.add(s);
        } else {
          collect(v, exprs);
        }
      });
    } else if (node instanceof List<?> list) {
      list.forEach(item -> collect(item, exprs));
    }
  }

  private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");

  /**
   * The metric names in a PromQL expression: identifiers that are not functions (followed by {@code (}), keywords,
   * label names (inside {@code {…}} or a {@code by (…)} list), strings, durations or Grafana variables.
   */
  static Set<String> metricNames(String expr) {
    String bare = expr
        .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\$\\{?\\w+}?", " ")
        .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(bare);
    while (m.find()) {
      String word = m.group(1);
      if (m.group(2) == null && !PROMQL_WORDS.contains(word.toLowerCase())) {
        names.add(word);
      }
    }
    return names;
  }
}
