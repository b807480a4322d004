package io.pulsarproxy.core.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.common.schema.KeyValueEncodingType;
import org.apache.pulsar.common.schema.SchemaInfo;
import org.apache.pulsar.common.schema.SchemaType;
import org.junit.jupiter.api.Test;

class KeyValueSchemaDataTest {
  /** A record with a field, for an AVRO part. */
  public static final class Point {
    public int x;
    public String label;
  }

  @Test
  void readsTheKeyValueSchemaPulsarsClientBuilds() {
    Schema<Point> avro = Schema.AVRO(Point.class);
    SchemaInfo info = Schema.KeyValue(Schema.STRING, avro, KeyValueEncodingType.SEPARATED).getSchemaInfo();

    KeyValueSchemaData parts = KeyValueSchemaData.of(info);

    assertThat(parts.separated()).isTrue();
    assertThat(parts.key().getType()).isEqualTo(SchemaType.STRING);
    assertThat(parts.key().getSchema()).isEqualTo(Schema.STRING.getSchemaInfo().getSchema());
    assertThat(parts.value().getType()).isEqualTo(SchemaType.AVRO);
    assertThat(parts.value().getSchema()).isEqualTo(avro.getSchemaInfo().getSchema());
    assertThat(parts.value().getProperties()).isEqualTo(avro.getSchemaInfo().getProperties());
    assertThat(parts.value().getName()).isEqualTo(avro.getSchemaInfo().getName());
  }

  @Test
  void inlineIsTheDefaultAndWritingGivesWhatPulsarsClientWrites() {
    Schema<Point> avro = Schema.AVRO(Point.class);
    SchemaInfo pulsar = Schema.KeyValue(Schema.INT64, avro).getSchemaInfo();

    KeyValueSchemaData parts = KeyValueSchemaData.of(pulsar);
    SchemaInfo written = parts.toSchemaInfo("KeyValue");

    assertThat(parts.separated()).isFalse();
    assertThat(written.getType()).isEqualTo(SchemaType.KEY_VALUE);
    assertThat(written.getSchema()).isEqualTo(pulsar.getSchema());
    assertThat(written.getProperties().get("kv.encoding.type")).isEqualTo("INLINE");
    assertThat(written.getProperties().get("key.schema.type")).isEqualTo("INT64");
    assertThat(written.getProperties().get("value.schema.type")).isEqualTo("AVRO");
    assertThat(KeyValueSchemaData.of(written)).isEqualTo(parts);
  }

  @Test
  void aSchemaWhoseLengthsDoNotFitIsRefused() {
    SchemaInfo broken = SchemaInfo.builder().name("kv").type(SchemaType.KEY_VALUE)
        .schema(new byte[] {0, 0, 0, 9, 1}).properties(Map.of()).build();

    assertThatThrownBy(() -> KeyValueSchemaData.of(broken)).isInstanceOf(IllegalArgumentException.class);
    assertThat(KeyValueSchemaData.split(KeyValueSchemaData.join(null, new byte[] {7}))[0]).isNull();
  }
}
