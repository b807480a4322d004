package io.pulsarproxy.app;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.pulsarproxy.config.TracingConfig;

/**
 * The OpenTelemetry SDK's tracer provider for {@code tracing.*}. With the exporter {@code none} no new trace is
 * recorded (the sampler's ratio is 0) and there is no span processor: requests still get trace ids, which propagate,
 * and a client's sampled {@code traceparent} flag still reaches the messages, at the cost of a few objects a request.
 */
final class TracerSetup {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private TracerSetup() {}

  /**
   * @param extra an exporter that gets every recorded span at once as well (tests), or null
   */
  static SdkTracerProvider provider(TracingConfig config, SpanExporter extra) {
    boolean recording = config.exporting() || extra != null;
    SdkTracerProviderBuilder builder = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, config.serviceName()))))
        // A request's own sampled flag decides; new traces are recorded at the configured ratio.
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(recording ? config.samplingRatio() : 0)));
    SpanExporter exporter = exporter(config);
    if (exporter != null) {
      builder.addSpanProcessor(BatchSpanProcessor.builder(exporter).build());
    }
    if (extra != null) {
      builder.addSpanProcessor(SimpleSpanProcessor.create(extra));
    }
    return builder.build();
  }

  private static SpanExporter exporter(TracingConfig config) {
    return switch (config.exporter()) {
      case "logging" -> LoggingSpanExporter.create();
      case "otlp-grpc" -> OtlpGrpcSpanExporter.builder()
          .setEndpoint(config.endpoint().orElse("http://localhost:4317")).build();
      case "otlp-http" -> OtlpHttpSpanExporter.builder()
          .setEndpoint(config.endpoint().orElse("http://localhost:4318/v1/traces")).build();
      default -> null;
    };
  }
}
