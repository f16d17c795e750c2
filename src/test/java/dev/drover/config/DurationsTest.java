package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, 500",
        "10s, 10000",
        "5m, 300000",
        "1h, 3600000",
        "1m30s, 90000",
        "1h2m3s4ms, 3723004",
        "1.5s, 1500",
        "0, 0",
        "0s, 0",
        "' 2s ', 2000",
    })
    void parsesDurations(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "", "s", "10 s", "10x", "-5s", "1.s", "10sec", "1h-2m", "ms", "9999999999999h5x"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration like 500ms, 10s, 5m, got \"" + text + "\"");
    }

    @ParameterizedTest
    @CsvSource({
        // Long.MAX_VALUE nanoseconds is 2562047h47m16.854775807s.
        "2562047h47m16.854775807s, 9223372036854775807",
        "2562047h47m16.854775s, 9223372036854775000",
        "0.0000001ms, 0",
        "1.000001ms, 1000001",
        "0.1234567s, 123456700",
        "0000000000000000000000001s, 1000000000",
    })
    void readsTheEdgesToTheNanosecond(String text, long nanos) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    /** The long arithmetic reads what BigDecimal reads, for every kind of number it takes or hands over. */
    @Test
    void readsWhatTheExactReadingReads() {
        Random random = new Random(17);
        String[] units = {"ms", "s", "m", "h"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int parts = 1 + random.nextInt(3); parts > 0; parts--) {
                text.append(number(random)).append(units[random.nextInt(units.length)]);
            }
            String written = text.toString();
            Object fast = reading(() -> Durations.parse(written));
            Object exact = reading(() -> Durations.parseExactly(written));
            assertThat(fast).as("%s", written).isEqualTo(exact);
        }
    }

    /** Digits of any length from 1 to 20, a third of them with 1 to 9 decimals. */
    static String number(Random random) {
        String whole = Long.toString(Math.abs(random.nextLong()) >>> random.nextInt(63));
        if (random.nextInt(5) == 0) {
            whole = "0".repeat(random.nextInt(3)) + whole;
        }
        if (random.nextInt(3) > 0) {
            return whole;
        }
        StringBuilder decimals = new StringBuilder();
        for (int d = 1 + random.nextInt(9); d > 0; d--) {
            decimals.append(random.nextInt(10));
        }
        return whole + "." + decimals;
    }

    static Object reading(java.util.function.Supplier<?> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "9999999999999h",
                "99999999999999999999999999999999999ms",
                "2562047h47m16.854776s",
                "2562047h47m16.8547758079s",
                "9999999999999h1.0000001s"
            })
    void rejectsDurationsTooLongToHold(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).hasMessage("duration \"" + text + "\" is too long");
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "500, 500ms", "90000, 1m30s", "3600000, 1h", "1500, 1s500ms"})
    void formatsDurationsTheWayTheyAreWritten(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    }
}
