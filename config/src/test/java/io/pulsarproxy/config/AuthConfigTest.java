package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auth, authorization and cors sections: nested keys, the environment form, validation, secrets hidden. */
class AuthConfigTest {
  @TempDir
  Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("proxy.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private ProxyConfig load(String yaml, Map<String, String> env) throws IOException {
    return ConfigLoader.load(write(yaml), env, new Properties());
  }

  private List<String> problems(String yaml) throws IOException {
    return catchThrowableOfType(ConfigException.class, () -> load(yaml, Map.of())).problems();
  }

  @Test
  void authenticationIsOffByDefault() {
    ProxyConfig config = ProxyConfig.defaults();
    assertThat(config.auth().providers()).containsExactly("none");
    assertThat(config.auth().enabled()).isFalse();
    assertThat(config.authorization().mode()).isEqualTo("proxy");
    assertThat(config.cors().enabled()).isFalse();
    assertThat(config.cors().allows("https://any.example")).isTrue();
  }

  @Test
  void readsTheIssuesExampleAsWritten() throws IOException {
    ProxyConfig config = load("""
        auth:
          providers: [jwt]                       # none | jwt | mtls | apikey, several allowed
          jwt:
            secretKey: file:///path/secret.key
            roleClaim: sub
        authorization:
          mode: proxy
          rules:
            - role: alice
              actions: [produce, consume, read]
              topics: ["persistent://public/default/alice-*"]
        """, Map.of());
    assertThat(config.auth().providers()).containsExactly("jwt");
    assertThat(config.auth().jwt().secretKey()).get().extracting(Secret::reveal).isEqualTo("file:///path/secret.key");
    assertThat(config.auth().jwt().roleClaim()).isEqualTo("sub");
    assertThat(config.authorization().rules()).singleElement().satisfies(rule -> {
      assertThat(rule.role()).isEqualTo("alice");
      assertThat(rule.actions()).containsExactly("produce", "consume", "read");
      assertThat(rule.topics()).containsExactly("persistent://public/default/alice-*");
    });
  }

  @Test
  void theEnvironmentSetsNestedKeys() throws IOException {
    ProxyConfig config = load("auth:\n  jwt:\n    roleClaim: role\n", Map.of(
        "PROXY_AUTH_PROVIDERS", "jwt none",
        "PROXY_AUTH_JWT_SECRET_KEY", "data:;base64,c2VjcmV0",
        "PROXY_AUTH_JWT_CLOCK_SKEW", "1m",
        "PROXY_CORS_ALLOWED_ORIGINS", "https://app.example.com"));
    assertThat(config.auth().providers()).containsExactly("jwt", "none");
    assertThat(config.auth().anonymousAllowed()).isTrue();
    assertThat(config.auth().jwt().roleClaim()).isEqualTo("role");
    assertThat(config.auth().jwt().clockSkew()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.cors().allows("https://app.example.com")).isTrue();
    assertThat(config.cors().allows("https://evil.example")).isFalse();
  }

  @Test
  void tellsWhichKeysOfTheFileTheEnvironmentOverrides() {
    JsonObject yaml = ConfigLoader.parseYaml("http:\n  port: 9000\nauth:\n  jwt:\n    roleClaim: role\n", "test");
    Properties props = new Properties();
    props.setProperty("proxy.http.port", "9002");
    assertThat(ConfigLoader.overriddenInFile(yaml, Map.of("PROXY_HTTP_PORT", "9001",
        "PROXY_AUTH_JWT_ROLE_CLAIM", "sub", "PROXY_HTTP_HOST", "127.0.0.1"), props)).containsExactly(
        Map.entry("http.port", "system property proxy.http.port"),
        Map.entry("auth.jwt.roleClaim", "environment variable PROXY_AUTH_JWT_ROLE_CLAIM"));
  }

  @Test
  void aSectionWithOnlyCommentsMeansItsDefaults() throws IOException {
    assertThat(load("auth:\n  jwt:\n    # secretKey: x\n", Map.of()).auth().jwt().roleClaim()).isEqualTo("sub");
  }

  @Test
  void namesEveryProblem() throws IOException {
    assertThat(problems("""
        auth:
          providers: [none, apikey]
          jwt:
            secretKye: x
          apiKeys:
            - role: svc
              sha256: abc
        authorization:
          mode: acl
          rules:
            - role: bob
              actions: [write]
              topics: [t]
        cors:
          allowedOrigins: [app.example.com]
        """)).containsExactlyInAnyOrder(
        "auth.apiKeys[0].sha256: must be the key's SHA-256 hash in hex (64 characters; printf %s KEY | sha256sum)",
        "auth.providers: 'apikey' needs at least one key in auth.apiKeys",
        "authorization.mode: 'acl' is not one of PROXY, BROKER",
        "authorization.rules[0].actions: must be a list of produce, consume, read",
        "cors.allowedOrigins: 'app.example.com' is not an origin (scheme://host[:port], e.g. https://app.example.com, "
            + "or *)",
        "auth.jwt.secretKye: unknown key (known keys in auth: providers, jwt.secretKey, jwt.publicKey, jwt.jwksFile, "
            + "jwt.jwksUrl, jwt.jwksRefresh, jwt.roleClaim, jwt.issuer, jwt.audience, jwt.clockSkew, apiKeys, "
            + "mtls.principal, cacheSize, closeOnExpiry)");
  }

  @Test
  void refusesAnUnknownProvider() throws IOException {
    assertThat(problems("auth:\n  providers: [jwt, ldap]\n")).containsExactly(
        "auth.providers: 'ldap' is not an authentication provider (none, jwt, mtls, apikey)");
  }

  @Test
  void jwtNeedsAKey() throws IOException {
    assertThat(problems("auth:\n  providers: [jwt]\n")).containsExactly("auth.providers: 'jwt' needs a key: set "
        + "auth.jwt.secretKey, auth.jwt.publicKey, auth.jwt.jwksFile or auth.jwt.jwksUrl");
  }

  @Test
  void neverShowsTheSecretKey() throws IOException {
    ProxyConfig config = load("auth:\n  providers: [jwt]\n  jwt:\n    secretKey: data:;base64,dG9wc2VjcmV0\n",
        Map.of());
    assertThat(config.toString()).doesNotContain("dG9wc2VjcmV0").contains("****");
    assertThat(problems("auth:\n  jwt:\n    secretKey: [dG9wc2VjcmV0]\n")).singleElement().asString()
        .doesNotContain("dG9wc2VjcmV0");
  }
}
