package io.pulsarproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceHandlerTest {
  @Test
  void removesTokensFromTheLoggedPath() {
    assertThat(TraceHandler.redact("/ws/v2/consumer/persistent/t/n/x/sub?token=eyJhbGciOi.abc.def&receiverQueueSize=5"))
        .isEqualTo("/ws/v2/consumer/persistent/t/n/x/sub?token=***&receiverQueueSize=5");
    assertThat(TraceHandler.redact("/a?x=1&TOKEN=s3cret")).isEqualTo("/a?x=1&TOKEN=***");
    assertThat(TraceHandler.redact("/a?access_token=s&apiKey=k&api_key=k2"))
        .isEqualTo("/a?access_token=***&apiKey=***&api_key=***");
  }

  @Test
  void keepsPathsAndParametersThatHoldNoSecret() {
    assertThat(TraceHandler.redact("/api/v1/topics/persistent/t/n/token/messages"))
        .isEqualTo("/api/v1/topics/persistent/t/n/token/messages");
    assertThat(TraceHandler.redact("/api/v1/read?mytoken=x&tokens=y&max=3")).isEqualTo("/api/v1/read?mytoken=x&tokens=y&max=3");
  }
}
