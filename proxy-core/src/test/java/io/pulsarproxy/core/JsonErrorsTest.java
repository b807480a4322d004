package io.pulsarproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pulsarproxy.core.error.JsonErrors;
import io.vertx.core.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonErrorsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"messages\":[}             | malformed JSON at line 1, column 14: unexpected close marker '}': expected ']'",
      "{\"messages\":               | malformed JSON at line 1, column 13: unexpected end of input within/between Object entries",
      "{\"a\":1                     | malformed JSON at line 1, column 7: unexpected end of input: expected close marker for Object",
      "{\"a\":}                     | malformed JSON at line 1, column 6: unexpected character '}': expected a valid value"
          + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
      "tru                          | malformed JSON at line 1, column 4: unrecognized token 'tru': was expecting"
          + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
  })
  void saysWhereAndWhatWithoutTheParsersInternals(String json, String expected) {
    Throwable failure = catchThrowable(() -> Json.decodeValue(json));
    String message = JsonErrors.describe(failure);
    assertThat(message).isEqualTo(expected);
    assertThat(message).doesNotContain("Source", "code 1", "com.fasterxml", "REDACTED", "Failed to decode");
  }
}
