package io.pulsarproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTextSizeTest {
  private static int encoded(Object value) {
    return Json.encode(value).getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void countsWhatJsonEncodeWrites() {
    String parsed = """
        {"s":"plain","esc":"q\\"b\\\\ n\\n t\\t c\\u0001 \\u001f d\\u007f","u":"é€😀","lone":"\\ud800x",
         "i":0,"neg":-42,"max":9223372036854775807,"min":-9223372036854775808,"big":123456789012345678901234567890,
         "d":2.5,"e":1e300,"small":-1.5E-7,"t":true,"f":false,"n":null,"a":[1,"x",[],{}],"o":{},
         "nested":{"k\\"ey":[{"x":[null,0.1]}]}}""";
    List<Object> values = List.of(new JsonObject(parsed), new JsonArray("[1, 2 ,3]"), "", "ä", 7, -7L,
        new BigInteger("-99999999999999999999"), 0.0, -0.0, 3.0f, true, new JsonObject(), new JsonArray());
    for (Object value : values) {
      assertThat(JsonTextSize.of(value)).as(Json.encode(value)).isEqualTo(encoded(value));
    }
    assertThat(JsonTextSize.of(null)).isEqualTo(4);
  }
}
