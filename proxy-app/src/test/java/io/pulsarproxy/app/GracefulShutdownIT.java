package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the proxy while requests are in flight: every request answered 200 is in the topic. */
@ExtendWith(PulsarExtension.class)
class GracefulShutdownIT {

  @Test
  void everyAcknowledgedRequestIsInTheTopicAfterAStopUnderLoad(PulsarBroker broker, @TempDir Path dir)
      throws Exception {
    String topic = broker.uniqueTopic("shutdown");
    ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), new JsonObject());
    String url = proxy.url(producePath(topic));
    // HTTP/1.1, one connection per request: over HTTP/2 the client itself fails the requests beyond the server's
    // concurrent streams, which would then pass for refusals without ever reaching the proxy.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    AtomicInteger answered = new AtomicInteger();
    CompletableFuture<Void> halfAnswered = new CompletableFuture<>();
    int total = 400;
    for (int i = 0; i < total; i++) {
      JsonObject body = new JsonObject().put("messages", List.of(new JsonObject().put("text", "m" + i)));
      responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString())
          .whenComplete((r, e) -> {
            if (answered.incrementAndGet() == total / 4) {
              halfAnswered.complete(null);
            }
          }));
    }
    halfAnswered.get(60, TimeUnit.SECONDS);
    proxy.close();

    Set<String> acknowledged = new HashSet<>();
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> f : responses) {
      HttpResponse<String> r;
      try {
        r = f.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // Only a connection the stopped listener refused is a refusal; a request the proxy read must be answered,
        // and a connection closed under it (a reset, an end of stream) is the failure this test is about.
        assertThat(e.getCause()).as("a request failed other than by a refused connection")
            .isInstanceOf(ConnectException.class);
        refused++;
        continue;
      }
      if (r.statusCode() == 200) {
        acknowledged.add(new JsonObject(r.body()).getJsonArray("results").getJsonObject(0).getString("messageId"));
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        refused++;
      }
    }
    assertThat(acknowledged.size() + refused).isEqualTo(total);
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(total / 4);

    Set<String> inTopic = ProxyFixture.idsInTopic(broker, topic);
    assertThat(inTopic).containsAll(acknowledged);
  }
}
