package io.pulsarproxy.edge.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  private static final Principal ALICE = new Principal("alice", "jwt", Optional.empty(), null);
  private static final Principal BOB = new Principal("bob", "apikey", Optional.empty(), null);

  private static Authorizer authorizer(String mode, String providers) {
    ProxyConfig config = ConfigLoader.build(new JsonObject()
        .put("auth", new JsonObject().put("providers", providers).put("jwt", new JsonObject().put("secretKey", "c2VjcmV0")))
        .put("authorization", new JsonObject().put("mode", mode).put("rules", new JsonArray()
            .add(new JsonObject().put("role", "alice").put("actions", new JsonArray().add("produce").add("read"))
                .put("topics", new JsonArray().add("persistent://public/default/alice-*")))
            .add(new JsonObject().put("role", "*").put("actions", new JsonArray().add("consume"))
                .put("topics", new JsonArray().add("persistent://public/shared/*"))))));
    return new Authorizer(config.auth(), config.authorization());
  }

  @Test
  void allowsWhatARuleNamesAndDeniesTheRest() {
    Authorizer a = authorizer("proxy", "jwt");
    assertThatCode(() -> a.check(ALICE, Action.PRODUCE, "persistent://public/default/alice-orders"))
        .doesNotThrowAnyException();
    assertThatCode(() -> a.check(ALICE, Action.READ, "persistent://public/default/alice-x")).doesNotThrowAnyException();
    assertThatThrownBy(() -> a.check(ALICE, Action.CONSUME, "persistent://public/default/alice-orders"))
        .isInstanceOf(ProxyException.class).hasMessage(
            "alice may not consume persistent://public/default/alice-orders (authorization.rules)");
    assertThatThrownBy(() -> a.check(BOB, Action.PRODUCE, "persistent://public/default/alice-orders"))
        .isInstanceOf(ProxyException.class);
    assertThatThrownBy(() -> a.check(ALICE, Action.PRODUCE, "non-persistent://public/default/alice-orders"))
        .isInstanceOf(ProxyException.class);
  }

  @Test
  void aStarRoleMeansEveryAuthenticatedPrincipal() {
    Authorizer a = authorizer("proxy", "jwt none");
    assertThatCode(() -> a.check(BOB, Action.CONSUME, "persistent://public/shared/news")).doesNotThrowAnyException();
    assertThatThrownBy(() -> a.check(Principal.ANONYMOUS, Action.CONSUME, "persistent://public/shared/news"))
        .isInstanceOf(ProxyException.class);
  }

  @Test
  void aPatternNeedsTheWholeNamespace() {
    Authorizer a = authorizer("proxy", "jwt");
    assertThatCode(() -> a.checkPattern(BOB, Action.CONSUME, "persistent://public/shared/.*"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> a.checkPattern(ALICE, Action.PRODUCE, "persistent://public/default/alice-.*"))
        .isInstanceOf(ProxyException.class);
  }

  @Test
  void theBrokerDecidesInBrokerModeAndNothingIsCheckedWithoutAuthentication() {
    assertThatCode(() -> authorizer("broker", "jwt").check(BOB, Action.PRODUCE, "persistent://a/b/c"))
        .doesNotThrowAnyException();
    assertThatCode(() -> authorizer("proxy", "none").check(Principal.ANONYMOUS, Action.PRODUCE, "persistent://a/b/c"))
        .doesNotThrowAnyException();
  }
}
