package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Reads a Server-Sent Events stream on a thread of its own; events and comments are queued for the test. */
final class SseReader implements AutoCloseable {
  /** One event: its {@code event:} type (null for a message), {@code id:} and {@code data:}. */
  record Event(String type, String id, String data) {}

  private static final Event END = new Event("<eof>", null, null);
  private final HttpResponse<InputStream> response;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final List<String> comments = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private SseReader(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens the stream and expects 200 with {@code text/event-stream}. */
  static SseReader open(ProxyFixture proxy, String path, Map<String, String> headers) throws Exception {
    return accept(request(proxy, path, headers));
  }

  /** Reads {@code response}, which must be 200 with {@code text/event-stream}. */
  static SseReader accept(HttpResponse<InputStream> response) {
    assertThat(response.statusCode()).as(() -> body(response)).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    return new SseReader(response);
  }

  static HttpResponse<InputStream> request(ProxyFixture proxy, String path, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url(path))).header("Accept", "text/event-stream")
        .GET();
    headers.forEach(b::header);
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  static String body(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private void read() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String type = null;
      String id = null;
      StringBuilder data = null;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (data != null) {
            events.add(new Event(type, id, data.toString()));
          }
          type = null;
          id = null;
          data = null;
        } else if (line.startsWith(":")) {
          comments.add(line);
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(6));
        }
      }
    } catch (IOException closed) {
      // the test closed the stream
    } finally {
      events.add(END);
    }
  }

  /** The next event within {@code timeout}; fails when none came or the stream ended. */
  Event next(Duration timeout) throws InterruptedException {
    Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(e).as("an event within %s", timeout).isNotNull().isNotEqualTo(END);
    return e;
  }

  /** Whether no event (and no end) came within {@code timeout}. */
  boolean noEventWithin(Duration timeout) throws InterruptedException {
    return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS) == null;
  }

  /** Whether the stream ended (the server closed it) within {@code timeout}, after the events still queued. */
  boolean endsWithin(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS); e != null;
        e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      if (e == END) {
        return true;
      }
    }
    return false;
  }

  /** Drops the connection. */
  @Override
  public void close() throws Exception {
    response.body().close();
    reader.join(10_000);
  }
}
