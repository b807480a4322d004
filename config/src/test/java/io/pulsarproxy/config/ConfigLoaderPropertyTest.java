package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * Generated and mutated configuration files and environments: each gives a configuration or a
 * {@link ConfigException} whose problems each name the key or the file; nothing else escapes the loader.
 */
class ConfigLoaderPropertyTest {
  private static final List<String> KEYS = ConfigLoader.keys();

  @Property(tries = 3000, seed = "20261201")
  void aFileIsLoadedOrRefusedNamingTheKey(@ForAll("files") String yaml) {
    try {
      ProxyConfig config = ConfigLoader.build(ConfigLoader.merge(ConfigLoader.parseYaml(yaml, "proxy.yaml"), Map.of(),
          new Properties()));
      assertThat(config).isNotNull();
      Statistics.collect("loaded");
    } catch (ConfigException e) {
      assertNamesTheKeyOrTheFile(e);
      Statistics.collect("refused");
    }
  }

  @Property(tries = 3000, seed = "20261201")
  void anEnvironmentIsLoadedOrRefusedNamingTheKey(@ForAll("environments") Map<String, String> env) {
    try {
      ProxyConfig config = ConfigLoader.build(ConfigLoader.merge(null, env, new Properties()));
      assertThat(config).isNotNull();
      Statistics.collect("loaded");
    } catch (ConfigException e) {
      assertNamesTheKeyOrTheFile(e);
      Statistics.collect("refused");
    }
  }

  /** Each problem starts with what it is about: the file, a key, or the unknown name found in the input. */
  private static void assertNamesTheKeyOrTheFile(ConfigException e) {
    assertThat(e.problems()).isNotEmpty().allSatisfy(problem -> {
      int colon = problem.indexOf(": ");
      assertThat(colon).as("names what it is about: %s", problem).isPositive();
      assertThat(problem.substring(colon + 2)).isNotBlank();
    });
    assertThat(e.getMessage()).startsWith("invalid configuration");
  }

  // ---- generators ----

  private static Arbitrary<String> values() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of("0", "1", "8088", "65536", "-1", "1000", "2147483648", "30s", "1ms", "5m", "0s",
            "100ms", "5MB", "1KB", "0B", "1TB", "512", "true", "false", "yes", "NONE", "LZ4", "INFO", "debug",
            "pulsar://localhost:6650", "pulsar+ssl://a:1,b:2", "http://x", "persistent://public/default/p",
            "\"\"", "~", "null", "1.5", "1e99", "0x10", "[]", "{}", "[a, b]", "{a: b}", "\"30 s\"", "'5 MB'")),
        Tuple.of(1, Arbitraries.of("!!binary aGk=", "&a x", "*a", "[", "{", "\"", "'", ": :", "- x", "|", ">",
            "!!java.io.File /tmp", "!!set {a}", "@x", "`x`", "%x")),
        Tuple.of(1, Arbitraries.strings().withChars("0123456789smhdKMGBb.-+ ").ofMaxLength(8)),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(8)));
  }

  /** Files made of the real sections and keys with values of every kind, mutated files and arbitrary text. */
  @Provide
  Arbitrary<String> files() {
    Arbitrary<Tuple2<String, String>> entry = Combinators.combine(Arbitraries.frequencyOf(
            Tuple.of(10, Arbitraries.of(KEYS.toArray(String[]::new))),
            Tuple.of(1, Arbitraries.of("http.prot", "nosuch.key", "http", "log.loggers.io.vertx", "pulsar.serviceUrls"))),
        values()).as(Tuple::of);
    Arbitrary<String> good = entry.list().ofMaxSize(6).map(ConfigLoaderPropertyTest::yaml);
    Arbitrary<String> mutated = Combinators.combine(good, Arbitraries.integers().between(0, 10_000),
            Arbitraries.of(':', ' ', '\n', '\t', '-', '#', '"', '&', '*', '!', '{', '['), Arbitraries.of(0, 1, 2))
        .as(ConfigLoaderPropertyTest::mutate);
    Arbitrary<String> odd = Arbitraries.of("", "---", "--- !!map {}", "a", "[1, 2]", "http: 1", "http: [1]",
        "http:\n  port: 1\nhttp:\n  port: 2", "a: &x [*x]", "x: &a [1]\ny: *a\nz: *a",
        "http: &h {port: 1}\nmanagement: *h", "http: &h {a: [{b: *h}]}", "? &k [[*k]]\n: 1", "? [a]\n: b",
        "http:\n  port: !!int 1", "...\n---\n...");
    return Arbitraries.frequencyOf(Tuple.of(5, good), Tuple.of(4, mutated), Tuple.of(1, odd),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(40)));
  }

  @Provide
  Arbitrary<Map<String, String>> environments() {
    Arbitrary<String> name = Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.of(KEYS.toArray(String[]::new)).map(ConfigLoader::envVarName)),
        Tuple.of(1, Arbitraries.of("PROXY_HTTP_PROT", "PROXY_", "PATH", "PROXY_LOG_LOGGERS")));
    return Combinators.combine(name, values()).as(Tuple::of).list().ofMaxSize(5).map(pairs -> {
      Map<String, String> env = new HashMap<>();
      pairs.forEach(p -> env.put(p.get1(), p.get2()));
      return env;
    });
  }

  /** {@code section:\n  key: value} for each entry, sections in order of first appearance. */
  static String yaml(List<Tuple2<String, String>> entries) {
    Map<String, StringBuilder> sections = new LinkedHashMap<>();
    for (Tuple2<String, String> e : entries) {
      int dot = e.get1().indexOf('.');
      String section = dot < 0 ? e.get1() : e.get1().substring(0, dot);
      String key = dot < 0 ? "x" : e.get1().substring(dot + 1);
      sections.computeIfAbsent(section, s -> new StringBuilder()).append("  ").append(key).append(": ")
          .append(e.get2()).append('\n');
    }
    StringBuilder out = new StringBuilder();
    sections.forEach((s, body) -> out.append(s).append(":\n").append(body));
    return out.toString();
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
