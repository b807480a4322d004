package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProxyConfigCodecTest {

  @Test
  void deliversTheSameInstanceLocally(Vertx vertx, VertxTestContext ctx) {
    ProxyConfigCodec.register(vertx);
    ProxyConfig config = ProxyConfig.defaults();
    vertx.eventBus().<ProxyConfig>consumer("test.config", m -> ctx.verify(() -> {
      assertThat(m.body()).isSameAs(config);
      ctx.completeNow();
    })).completion().onComplete(ctx.succeeding(v ->
        vertx.eventBus().send("test.config", config, new DeliveryOptions().setLocalOnly(true))));
  }

  @Test
  void registeringTwiceIsHarmless(Vertx vertx, VertxTestContext ctx) {
    ProxyConfigCodec.register(vertx);
    ProxyConfigCodec.register(vertx);
    // Two ConfigVerticles in one Vertx both register the codec at start.
    vertx.deployVerticle(new ConfigVerticle(null, Map.of(), new Properties()))
        .compose(id -> vertx.deployVerticle(new ConfigVerticle(null, Map.of(), new Properties())))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void refusesTheWire() {
    ProxyConfigCodec codec = new ProxyConfigCodec();
    assertThatThrownBy(() -> codec.encodeToWire(Buffer.buffer(), ProxyConfig.defaults()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> codec.decodeFromWire(0, Buffer.buffer()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(codec.transform(ProxyConfig.defaults())).isEqualTo(ProxyConfig.defaults());
  }
}
