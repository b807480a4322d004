package io.pulsarproxy.core.schema;

import io.pulsarproxy.core.schema.decode.SchemaDecoders;
import io.pulsarproxy.core.schema.decode.UndecodableException;
import io.pulsarproxy.core.schema.decode.ValueDecoder;
import io.pulsarproxy.core.schema.encode.Encoders;
import io.pulsarproxy.core.schema.encode.ValueEncoder;

/**
 * One version of a topic's schema as the {@link SchemaCache} holds it, with its encoder and decoder, each built on
 * first use and then shared (both are thread-safe). A schema that has none (no JSON mapping, a definition that
 * cannot be read) keeps the reason and gives it each time.
 */
public final class KnownSchema {
  private static final Object NONE = new Object();

  private final RegisteredSchema schema;
  private final ProducerSchema producer;
  /** A {@link ValueEncoder}, or the {@link RuntimeException} building it threw. */
  private volatile Object encoder;
  /** A {@link ValueDecoder}, {@link #NONE} for untyped bytes, or the {@link UndecodableException}. */
  private volatile Object decoder;

  public KnownSchema(RegisteredSchema schema) {
    this.schema = schema;
    this.producer = new ProducerSchema(schema.info());
  }

  public RegisteredSchema schema() {
    return schema;
  }

  public long version() {
    return schema.version();
  }

  /** The schema a producer of values encoded to this one announces. */
  public ProducerSchema producer() {
    return producer;
  }

  /**
   * Encodes JSON values to this schema.
   *
   * @throws IllegalArgumentException when its values cannot be given as JSON, or it cannot be read
   */
  public ValueEncoder encoder() {
    Object e = encoder;
    if (e == null) {
      try {
        e = Encoders.forSchema(schema.info());
      } catch (RuntimeException failure) {
        e = failure;
      }
      encoder = e;
    }
    if (e instanceof RuntimeException failure) {
      throw failure;
    }
    return (ValueEncoder) e;
  }

  /**
   * Decodes message bodies written with this schema; null when they are untyped bytes.
   *
   * @throws UndecodableException when the schema cannot be read or its type decoded
   */
  public ValueDecoder decoder() {
    Object d = decoder;
    if (d == null) {
      try {
        ValueDecoder built = SchemaDecoders.forSchema(schema.info());
        d = built == null ? NONE : built;
      } catch (UndecodableException failure) {
        d = failure;
      }
      decoder = d;
    }
    if (d instanceof UndecodableException failure) {
      throw failure;
    }
    return d == NONE ? null : (ValueDecoder) d;
  }
}
