package io.pulsarproxy.core.schema;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.impl.ClientCnx;
import org.apache.pulsar.client.impl.PulsarClientImpl;
import org.apache.pulsar.client.impl.schema.SchemaInfoUtil;
import org.apache.pulsar.common.api.proto.CommandGetSchemaResponse;
import org.apache.pulsar.common.api.proto.ServerError;
import org.apache.pulsar.common.protocol.Commands;
import org.apache.pulsar.common.protocol.schema.BytesSchemaVersion;
import org.apache.pulsar.common.protocol.schema.SchemaVersion;
import org.apache.pulsar.common.schema.SchemaInfo;

/**
 * Reads a topic's schema from Pulsar's schema registry over the binary protocol, with the client's own connection to
 * the service URL (the {@code GetSchema} command Pulsar's client uses for AUTO_CONSUME): asynchronous, no admin
 * endpoint or credentials of its own, and the answer carries the schema's version, which the client's public
 * {@code getSchema} drops.
 */
public final class SchemaRegistry {
  private SchemaRegistry() {}

  /**
   * The topic's schema at {@code version} (null: the latest); empty when the topic has none (or not that version).
   * Completes on a Pulsar IO thread.
   */
  public static CompletableFuture<Optional<RegisteredSchema>> get(PulsarClient client, String topic, Long version) {
    PulsarClientImpl impl = (PulsarClientImpl) client;
    Optional<SchemaVersion> wanted = Optional.ofNullable(version)
        .map(v -> BytesSchemaVersion.of(RegisteredSchema.versionBytes(v)));
    return impl.getConnectionToServiceUrl().thenCompose((ClientCnx cnx) -> {
      long requestId = impl.newRequestId();
      return cnx.sendGetRawSchema(Commands.newGetSchema(requestId, topic, wanted), requestId);
    }).thenApply(SchemaRegistry::read);
  }

  private static Optional<RegisteredSchema> read(CommandGetSchemaResponse response) {
    if (response.hasErrorCode()) {
      if (response.getErrorCode() == ServerError.TopicNotFound) {
        return Optional.empty();
      }
      throw new java.util.concurrent.CompletionException(new PulsarClientException(
          "the broker could not read the schema: " + response.getErrorCode() + " " + response.getErrorMessage()));
    }
    SchemaInfo info = SchemaInfoUtil.newSchemaInfo(response.getSchema());
    Long version = RegisteredSchema.version(response.getSchemaVersion());
    return Optional.of(new RegisteredSchema(info, version == null ? 0 : version));
  }
}
