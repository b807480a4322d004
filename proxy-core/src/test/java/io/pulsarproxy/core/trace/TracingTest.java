package io.pulsarproxy.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TracingTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String VALID = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  @Test
  void readsAValidTraceparentAndTracestate() {
    Context context = Tracing.extract(Map.of(Tracing.TRACEPARENT, VALID, Tracing.TRACESTATE, "vendor=abc"));
    SpanContext span = Span.fromContext(context).getSpanContext();

    assertThat(span.isValid()).isTrue();
    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(span.isSampled()).isTrue();
    assertThat(span.isRemote()).isTrue();
    assertThat(Tracing.properties(context))
        .containsEntry(Tracing.TRACEPARENT, VALID)
        .containsEntry(Tracing.TRACESTATE, "vendor=abc");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "garbage",
      "00-" + TRACE_ID + "-00f067aa0ba902b7",                       // no flags
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // all-zero trace id
      "00-" + TRACE_ID + "-0000000000000000-01",                    // all-zero span id
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
      "00-" + TRACE_ID + "-00f067aa0ba902b-01",                     // short span id
      "ff-" + TRACE_ID + "-00f067aa0ba902b7-01",                    // forbidden version
      "00-" + TRACE_ID + "-00f067aa0ba902b7-01-extra"               // version 00 has nothing after the flags
  })
  void startsOverOnAMalformedTraceparent(String traceparent) {
    Context context = Tracing.extract(Map.of(Tracing.TRACEPARENT, traceparent));

    assertThat(Span.fromContext(context).getSpanContext().isValid()).isFalse();
    assertThat(Tracing.properties(context)).isEmpty();
  }

  @Test
  void noTraceparentIsNoTraceContext() {
    assertThat(Span.fromContext(Tracing.extract(Map.of("other", "x"))).getSpanContext().isValid()).isFalse();
  }

  @Test
  void writesTheTraceparentOfASpan() {
    SpanContext span = Span.fromContext(Tracing.extract(Map.of(Tracing.TRACEPARENT, VALID))).getSpanContext();

    assertThat(Tracing.traceparent(span)).isEqualTo(VALID);
    assertThat(Tracing.traceparent(SpanContext.getInvalid())).isNull();
  }

  @Test
  void logsNoTraceOutsideOfAVertxContext() {
    Context context = Tracing.extract(Map.of(Tracing.TRACEPARENT, VALID));
    try (var scope = context.makeCurrent()) {
      assertThat(Tracing.logged().isValid()).isFalse();
    }
  }
}
