package io.pulsarproxy.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import java.util.concurrent.CompletionException;
import org.apache.pulsar.client.api.PulsarClientException;
import org.junit.jupiter.api.Test;

class PulsarErrorsTest {
  @Test
  void mapsPulsarFailuresToErrorCodes() {
    assertThat(code(new PulsarClientException.ProducerBusyException("busy"))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(code(new PulsarClientException.TopicDoesNotExistException("x"))).isEqualTo(ErrorCode.TOPIC_NOT_FOUND);
    assertThat(code(new PulsarClientException.NotFoundException("x"))).isEqualTo(ErrorCode.TOPIC_NOT_FOUND);
    assertThat(code(new PulsarClientException.AuthorizationException("x"))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(code(new PulsarClientException.AuthenticationException("x"))).isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(code(new PulsarClientException.ProducerQueueIsFullError("x"))).isEqualTo(ErrorCode.PRODUCER_QUEUE_FULL);
    assertThat(code(new PulsarClientException.MemoryBufferIsFullError("x"))).isEqualTo(ErrorCode.PRODUCER_QUEUE_FULL);
    assertThat(code(new PulsarClientException.TimeoutException("x"))).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(code(new PulsarClientException.ConnectException("x"))).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
    assertThat(code(new java.net.ConnectException("refused"))).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
    assertThat(code(new PulsarClientException.TopicTerminatedException("x"))).isEqualTo(ErrorCode.TOPIC_TERMINATED);
    assertThat(code(new PulsarClientException.InvalidMessageException("too big"))).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(code(new IllegalStateException("bug"))).isEqualTo(ErrorCode.INTERNAL_ERROR);
  }

  @Test
  void looksThroughGenericWrappersForTheCause() {
    Throwable wrapped = new PulsarClientException(new CompletionException(new java.net.ConnectException("refused")));
    assertThat(code(wrapped)).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
  }

  @Test
  void unwrapsCompletionExceptions() {
    ProxyException e = PulsarErrors.map(new CompletionException(new PulsarClientException.TimeoutException("late")));
    assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(e.getMessage()).isEqualTo("late");
  }

  @Test
  void aTimeoutWhileCreatingAProducerMeansTheBrokerIsUnavailable() {
    assertThat(PulsarErrors.mapCreation(new PulsarClientException.TimeoutException("lookup")).code())
        .isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
  }

  @Test
  void neverPassesJavaExceptionTextToTheClient() {
    ProxyException e = PulsarErrors.map(new CompletionException(new PulsarClientException(
        "java.util.concurrent.CompletionException: io.netty.channel.AbstractChannel$AnnotatedConnectException: "
            + "Connection refused: /127.0.0.1:6650",
        new java.net.ConnectException("Connection refused"))));
    assertThat(e.code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE);
    assertThat(e.getMessage()).isEqualTo("the Pulsar broker is not reachable; retry later");

    ProxyException internal = PulsarErrors.map(new PulsarClientException(
        "java.lang.IllegalStateException: at org.apache.pulsar.client.impl.Foo"));
    assertThat(internal.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(internal.getMessage()).doesNotContain("java.").doesNotContain("Exception");
  }

  @Test
  void givesTheBrokersWordsInsteadOfItsJson() {
    ProxyException e = PulsarErrors.map(new PulsarClientException.NotFoundException(
        "{\"errorMsg\":\"Namespace not found\",\"reqId\":2937406411585813045, \"remote\":\"localhost/127.0.0.1:6650\", "
            + "\"local\":\"/127.0.0.1:51438\"}"));
    assertThat(e.code()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND);
    assertThat(e.getMessage()).isEqualTo("Namespace not found");
  }

  @Test
  void retryableCodesCarryRetryAfter() {
    assertThat(ErrorCode.BROKER_UNAVAILABLE.retryAfterSeconds()).isPositive();
    assertThat(ErrorCode.PRODUCER_QUEUE_FULL.retryAfterSeconds()).isPositive();
    assertThat(ErrorCode.BAD_REQUEST.retryAfterSeconds()).isZero();
  }

  private static ErrorCode code(Throwable t) {
    return PulsarErrors.map(t).code();
  }
}
