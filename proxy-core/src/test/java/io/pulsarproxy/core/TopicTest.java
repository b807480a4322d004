package io.pulsarproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.topic.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicTest {
  @Test
  void buildsTheFullName() {
    assertThat(new Topic("non-persistent", "t-1", "ns.a", "my_topic=1:a.b-c").fullName())
        .isEqualTo("non-persistent://t-1/ns.a/my_topic=1:a.b-c");
    assertThat(Topic.parse("persistent://public/default/orders-partition-2").local()).isEqualTo("orders-partition-2");
  }

  @Test
  void keepsPulsarsLegacyNames() {
    assertThat(Topic.parse("persistent://public/cluster-a/ns/x").local()).isEqualTo("ns/x");
    assertThat(Topic.parse("persistent://public/cluster-a/ns/x/y").local()).isEqualTo("ns/x/y");
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

  @ParameterizedTest
  @ValueSource(strings = {
      "my topic", "a..b", "..", ".", "a/../b", "a/", "/a", "é", "a%2Fb", "a\tb", "a?b", "a#b", "a//b"})
  void refusesTopicNamesPulsarWouldNotReadAsWritten(String local) {
    assertThatThrownBy(() -> new Topic("persistent", "public", "default", local))
        .isInstanceOfSatisfying(ProxyException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOPIC);
          assertThat(e.details()).extracting(ProxyException.Detail::field).containsExactly("topic");
        });
  }

  @Test
  void refusesASlashInTheTopicOfAPath() {
    assertThatThrownBy(() -> Topic.of("persistent", "public", "default", "a/b"))
        .isInstanceOfSatisfying(ProxyException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOPIC);
          assertThat(e.getMessage()).isEqualTo("topic: 'a/b' contains '/' (%2F); a topic name in a path is one segment");
        });
  }

  @Test
  void saysWhatAFullNameLooksLikeOnce() {
    assertThatThrownBy(() -> Topic.parse("orders"))
        .isInstanceOfSatisfying(ProxyException.class, e -> {
          assertThat(e.getMessage())
              .isEqualTo("topic: 'orders' is not a full topic name (persistent://tenant/namespace/topic)");
          assertThat(e.details()).containsExactly(new ProxyException.Detail("topic",
              "'orders' is not a full topic name (persistent://tenant/namespace/topic)"));
        });
  }

  @Test
  void rejectsNamesWithoutScheme() {
    assertThatThrownBy(() -> Topic.parse("public/default/x")).isInstanceOf(ProxyException.class);
  }
}
