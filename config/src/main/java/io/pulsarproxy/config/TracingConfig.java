package io.pulsarproxy.config;

import java.util.Objects;
import java.util.Optional;

/**
 * OpenTelemetry tracing. Reloadable: a change replaces the exporter and the sampler (spans already recorded are
 * exported by the old exporter).
 *
 * @param exporter      {@code tracing.exporter}: {@code none}, {@code logging}, {@code otlp-grpc} or {@code otlp-http}
 * @param endpoint      {@code tracing.endpoint}: the OTLP endpoint, or empty for the exporter's default
 * @param samplingRatio {@code tracing.samplingRatio}: share of new traces recorded, 0 to 1
 * @param serviceName   {@code tracing.serviceName}: the exported {@code service.name}
 */
public record TracingConfig(String exporter, Optional<String> endpoint, double samplingRatio, String serviceName) {
  public static final String NONE = "none";

  public TracingConfig {
    Objects.requireNonNull(exporter, "exporter");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(serviceName, "serviceName");
  }

  /** Whether spans are exported at all. */
  public boolean exporting() {
    return !NONE.equals(exporter);
  }
}
