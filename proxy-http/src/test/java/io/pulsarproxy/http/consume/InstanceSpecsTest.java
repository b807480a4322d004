package io.pulsarproxy.http.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.consume.ConsumerSpec;
import io.pulsarproxy.edge.auth.Principal;
import io.pulsarproxy.edge.quota.Reservation;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pulsar.client.api.ConsumerCryptoFailureAction;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionMode;
import org.apache.pulsar.client.api.SubscriptionType;
import org.junit.jupiter.api.Test;

/** The spec a node keeps in the cluster for another to re-create an instance: everything but secrets comes back. */
class InstanceSpecsTest {
  private static final Principal ALICE = new Principal("alice", "jwt", Optional.of(new Secret("token-secret")),
      Instant.parse("2030-01-01T00:00:00Z"));

  @Test
  void everyOptionComesBackAndNoTokenIsKept() {
    ConsumerSpec spec = new ConsumerSpec(List.of("persistent://public/default/a", "persistent://public/default/b"),
        null, "sub", SubscriptionType.Key_Shared, SubscriptionMode.NonDurable, SubscriptionInitialPosition.Earliest,
        50, 30_000, "name", 2, 1_500L, 3, "persistent://public/default/dlq", ConsumerCryptoFailureAction.DISCARD);
    HttpConsumer consumer = new HttpConsumer("id-1", "id:client", ALICE, spec, BodyFormat.TEXT, 0, Reservation.NONE);

    JsonObject json = InstanceSpecs.toJson(consumer);
    InstanceSpecs.Spec back = InstanceSpecs.fromJson(new JsonObject(json.encode()));

    assertThat(back.consumer()).isEqualTo(spec);
    assertThat(back.format()).isEqualTo(BodyFormat.TEXT);
    assertThat(back.clientKey()).isEqualTo("id:client");
    assertThat(back.principal().name()).isEqualTo("alice");
    assertThat(back.principal().token()).isEmpty();
    assertThat(json.encode()).doesNotContain("token-secret");
  }

  @Test
  void aPatternSubscriptionWithPulsarsDefaultsComesBack() {
    ConsumerSpec spec = new ConsumerSpec(List.of(), "persistent://public/default/orders-.*", "sub",
        SubscriptionType.Shared, null, null, 1000, 0, null, null, null, null, null, null);
    HttpConsumer consumer = new HttpConsumer("id-2", "address:127.0.0.1", Principal.ANONYMOUS, spec,
        BodyFormat.JSON, 0, Reservation.NONE);

    InstanceSpecs.Spec back = InstanceSpecs.fromJson(new JsonObject(InstanceSpecs.toJson(consumer).encode()));

    assertThat(back.consumer()).isEqualTo(spec);
    assertThat(back.format()).isEqualTo(BodyFormat.JSON);
    assertThat(back.principal().name()).isEqualTo("anonymous");
  }
}
