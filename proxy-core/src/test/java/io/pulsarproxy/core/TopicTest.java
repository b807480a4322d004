package io.pulsarproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.topic.Topic;
import org.junit.jupiter.api.Test;

class TopicTest {
  @Test
  void buildsTheFullName() {
    assertThat(new Topic("non-persistent", "t-1", "ns.a", "my topic").fullName())
        .isEqualTo("non-persistent://t-1/ns.a/my topic");
    assertThat(Topic.parse("persistent://public/default/x/y").local()).isEqualTo("x/y");
  }

  @Test
  void namesEveryBadPart() {
    assertThatThrownBy(() -> new Topic("durable", "a/b", "", "x"))
        .isInstanceOfSatisfying(ProxyException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOPIC);
          assertThat(e.details()).extracting(ProxyException.Detail::field)
              .containsExactly("domain", "tenant", "namespace");
        });
  }

  @Test
  void rejectsNamesWithoutScheme() {
    assertThatThrownBy(() -> Topic.parse("public/default/x")).isInstanceOf(ProxyException.class);
  }
}
