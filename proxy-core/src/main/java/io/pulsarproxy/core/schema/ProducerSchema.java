package io.pulsarproxy.core.schema;

import java.util.Arrays;
import java.util.Objects;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.common.schema.SchemaInfo;

/**
 * The schema a producer of already encoded bytes announces to the broker: the broker finds its version on the topic,
 * or registers it when it is new and compatible, or refuses the producer when it is not. Two are equal when their
 * type, definition and properties are, so that producers are shared by requests of the same schema.
 */
public final class ProducerSchema {
  private final SchemaInfo info;

  public ProducerSchema(SchemaInfo info) {
    this.info = Objects.requireNonNull(info, "info");
  }

  public SchemaInfo info() {
    return info;
  }

  /** A Pulsar schema whose values are the bytes the proxy encoded, announced as {@link #info()}. */
  public Schema<byte[]> pulsarSchema() {
    return new EncodedBytes(info);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProducerSchema other && info.getType() == other.info.getType()
        && Arrays.equals(info.getSchema(), other.info.getSchema())
        && info.getProperties().equals(other.info.getProperties());
  }

  @Override
  public int hashCode() {
    return Objects.hash(info.getType(), Arrays.hashCode(info.getSchema()), info.getProperties());
  }

  @Override
  public String toString() {
    return info.getType().name();
  }

  /** Bytes in, the same bytes out: the encoding was done by the proxy's encoders. */
  private record EncodedBytes(SchemaInfo info) implements Schema<byte[]> {
    @Override
    public byte[] encode(byte[] message) {
      return message;
    }

    @Override
    public byte[] decode(byte[] bytes, byte[] schemaVersion) {
      return bytes;
    }

    @Override
    public SchemaInfo getSchemaInfo() {
      return info;
    }

    @Override
    public Schema<byte[]> clone() {
      return this;
    }
  }
}
