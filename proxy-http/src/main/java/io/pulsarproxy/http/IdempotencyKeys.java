package io.pulsarproxy.http;

import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.produce.Idempotency;
import io.pulsarproxy.edge.auth.Principal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The {@code Idempotency-Key} request header of HTTP produce: validated, scoped to the principal and tied to a digest
 * of what the request asks for, so that a repeat can be recognised and a different request with the same key refused.
 */
final class IdempotencyKeys {
  static final String HEADER = "Idempotency-Key";
  /** Set to {@code true} on an answer that repeats the outcome of an earlier request with the same key. */
  static final String REPLAYED_HEADER = "Idempotent-Replayed";
  static final int MAX_LENGTH = 255;
  private static final int DIGEST_SLICE = 64 * 1024;

  /** The headers that carry a raw body's message metadata: part of what a request asks for. */
  private static final List<String> METADATA_HEADERS = List.of(ProduceRequestParser.KEY_HEADER,
      ProduceRequestParser.PROPERTIES_HEADER, ProduceRequestParser.EVENT_TIME_HEADER,
      ProduceRequestParser.DELIVER_AT_HEADER, ProduceRequestParser.DELIVER_AFTER_HEADER,
      ProduceRequestParser.SEQUENCE_ID_HEADER);

  private IdempotencyKeys() {}

  /**
   * The request's key, or null when it has none.
   *
   * @throws ProxyException BAD_REQUEST naming the header when it is repeated, empty, longer than 255 characters or
   *                        not printable ASCII
   */
  static Idempotency of(RoutingContext ctx, Principal principal, String contentType, Buffer body) {
    HttpServerRequest request = ctx.request();
    List<String> values = request.headers().getAll(HEADER);
    if (values.isEmpty()) {
      return null;
    }
    String key = values.get(0);
    if (values.size() > 1) {
      throw ProxyException.badField(HEADER, "must be given once");
    }
    if (key.isEmpty() || key.length() > MAX_LENGTH) {
      throw ProxyException.badField(HEADER, "must be 1 to " + MAX_LENGTH + " characters long");
    }
    for (int i = 0; i < key.length(); i++) {
      char ch = key.charAt(i);
      if (ch < 0x20 || ch > 0x7e) {
        throw ProxyException.badField(HEADER, "must be printable ASCII (character " + (i + 1) + " is not)");
      }
    }
    return new Idempotency(principal.method() + ":" + principal.name(), key,
        fingerprint(request, contentType, body));
  }

  /** SHA-256 of method, path, content type, the message metadata headers and the body. */
  static String fingerprint(HttpServerRequest request, String contentType, Buffer body) {
    MessageDigest sha = sha256();
    StringBuilder head = new StringBuilder().append(request.method().name()).append('\n').append(request.path())
        .append('\n').append(contentType == null ? "" : contentType).append('\n');
    for (String name : METADATA_HEADERS) {
      for (String value : request.headers().getAll(name)) {
        head.append(name).append(':').append(value).append('\n');
      }
    }
    sha.update(head.append('\n').toString().getBytes(StandardCharsets.UTF_8));
    // In slices: the body is not copied whole.
    for (int start = 0; start < body.length(); start += DIGEST_SLICE) {
      sha.update(body.getBytes(start, Math.min(body.length(), start + DIGEST_SLICE)));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
