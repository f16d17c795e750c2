package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
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
    @CsvSource({
        "8388607.999999TB, 9223372036853676296",
        "8388607.9999999TB, 9223372036854665856",
        "9223372036854775807, 9223372036854775807",
        "0.0001KB, 0",
        "1.0009765625KB, 1025",
        "0000000000000000000001MB, 1048576",
    })
    void readsTheEdgesToTheByte(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    /** The long arithmetic reads what BigDecimal reads, for every kind of number it takes or hands over. */
    @Test
    void readsWhatTheExactReadingReads() {
        Random random = new Random(23);
        String[] units = {"", "B", "KB", "MiB", "g", "TB"};
        long[] factors = {1, 1, 1L << 10, 1L << 20, 1L << 30, 1L << 40};
        for (int i = 0; i < 20_000; i++) {
            int unit = random.nextInt(units.length);
            String number = DurationsTest.number(random);
            String written = number + units[unit];
            Object fast = DurationsTest.reading(() -> Sizes.parse(written));
            Object exact = DurationsTest.reading(() -> Sizes.parseExactly(written, number, factors[unit]));
            assertThat(fast).as("%s", written).isEqualTo(exact);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999999TB", "99999999999999999999", "8388608TB", "9223372036854775808"})
    void rejectsSizesTooLargeToHold(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).hasMessage("size \"" + text + "\" is too large");
    }
}
