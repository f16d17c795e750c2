package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
        "100B, 100",
        "100, 100",
        "512KB, 524288",
        "512kib, 524288",
        "10MB, 10485760",
        "10MiB, 10485760",
        "10mb, 10485760",
        "1GB, 1073741824",
        "1GiB, 1073741824",
        "2TB, 2199023255552",
        "512M, 536870912",
        "1.5KB, 1536",
        "'10 MB', 10485760",
        "0, 0",
    })
    void parsesSizesWith1024BasedUnits(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "10XB", "-1MB", "ten", "10 M B", "1e3"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a size like 512KB, 10MB, 1GB, got \"" + text + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999999TB", "99999999999999999999"})
    void rejectsSizesTooLargeToHold(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).hasMessage("size \"" + text + "\" is too large");
    }
}
