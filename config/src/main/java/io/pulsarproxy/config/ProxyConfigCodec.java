package io.pulsarproxy.config;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Lets a {@link ProxyConfig} travel on the local event bus as is: {@link #transform} hands the receiver the same
 * immutable instance. Local only: the wire methods throw, so send with {@code DeliveryOptions.setLocalOnly(true)}.
 */
public final class ProxyConfigCodec implements MessageCodec<ProxyConfig, ProxyConfig> {
  /** The codec's name on the event bus. */
  public static final String NAME = "proxy-config";

  /**
   * Registers this codec as the default one for {@link ProxyConfig} on {@code vertx}'s event bus, unless it already is
   * (every verticle that sends or receives the record may call this; the first call wins). Thread-safe.
   */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(ProxyConfig.class, new ProxyConfigCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // Another verticle of this Vertx instance registered it first: nothing to do.
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, ProxyConfig config) {
    throw new UnsupportedOperationException("ProxyConfig is sent on the local event bus only");
  }

  @Override
  public ProxyConfig decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("ProxyConfig is sent on the local event bus only");
  }

  @Override
  public ProxyConfig transform(ProxyConfig config) {
    return config;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
