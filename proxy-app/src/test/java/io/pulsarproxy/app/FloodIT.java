package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Far more concurrent requests than the limits allow: the excess is refused, nothing accepted is lost. */
@ExtendWith(PulsarExtension.class)
class FloodIT {

  @Test
  void refusesTheExcessWith503AndLosesNothingAccepted(PulsarBroker broker, @TempDir Path dir) throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(),
        cfg("http", "maxInFlightRequests", 16).mergeIn(cfg("producer", "maxPendingMessages", 200)))) {
      String topic = broker.uniqueTopic("flood");
      String body = "{\"messages\":[" + "{\"text\":\"x\"},".repeat(49) + "{\"text\":\"x\"}]}";
      // HTTP/1.1 client with many connections: every request is in flight at once
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create(proxy.url(producePath(topic))))
            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      Set<String> acknowledged = new HashSet<>();
      int overloaded = 0;
      int queueFull = 0;
      for (CompletableFuture<HttpResponse<String>> f : responses) {
        HttpResponse<String> r = f.get(90, TimeUnit.SECONDS);
        if (r.statusCode() == 200) {
          json(r).getJsonArray("results").forEach(o ->
              acknowledged.add(((io.vertx.core.json.JsonObject) o).getString("messageId")));
          continue;
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        String error = json(r).getString("error");
        assertThat(error).isIn("OVERLOADED", "PRODUCER_QUEUE_FULL");
        if (error.equals("OVERLOADED")) {
          overloaded++;
        } else {
          queueFull++;
          json(r).getJsonArray("results").stream().map(o -> (io.vertx.core.json.JsonObject) o)
              .filter(o -> o.getBoolean("ok")).forEach(o -> acknowledged.add(o.getString("messageId")));
        }
      }
      Set<String> inTopic = ProxyFixture.idsInTopic(broker, topic);
      System.out.printf("flood: requests=400 x 50 messages, overloaded=%d queueFull=%d acknowledged=%d found=%d%n",
          overloaded, queueFull, acknowledged.size(), inTopic.size());
      assertThat(overloaded + queueFull).isPositive();
      assertThat(acknowledged).isNotEmpty();
      assertThat(inTopic).containsAll(acknowledged);
    }
  }
}
