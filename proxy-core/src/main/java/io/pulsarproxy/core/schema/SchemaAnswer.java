package io.pulsarproxy.core.schema;

import io.pulsarproxy.core.error.ProxyException;

/** Reply to a {@link SchemaQuery}: the schema, or why there is none ({@code SCHEMA_NOT_FOUND}, a broker error). */
public record SchemaAnswer(RegisteredSchema schema, ProxyException error) {}
