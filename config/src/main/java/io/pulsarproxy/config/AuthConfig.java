package io.pulsarproxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Authentication of clients at the edge. Reloadable: new requests and handshakes use the new settings.
 *
 * @param providers     {@code auth.providers}: {@code none}, {@code jwt}, {@code mtls}, {@code apikey}; several may be
 *                      listed. With {@code none} among them, a request that presents no credentials is anonymous; a
 *                      request that presents bad ones is refused whatever the list
 * @param jwt           {@code auth.jwt.*}
 * @param apiKeys       {@code auth.apiKeys}: keys for backend services, each stored only as its SHA-256 hash
 * @param mtlsPrincipal {@code auth.mtls.principal}: {@code cn} (the client certificate's subject common name) or
 *                      {@code san} (its first DNS or e-mail subject alternative name)
 * @param cacheSize     {@code auth.cacheSize}: verified tokens remembered (bounded, least recently used out)
 * @param closeOnExpiry {@code auth.closeOnExpiry}: close a WebSocket (1008) or end an SSE stream when its token expires
 */
public record AuthConfig(
    List<String> providers,
    JwtConfig jwt,
    List<ApiKey> apiKeys,
    String mtlsPrincipal,
    int cacheSize,
    boolean closeOnExpiry) {

  public static final String NONE = "none";
  public static final String JWT = "jwt";
  public static final String MTLS = "mtls";
  public static final String APIKEY = "apikey";

  public AuthConfig {
    providers = List.copyOf(providers);
    apiKeys = List.copyOf(apiKeys);
  }

  /** Whether clients must present credentials, or may (with {@code none} listed beside others). */
  public boolean enabled() {
    return providers.stream().anyMatch(p -> !p.equals(NONE));
  }

  public boolean anonymousAllowed() {
    return providers.contains(NONE);
  }

  /**
   * JSON Web Tokens, in the formats of Pulsar's token authentication, so that {@code bin/pulsar tokens create} makes
   * tokens that work unchanged. A key is {@code file:///path}, {@code data:;base64,…}, a path, or base64.
   *
   * @param secretKey  {@code auth.jwt.secretKey}: the HMAC key (HS256/384/512), Pulsar's {@code tokenSecretKey}
   * @param publicKey  {@code auth.jwt.publicKey}: an RSA or EC public key (DER or PEM), Pulsar's {@code tokenPublicKey}
   * @param jwksFile   {@code auth.jwt.jwksFile}: a JSON Web Key Set file, re-read every {@code jwksRefresh}
   * @param jwksUrl    {@code auth.jwt.jwksUrl}: a JSON Web Key Set URL, fetched every {@code jwksRefresh}
   * @param jwksRefresh {@code auth.jwt.jwksRefresh}
   * @param roleClaim  {@code auth.jwt.roleClaim}: the claim naming the principal, {@code sub} as in Pulsar
   * @param issuer     {@code auth.jwt.issuer}: when set, {@code iss} must equal it
   * @param audience   {@code auth.jwt.audience}: when set, {@code aud} must contain it
   * @param clockSkew  {@code auth.jwt.clockSkew}: tolerance on {@code exp}, {@code nbf} and {@code iat}
   */
  public record JwtConfig(
      Optional<Secret> secretKey,
      Optional<Secret> publicKey,
      Optional<String> jwksFile,
      Optional<String> jwksUrl,
      Duration jwksRefresh,
      String roleClaim,
      Optional<String> issuer,
      Optional<String> audience,
      Duration clockSkew) {

    public boolean hasKey() {
      return secretKey.isPresent() || publicKey.isPresent() || jwksFile.isPresent() || jwksUrl.isPresent();
    }
  }

  /**
   * One API key.
   *
   * @param role   the principal the key stands for
   * @param sha256 the key's SHA-256 hash, lower-case hex ({@code printf %s KEY | sha256sum})
   */
  public record ApiKey(String role, String sha256) {}
}
