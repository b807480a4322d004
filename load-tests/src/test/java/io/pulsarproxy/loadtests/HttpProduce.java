package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.List;
import java.util.StringJoiner;

/** The proxy's HTTP produce request with its checks, shared by the HTTP and mixed simulations. */
final class HttpProduce {

  private HttpProduce() {
  }

  /** A produce request body: {@code messages} messages, each with the same base64 payload. */
  static String body(String payloadBase64, int messages) {
    StringJoiner body = new StringJoiner(",", "{\"messages\":[", "]}");
    for (int i = 0; i < messages; i++) {
      body.add("{\"payload\":\"" + payloadBase64 + "\"}");
    }
    return body.toString();
  }

  /**
   * {@code POST path} with a prepared JSON body of {@code messages} messages; passes on 200 with exactly that many
   * results, all {@code "ok": true}.
   */
  static HttpRequestActionBuilder request(String name, String path, String body, int messages) {
    return http(name).post(path)
        .body(StringBody(body))
        .check(status().is(200))
        .check(jsonPath("$.results[*].ok").ofBoolean().findAll()
            .transform((List<Boolean> oks) -> oks.size() == messages && oks.stream().allMatch(Boolean::booleanValue))
            .is(true));
  }
}
