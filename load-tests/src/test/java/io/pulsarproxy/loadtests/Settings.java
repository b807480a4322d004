package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.forAll;

import io.gatling.javaapi.core.Assertion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Simulation parameters, read from system properties ({@code -Dname=value} on the Maven or java command line).
 *
 * <p>Every simulation prints the values it runs with, so a report can be matched to its settings. Names shared by
 * all simulations: {@code baseUrl} (HTTP, default {@code http://localhost:8088}), {@code wsUrl} (default: baseUrl
 * with ws:// instead of http://), {@code namespace} ({@code public/default}), {@code topic}, {@code duration}
 * ({@code 30s}, {@code 2m}, {@code 500ms}; a bare number is seconds), {@code payloadSize} (bytes), {@code rate}
 * (messages per second in all, {@code 0} for as fast as the users go), and the pass criteria {@code maxErrorPct}
 * and {@code p99Ms}.
 */
final class Settings {

  private final String simulation;
  private final Map<String, Object> used = new LinkedHashMap<>();

  Settings(String simulation) {
    this.simulation = simulation;
  }

  String string(String name, String defaultValue) {
    String value = System.getProperty(name);
    String result = value == null || value.isBlank() ? defaultValue : value.trim();
    used.put(name, result);
    return result;
  }

  int integer(String name, int defaultValue) {
    String value = string(name, Integer.toString(defaultValue));
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + ": not an integer: " + value, e);
    }
  }

  double decimal(String name, double defaultValue) {
    String value = string(name, Double.toString(defaultValue));
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + ": not a number: " + value, e);
    }
  }

  boolean flag(String name, boolean defaultValue) {
    return Boolean.parseBoolean(string(name, Boolean.toString(defaultValue)));
  }

  Duration duration(String name, String defaultValue) {
    String value = string(name, defaultValue).toLowerCase(Locale.ROOT);
    try {
      if (value.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      }
      if (value.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
      }
      if (value.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + ": not a duration (30s, 2m, 500ms): " + value, e);
    }
  }

  /** The proxy's HTTP base URL, without a trailing slash. */
  String baseUrl() {
    return stripSlash(string("baseUrl", "http://localhost:8088"));
  }

  /** The WebSocket base URL, without a trailing slash: {@code wsUrl}, else {@code baseUrl} with a ws scheme. */
  String wsUrl() {
    String base = baseUrl();
    String derived = base.startsWith("https://") ? "wss://" + base.substring(8)
        : base.startsWith("http://") ? "ws://" + base.substring(7) : base;
    return stripSlash(string("wsUrl", derived));
  }

  /** {@code persistent/<tenant>/<namespace>/<topic>}: the topic part of REST and WebSocket paths. */
  String topicPath(String topic) {
    return "persistent/" + string("namespace", "public/default") + "/" + topic;
  }

  /** The full topic name, {@code persistent://tenant/namespace/topic}. */
  String topicName(String topic) {
    return "persistent://" + string("namespace", "public/default") + "/" + topic;
  }

  /**
   * Pass criteria: at most {@code maxErrorPct} percent failed for every request name, the 99th percentile of each
   * {@code timed} request at most {@code p99Ms}, and at least one success for each of {@code timed} and
   * {@code counted} (a run that did nothing must not pass).
   */
  List<Assertion> assertions(List<String> timed, List<String> counted) {
    double maxErrorPct = decimal("maxErrorPct", 0.1);
    int p99Ms = integer("p99Ms", 1000);
    List<Assertion> assertions = new ArrayList<>();
    assertions.add(forAll().failedRequests().percent().lte(maxErrorPct));
    for (String request : timed) {
      assertions.add(details(request).responseTime().percentile(99.0).lte(p99Ms));
      assertions.add(details(request).successfulRequests().count().gt(0L));
    }
    for (String request : counted) {
      assertions.add(details(request).successfulRequests().count().gt(0L));
    }
    return assertions;
  }

  /** Prints the settings this simulation read; call after reading them all. */
  void print() {
    StringBuilder line = new StringBuilder(simulation).append(" settings:");
    used.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
    System.out.println(line);
  }

  /** Standard base64 of {@code size} pseudo-random bytes (fixed seed: the same payload in every run). */
  static String payloadBase64(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** How long one user waits between iterations so that {@code users} together reach {@code perSecond}. */
  static Duration pace(int users, int perIteration, double perSecond) {
    return Duration.ofNanos((long) (users * (double) perIteration / perSecond * 1_000_000_000L));
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
