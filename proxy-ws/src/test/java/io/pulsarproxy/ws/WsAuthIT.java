package io.pulsarproxy.ws;

import static io.pulsarproxy.ws.WsClient.message;
import static io.pulsarproxy.ws.WsProducerIT.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.testkit.PulsarBroker;
import io.pulsarproxy.testkit.PulsarExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The handshake's authentication hook: tokens as Pulsar's clients send them are accepted (and, without
 * {@code ws.forwardClientTokens}, not used; {@link WsTokenForwardingIT} covers forwarding).
 */
@ExtendWith(PulsarExtension.class)
class WsAuthIT {

  @Test
  void acceptsATokenInTheHeaderOrTheQuery(PulsarBroker broker) throws Exception {
    String topic = broker.uniqueTopic("tokens");
    try (WsProxy proxy = WsProxy.start(broker);
         WsClient header = proxy.connect(path("producer", topic), Map.of("Authorization", "Bearer header-token"));
         WsClient query = proxy.connect(path("producer", topic) + "?token=Bearer%20query-token")) {
      header.send(message("with a header token", "h"));
      query.send(message("with a query token", "q"));
      assertThat(header.await(1).get(0).getString("result")).isEqualTo("ok");
      assertThat(query.await(1).get(0).getString("result")).isEqualTo("ok");
    }
  }
}
