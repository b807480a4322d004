package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

  @Test
  void parsesBinaryMultiples() {
    assertThat(Sizes.parse("512")).isEqualTo(512);
    assertThat(Sizes.parse("512B")).isEqualTo(512);
    assertThat(Sizes.parse("64KB")).isEqualTo(64 * 1024);
    assertThat(Sizes.parse("5MB")).isEqualTo(5L * 1024 * 1024);
    assertThat(Sizes.parse("1GB")).isEqualTo(1024L * 1024 * 1024);
  }

  @Test
  void toleratesCaseAndSpaces() {
    assertThat(Sizes.parse(" 5 mb ")).isEqualTo(5L * 1024 * 1024);
    assertThat(Sizes.parse("64kb")).isEqualTo(64 * 1024);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "MB", "-1", "1.5MB", "5TB", "5 megabytes", "5M", "99999999999999999999"})
  void rejectsWhatIsNotASize(String text) {
    assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsASizeThatOverflows() {
    assertThatThrownBy(() -> Sizes.parse("9223372036854775807GB")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void formatsInTheLargestExactUnitAndParsesBack() {
    assertThat(Sizes.format(5L * 1024 * 1024)).isEqualTo("5MB");
    assertThat(Sizes.format(64 * 1024)).isEqualTo("64KB");
    assertThat(Sizes.format(1536)).isEqualTo("1536");
    assertThat(Sizes.format(2L * 1024 * 1024 * 1024)).isEqualTo("2GB");
    assertThat(Sizes.parse(Sizes.format(1536 * 1024))).isEqualTo(1536 * 1024);
  }
}
