package io.pulsarproxy.core.schema.encode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.NameValidator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** Avro binary of the natural JSON form ({@link AvroJson}), as Pulsar's AVRO schema writes it (no header). */
public final class AvroEncoder implements ValueEncoder {
  private final Schema schema;
  private final GenericDatumWriter<Object> writer;

  public AvroEncoder(Schema schema) {
    this.schema = schema;
    this.writer = new GenericDatumWriter<>(schema);
  }

  /**
   * Parses an Avro schema definition (JSON text). Names are not checked: Pulsar's schemas of nested Java classes
   * have a {@code $} in their namespace, and generic records do not use the names.
   */
  public static Schema parse(String definition) {
    return new Schema.Parser(NameValidator.NO_VALIDATION).setValidateDefaults(false).parse(definition);
  }

  @Override
  public Encoded encode(Object json, String path) {
    return Encoded.of(bytes(AvroJson.toAvro(schema, json, path)));
  }

  byte[] bytes(Object datum) {
    Buffer buffer = BUFFERS.get();
    buffer.reset();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(buffer, buffer.encoder);
    buffer.encoder = encoder;
    try {
      writer.write(datum, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /**
   * The output of one thread's encodings, and its encoder: both reused (an encoder allocates a buffer of 2 KiB and a
   * value is encoded in a few hundred nanoseconds). Kept small: a buffer that grew for one large value is dropped.
   */
  private static final class Buffer extends ByteArrayOutputStream {
    private static final int KEEP = 64 * 1024;
    BinaryEncoder encoder;

    Buffer() {
      super(256);
    }

    @Override
    public void reset() {
      if (buf.length > KEEP) {
        buf = new byte[256];
      }
      super.reset();
    }
  }

  private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);
}
