package io.pulsarproxy.core.schema.decode;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.impl.PulsarClientImpl;
import org.apache.pulsar.common.naming.TopicName;
import org.apache.pulsar.common.schema.SchemaInfo;

/**
 * Fetches a schema version over the client's binary-protocol lookup, without blocking. The one use of the client's
 * implementation classes: its public way to this ({@code Schema.AUTO_CONSUME()} and {@code Message.getReaderSchema()})
 * waits on the calling thread for each version it has not seen, which would stall an event loop.
 */
public final class BrokerSchemaLookup implements DecoderCache.Lookup {
  private final Supplier<PulsarClient> client;

  /** @param client the client to ask, once it exists (asked at each lookup) */
  public BrokerSchemaLookup(Supplier<PulsarClient> client) {
    this.client = client;
  }

  @Override
  public CompletionStage<Optional<SchemaInfo>> schema(String topic, byte[] version) {
    if (!(client.get() instanceof PulsarClientImpl impl)) {
      return CompletableFuture.failedFuture(new IllegalStateException("no schema lookup in this client"));
    }
    try {
      return impl.getLookup().getSchema(TopicName.get(topic), version);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
