package io.pulsarproxy.edge.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Keys in the forms Pulsar's token authentication reads ({@code tokenSecretKey}, {@code tokenPublicKey}):
 * {@code file:///path}, {@code data:;base64,…}, a path to a file, or the key itself in base64. Reading a file blocks:
 * call off the event loop.
 */
final class KeyMaterial {
  private KeyMaterial() {}

  /** The key's bytes. */
  static byte[] read(String spec) {
    String value = spec.trim();
    try {
      if (value.startsWith("data:")) {
        int comma = value.indexOf(',');
        if (comma < 0) {
          throw new IllegalArgumentException("a data: URL needs a comma before its data");
        }
        String data = value.substring(comma + 1);
        return value.substring(0, comma).endsWith(";base64")
            ? Base64.getMimeDecoder().decode(data) : URLDecoder.decode(data, StandardCharsets.UTF_8).getBytes(
            StandardCharsets.UTF_8);
      }
      if (value.startsWith("file:")) {
        return Files.readAllBytes(Path.of(URI.create(value)));
      }
      if (isFile(value)) {
        return Files.readAllBytes(Path.of(value));
      }
      return Base64.getMimeDecoder().decode(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the key: " + e.getMessage(), e);
    }
  }

  private static boolean isFile(String value) {
    try {
      return Files.isRegularFile(Path.of(value));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /** A public key as PEM text, and its kind ({@code RSA} or {@code EC}), from DER or PEM bytes. */
  record PublicKeyPem(String pem, String kind) {}

  static PublicKeyPem publicKey(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    byte[] der = bytes;
    if (text.contains("-----BEGIN")) {
      String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      der = Base64.getDecoder().decode(body);
    }
    for (String kind : new String[] {"RSA", "EC"}) {
      try {
        KeyFactory.getInstance(kind).generatePublic(new X509EncodedKeySpec(der));
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END PUBLIC KEY-----\n";
        return new PublicKeyPem(pem, kind);
      } catch (GeneralSecurityException e) {
        // try the next kind
      }
    }
    throw new IllegalArgumentException("not an RSA or EC public key (X.509 SubjectPublicKeyInfo, DER or PEM)");
  }
}
