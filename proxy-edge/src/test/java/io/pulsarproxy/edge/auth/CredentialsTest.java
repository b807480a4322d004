package io.pulsarproxy.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.config.Secret;
import org.junit.jupiter.api.Test;

class CredentialsTest {
  @Test
  void takesTheBearerHeaderOverTheQueryToken() {
    assertThat(token(Credentials.of("Bearer from-header", "from-query"))).isEqualTo("from-header");
    assertThat(token(Credentials.of("bearer lower", null))).isEqualTo("lower");
  }

  @Test
  void takesTheQueryTokenWithOrWithoutABearerPrefix() {
    assertThat(token(Credentials.of(null, "abc"))).isEqualTo("abc");
    assertThat(token(Credentials.of(null, "Bearer abc"))).isEqualTo("abc");
    assertThat(token(Credentials.of("Basic dXNlcjpwdw==", "abc"))).isEqualTo("abc");
  }

  @Test
  void noTokenIsNone() {
    assertThat(Credentials.of(null, null)).isEqualTo(Credentials.NONE);
    assertThat(Credentials.of("Bearer ", " ")).isEqualTo(Credentials.NONE);
  }

  @Test
  void neverShowsTheToken() {
    assertThat(Credentials.of(null, "secret-token").toString()).doesNotContain("secret-token");
  }

  private static String token(Credentials credentials) {
    return credentials.token().map(Secret::reveal).orElse(null);
  }
}
