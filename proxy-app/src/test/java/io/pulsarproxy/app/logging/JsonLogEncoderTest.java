package io.pulsarproxy.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.pulsarproxy.core.trace.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JsonLogEncoderTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final Context TRACE =
      Tracing.extract(Map.of(Tracing.TRACEPARENT, "00-" + TRACE_ID + "-00f067aa0ba902b7-01"));
  private static Vertx vertx;
  private final LoggerContext logback = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
  private final Logger logger = logback.getLogger("io.pulsarproxy.test");
  private final JsonLogEncoder encoder = new JsonLogEncoder();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private JsonObject encode(String message, Throwable error) {
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, message, error, null);
    return new JsonObject(new String(encoder.encode(event), StandardCharsets.UTF_8));
  }

  private <T> T onVertxContext(java.util.function.Supplier<T> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      try (Scope scope = TRACE.makeCurrent()) {
        result.complete(work.get());
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void writesOneJsonObjectALineWithTheTraceOfTheVertxContext() throws Exception {
    byte[] line = onVertxContext(() -> encoder.encode(
        new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "sent \"{}\"", null, new Object[] {"x"})));
    String text = new String(line, StandardCharsets.UTF_8);

    assertThat(text).endsWith("}\n").doesNotContain("\n{");
    JsonObject json = new JsonObject(text);
    assertThat(json.getString("level")).isEqualTo("INFO");
    assertThat(json.getString("logger")).isEqualTo("io.pulsarproxy.test");
    assertThat(json.getString("message")).isEqualTo("sent \"x\"");
    assertThat(json.getString("trace_id")).isEqualTo(TRACE_ID);
    assertThat(json.getString("span_id")).isEqualTo("00f067aa0ba902b7");
    assertThat(json.getString("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void hasNoTraceOffAVertxContextEvenWithOneCurrentOnTheThread() {
    try (Scope scope = TRACE.makeCurrent()) {
      JsonObject json = encode("outside", new IllegalStateException("boom"));

      assertThat(json.containsKey("trace_id")).isFalse();
      assertThat(json.getString("exception")).contains("IllegalStateException: boom");
    }
  }

  @Test
  void thePatternConverterWritesTheSameIds() throws Exception {
    TraceConverter converter = new TraceConverter();
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "m", null, null);

    assertThat(onVertxContext(() -> converter.convert(event)))
        .isEqualTo("trace_id=" + TRACE_ID + " span_id=00f067aa0ba902b7 ");
    assertThat(converter.convert(event)).isEmpty();
  }
}
