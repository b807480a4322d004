package io.pulsarproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.pulsarproxy.config.TracingConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OTLP exporters that {@code tracing.exporter} names really send: a span recorded by the provider arrives at a
 * collector's endpoint (a Vert.x server answering as a collector does), over HTTP/protobuf and over gRPC.
 */
class TracerSetupTest {
  private static final String GRPC_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

  private Vertx vertx;
  private HttpServer collector;
  private final CompletableFuture<Received> received = new CompletableFuture<>();

  private record Received(String path, String contentType, byte[] body) {}

  @BeforeEach
  void startCollector() throws Exception {
    vertx = Vertx.vertx();
    // Cleartext HTTP/2 with prior knowledge (gRPC's http://) and HTTP/1.1 (OTLP over HTTP) on one port.
    collector = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(request -> request.body().onSuccess(body -> {
          received.complete(new Received(request.path(), request.getHeader("content-type"), body.getBytes()));
          if (request.path().equals(GRPC_EXPORT)) {
            // An empty ExportTraceServiceResponse in gRPC's framing (uncompressed, length 0), then status OK.
            request.response().putHeader("content-type", "application/grpc")
                .putTrailer("grpc-status", "0")
                .end(Buffer.buffer(new byte[5]));
          } else {
            request.response().putHeader("content-type", "application/x-protobuf").end();
          }
        }))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopCollector() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void otlpHttpSendsTheSpanToTheEndpoint() throws Exception {
    String endpoint = "http://127.0.0.1:" + collector.actualPort() + "/v1/traces";
    CompletableResultCode flushed = recordOneSpan(new TracingConfig("otlp-http", Optional.of(endpoint), 1.0,
        "proxy-under-test"), "otlp-http-probe");

    Received request = received.get(30, TimeUnit.SECONDS);
    assertThat(request.path()).isEqualTo("/v1/traces");
    assertThat(request.contentType()).isEqualTo("application/x-protobuf");
    assertThat(new String(request.body(), StandardCharsets.ISO_8859_1))
        .contains("otlp-http-probe").contains("proxy-under-test");
    assertThat(flushed.isSuccess()).isTrue();
  }

  @Test
  void otlpGrpcSendsTheSpanToTheEndpoint() throws Exception {
    String endpoint = "http://127.0.0.1:" + collector.actualPort();
    CompletableResultCode flushed = recordOneSpan(new TracingConfig("otlp-grpc", Optional.of(endpoint), 1.0,
        "proxy-under-test"), "otlp-grpc-probe");

    Received request = received.get(30, TimeUnit.SECONDS);
    assertThat(request.path()).isEqualTo(GRPC_EXPORT);
    assertThat(request.contentType()).startsWith("application/grpc");
    assertThat(new String(request.body(), StandardCharsets.ISO_8859_1))
        .contains("otlp-grpc-probe").contains("proxy-under-test");
    assertThat(flushed.isSuccess()).isTrue();
  }

  @Test
  void noneRecordsNothingNewAndHasNoExporter() {
    SdkTracerProvider provider = TracerSetup.provider(new TracingConfig("none", Optional.empty(), 1.0, "p"), null);
    try {
      assertThat(provider.get("test").spanBuilder("unsampled").startSpan().isRecording()).isFalse();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  /** Records and ends one span, then flushes the provider's batch processor; the flush's result once it is done. */
  private static CompletableResultCode recordOneSpan(TracingConfig config, String name) {
    SdkTracerProvider provider = TracerSetup.provider(config, null);
    try {
      provider.get("test").spanBuilder(name).startSpan().end();
      return provider.forceFlush().join(30, TimeUnit.SECONDS);
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
