package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Streams and long polls do not hold a stopping proxy: they end cleanly at once. */
@ExtendWith(PulsarExtension.class)
class HttpStreamShutdownIT {

  @Test
  void streamsEndAndPollsAndReadsAnswerWhenTheProxyStops(PulsarBroker broker, @TempDir Path dir) throws Exception {
    ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(), ProxyFixture.cfg("shutdown", "timeout", "20s"));
    String topic = broker.uniqueTopic("shutdown");
    ConsumeHttp http = new ConsumeHttp(proxy);
    String id = http.create(ConsumeHttp.subscription(topic, "polled", "Exclusive"));
    CompletableFuture<HttpResponse<String>> poll = HttpClient.newHttpClient().sendAsync(
        HttpRequest.newBuilder(URI.create(proxy.url("/api/v1/consumers/" + id + "/messages?waitMs=30000"))).build(),
        HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> read = HttpClient.newHttpClient().sendAsync(
        HttpRequest.newBuilder(URI.create(proxy.url(ProxyFixture.producePath(topic) + "?from=latest&waitMs=30000")))
            .build(), HttpResponse.BodyHandlers.ofString());
    try (SseReader sse = SseReader.open(proxy,
        "/api/v1/topics/" + topic.replace("://", "/") + "/subscriptions/streamed/events", Map.of())) {
      await(() -> broker.admin().topics().getSubscriptions(topic).size() == 3);

      long start = System.nanoTime();
      proxy.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stop time").isLessThan(Duration.ofSeconds(15));

      SseReader.Event end = sse.next(Duration.ofSeconds(5));
      assertThat(end.type()).isEqualTo("end");
      assertThat(new JsonObject(end.data()).getString("error")).isEqualTo("SHUTTING_DOWN");
      assertThat(sse.endsWithin(Duration.ofSeconds(5))).isTrue();
    }
    HttpResponse<String> answered = poll.get(5, TimeUnit.SECONDS);
    assertThat(answered.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(answered.body()).getString("error")).isEqualTo("SHUTTING_DOWN");
    HttpResponse<String> page = read.get(5, TimeUnit.SECONDS);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(page.body()).getJsonArray("messages")).isEmpty();
  }

  private static void await(java.util.concurrent.Callable<Boolean> condition) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(condition);
  }
}
