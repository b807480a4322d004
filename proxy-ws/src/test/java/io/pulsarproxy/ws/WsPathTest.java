package io.pulsarproxy.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.core.error.ProxyException;
import org.junit.jupiter.api.Test;

class WsPathTest {
  @Test
  void readsTheV2Paths() {
    WsPath producer = WsPath.parse("/ws/v2/producer/persistent/public/default/orders");
    assertThat(producer.role()).isEqualTo(WsPath.Role.PRODUCER);
    assertThat(producer.topic().fullName()).isEqualTo("persistent://public/default/orders");
    assertThat(producer.subscription()).isNull();

    WsPath consumer = WsPath.parse("/ws/v2/consumer/non-persistent/t1/ns1/orders/sub-1");
    assertThat(consumer.role()).isEqualTo(WsPath.Role.CONSUMER);
    assertThat(consumer.topic().fullName()).isEqualTo("non-persistent://t1/ns1/orders");
    assertThat(consumer.subscription()).isEqualTo("sub-1");

    assertThat(WsPath.parse("/ws/v2/reader/persistent/public/default/orders").role()).isEqualTo(WsPath.Role.READER);
  }

  @Test
  void joinsFurtherSegmentsOfProducerAndReaderTopicsSkippingEmptyOnes() {
    assertThat(WsPath.parse("/ws/v2/producer/persistent/public/default/a/b//c/").topic().local()).isEqualTo("a/b/c");
    assertThat(WsPath.parse("/ws/v2/reader/persistent/public/default/a/b").topic().local()).isEqualTo("a/b");
  }

  @Test
  void formDecodesSegments() {
    WsPath path = WsPath.parse("/ws/v2/consumer/persistent/public/default/t%3Ax%2Fy/my+sub%C3%A9");
    assertThat(path.topic().local()).isEqualTo("t:x/y");
    assertThat(path.subscription()).isEqualTo("my subé");
  }

  @Test
  void readsTheV3AndV1Paths() {
    WsPath multi = WsPath.parse("/ws/v3/consumer/all-of-them");
    assertThat(multi.topic()).isNull();
    assertThat(multi.subscription()).isEqualTo("all-of-them");

    WsPath v1 = WsPath.parse("/ws/consumer/persistent/tenant/cluster/ns/topic/sub");
    assertThat(v1.topic().fullName()).isEqualTo("persistent://tenant/cluster/ns/topic");
    assertThat(v1.subscription()).isEqualTo("sub");
    assertThat(WsPath.parse("/ws/producer/persistent/tenant/cluster/ns/a/b").topic().fullName())
        .isEqualTo("persistent://tenant/cluster/ns/a/b");
  }

  @Test
  void refusesWhatIsNotAPathOfThisApiWith400() {
    for (String bad : new String[] {"/ws", "/ws/v2/producer/persistent/public/default", "/ws/v2/queue/persistent/p/d/t",
        "/ws/v2/consumer/persistent/public/default/t/", "/ws/v2/consumer/persistent/public/default/t/s/extra",
        "/ws/v2/producer/durable/public/default/t", "/ws/v3/consumer/", "/ws/v3/producer/x", "/ws/v4/consumer/x/y/z/t/s",
        "/ws/v2/producer/persistent/public/default/%zz"}) {
      assertThatThrownBy(() -> WsPath.parse(bad)).as(bad).isInstanceOfSatisfying(ProxyException.class,
          e -> assertThat(e.code().httpStatus()).isEqualTo(400));
    }
  }
}
