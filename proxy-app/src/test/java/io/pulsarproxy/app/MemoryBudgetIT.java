package io.pulsarproxy.app;

import static io.pulsarproxy.app.ProxyFixture.cfg;
import static io.pulsarproxy.app.ProxyFixture.json;
import static io.pulsarproxy.app.ProxyFixture.producePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many concurrent large bodies against a small budget of in-flight bytes ({@code http.maxInFlightBytes}): what does
 * not fit is refused with 503 before it is read, what is answered 200 is in the topic exactly once, and the proxy
 * serves normally afterwards with its whole budget back. (The heap itself cannot be made small in-process; the
 * benchmark's {@code flood} scenario runs the jar with {@code -Xmx256m}.)
 */
@ExtendWith(PulsarExtension.class)
class MemoryBudgetIT {
  private static final int REQUESTS = 48;
  private static final int PAYLOAD = 700 * 1024;

  @Test
  void refusesWhatDoesNotFitAndStoresEveryAcceptedMessageOnce(PulsarBroker broker, @TempDir Path dir)
      throws Exception {
    try (ProxyFixture proxy = ProxyFixture.start(dir, broker.serviceUrl(),
        cfg("http", "maxBodySize", "1MB", "maxMessageSize", "1MB", "maxInFlightBytes", "4MB"))) {
      String topic = broker.uniqueTopic("budget");
      Random random = new Random(12);
      List<byte[]> payloads = new ArrayList<>();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        byte[] payload = new byte[PAYLOAD];
        random.nextBytes(payload);
        ByteBuffer.wrap(payload).putInt(i);
        payloads.add(payload);
        // About 933 KB of JSON for one 700 KB message, as in the report that ran a 256 MB heap out of memory.
        byte[] body = ("{\"messages\":[{\"payload\":\"" + Base64.getEncoder().encodeToString(payload) + "\"}]}")
            .getBytes(StandardCharsets.US_ASCII);
        responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create(proxy.url(producePath(topic))))
            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()));
      }

      Map<Integer, String> accepted = new HashMap<>();
      int refused = 0;
      for (int i = 0; i < REQUESTS; i++) {
        HttpResponse<String> r = responses.get(i).get(120, TimeUnit.SECONDS);
        if (r.statusCode() == 200) {
          accepted.put(i, json(r).getJsonArray("results").getJsonObject(0).getString("messageId"));
          continue;
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).as(r.body()).hasValue("1");
        assertThat(json(r).getString("error")).isEqualTo("OVERLOADED");
        assertThat(json(r).getString("message")).contains("http.maxInFlightBytes");
        refused++;
      }
      System.out.printf("budget: requests=%d accepted=%d refused=%d%n", REQUESTS, accepted.size(), refused);
      assertThat(refused).as("refused").isPositive();
      assertThat(accepted).as("accepted").isNotEmpty();

      // Every accepted message is in the topic once, byte for byte; nothing refused is.
      Map<Integer, Integer> stored = new HashMap<>();
      try (PulsarClient client = broker.newClient();
          Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest).create()) {
        while (reader.hasMessageAvailable()) {
          Message<byte[]> message = reader.readNext(10, TimeUnit.SECONDS);
          int index = ByteBuffer.wrap(message.getValue()).getInt();
          assertThat(message.getValue()).as("payload of request %d", index).isEqualTo(payloads.get(index));
          stored.merge(index, 1, Integer::sum);
        }
      }
      assertThat(stored.keySet()).isEqualTo(accepted.keySet());
      assertThat(stored.values()).allMatch(count -> count == 1);

      // A client that goes away in the middle of its body gives its bytes back too.
      try (Socket socket = new Socket("127.0.0.1", proxy.app.httpPort())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + producePath(topic) + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 900000\r\n\r\n{\"messages\":[").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[100_000]);
        out.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlightBytes(proxy) == 900_000);
      }

      // Healthy afterwards: nothing held, a small produce and liveness answer.
      await().atMost(Duration.ofSeconds(30)).until(() -> inFlightBytes(proxy) == 0);
      HttpResponse<String> small = proxy.postJson(producePath(topic), "{\"messages\":[{\"text\":\"after\"}]}");
      assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
      assertThat(proxy.get(proxy.managementUrl("/health/live")).statusCode()).isEqualTo(200);
      String metrics = proxy.get(proxy.managementUrl("/metrics")).body();
      assertThat(counter(metrics, "pulsar_proxy_in_flight_bytes_exhausted_total\\{source=\"http\"}"))
          .isEqualTo(refused);
    }
  }

  private static long inFlightBytes(ProxyFixture proxy) {
    return (long) counter(proxy.get(proxy.managementUrl("/metrics")).body(), "pulsar_proxy_in_flight_bytes");
  }

  /** The value of the sample whose name and labels match {@code series} (a regular expression), or -1. */
  private static double counter(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
