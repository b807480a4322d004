package io.pulsarproxy.loadtests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client of {@code bench.sh --cluster-compare}: an HTTP consumer instance created on the owner node, used through
 * the owner or through another node of the cluster.
 *
 * <ul>
 *   <li>{@code latency}: a backlog of {@code --messages} messages produced through the owner, then one message per
 *       poll ({@code max=1}) and its ack, alternately through the owner and through {@code --via}, each poll + ack
 *       timed (the first {@code --warmup} not counted). Prints {@code LATENCY <node> <n> <p50_ms> <p99_ms>} for
 *       {@code owner} and {@code via}.
 *   <li>{@code consume}: {@code --messages} messages produced through the owner in requests of 100, then polled
 *       ({@code max=100}) and acked through {@code --via} (the owner itself for the one-node arm) until all came.
 *       Prints {@code CONSUMED <n> POLLS <polls>} (each poll is followed by one ack); bench.sh measures the proxies'
 *       CPU around it.
 * </ul>
 *
 * <pre>
 * java -cp … io.pulsarproxy.loadtests.ClusterCompareLoad --mode latency|consume --owner http://127.0.0.1:8088
 *     --via http://127.0.0.1:8090 --topic persistent://public/default/t [--messages 2000] [--warmup 200] [--size 100]
 * </pre>
 */
public final class ClusterCompareLoad {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(TIMEOUT).build();

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    ClusterCompareLoad load = new ClusterCompareLoad();
    String owner = opts.get("owner");
    String via = opts.get("via");
    String topic = opts.get("topic");
    int messages = Integer.parseInt(opts.getOrDefault("messages", "2000"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "200"));
    int size = Integer.parseInt(opts.getOrDefault("size", "100"));
    switch (opts.getOrDefault("mode", "latency")) {
      case "latency" -> load.latency(owner, via, topic, messages, warmup, size);
      case "consume" -> load.consume(owner, via, topic, messages, size);
      default -> throw new IllegalArgumentException("--mode latency or consume");
    }
  }

  private void latency(String owner, String via, String topic, int messages, int warmup, int size)
      throws Exception {
    String instance = create(owner, topic, "bench-latency");
    produce(owner, topic, warmup + messages, size);
    Map<String, List<Double>> timings = Map.of("owner", new ArrayList<>(), "via", new ArrayList<>());
    for (int i = 0; i < warmup + messages; i++) {
      boolean throughOwner = i % 2 == 0;
      String base = throughOwner ? owner : via;
      long start = System.nanoTime();
      JsonArray polled = new JsonArray(call(get(base + "/api/v1/consumers/" + instance + "/messages?max=1&waitMs=5000"),
          200));
      if (polled.isEmpty()) {
        throw new IllegalStateException("poll " + i + " answered no message");
      }
      ack(base, instance, polled);
      double ms = (System.nanoTime() - start) / 1e6;
      if (i >= warmup) {
        timings.get(throughOwner ? "owner" : "via").add(ms);
      }
    }
    delete(owner, instance);
    for (String node : List.of("owner", "via")) {
      List<Double> t = timings.get(node);
      Collections.sort(t);
      System.out.printf("LATENCY %s %d %.3f %.3f%n", node, t.size(), t.get(t.size() / 2),
          t.get(Math.min(t.size() - 1, (int) Math.ceil(t.size() * 0.99) - 1)));
    }
  }

  private void consume(String owner, String via, String topic, int messages, int size) throws Exception {
    String instance = create(owner, topic, "bench-consume");
    produce(owner, topic, messages, size);
    int received = 0;
    int polls = 0;
    while (received < messages) {
      polls++;
      JsonArray polled = new JsonArray(call(get(via + "/api/v1/consumers/" + instance
          + "/messages?max=100&waitMs=2000"), 200));
      if (polled.isEmpty()) {
        throw new IllegalStateException("a poll answered nothing after " + received + " messages");
      }
      ack(via, instance, polled);
      received += polled.size();
    }
    delete(owner, instance);
    System.out.printf("CONSUMED %d POLLS %d%n", received, polls);
  }

  private String create(String base, String topic, String subscription) throws Exception {
    JsonObject body = new JsonObject().put("topic", topic).put("subscription", subscription)
        .put("subscriptionType", "Shared").put("initialPosition", "Earliest").put("receiverQueueSize", 1000);
    return new JsonObject(call(post(base + "/api/v1/consumers", body.encode()), 201)).getString("id");
  }

  private void produce(String base, String topic, int messages, int size) throws Exception {
    String text = "x".repeat(size);
    String path = base + "/api/v1/topics/" + topic.replaceFirst("^persistent://", "persistent/") + "/messages";
    for (int sent = 0; sent < messages; sent += 100) {
      JsonArray batch = new JsonArray();
      for (int i = 0; i < Math.min(100, messages - sent); i++) {
        batch.add(new JsonObject().put("text", text));
      }
      call(post(path, new JsonObject().put("messages", batch).encode()), 200);
    }
  }

  private void ack(String base, String instance, JsonArray polled) throws Exception {
    JsonArray ids = new JsonArray();
    polled.forEach(m -> ids.add(((JsonObject) m).getString("messageId")));
    call(post(base + "/api/v1/consumers/" + instance + "/acks", new JsonObject().put("messageIds", ids).encode()),
        204);
  }

  private void delete(String base, String instance) throws Exception {
    call(HttpRequest.newBuilder(URI.create(base + "/api/v1/consumers/" + instance)).timeout(TIMEOUT).DELETE()
        .build(), 204);
  }

  private static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
  }

  private static HttpRequest post(String url, String json) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  private String call(HttpRequest request, int expected) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(request.method() + " " + request.uri() + ": " + response.statusCode() + " "
          + response.body());
    }
    return response.body();
  }
}
