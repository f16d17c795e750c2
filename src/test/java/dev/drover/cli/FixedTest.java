package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FixedTest {
    @ParameterizedTest
    @CsvSource({
        "0.0, 1, 0.0",
        "9.95, 1, 10.0",
        "99.96, 1, 100.0",
        "0.05, 1, 0.1",
        "1.45, 1, 1.5",
        "1023.5, 0, 1024",
        "12.0, 2, 12.00",
        "0.004, 2, 0.00",
        "0.005, 2, 0.01",
        "5.0E-4, 1, 0.0",
        "1.0E7, 1, 10000000.0",
    })
    void writesWhatTheFormatterWrites(double value, int decimals, String written) {
        assertThat(Fixed.format(value, decimals)).isEqualTo(written);
        assertThat(written).isEqualTo(String.format(Locale.ROOT, "%." + decimals + "f", value));
    }

    /** The figures of `drover ps` (CPU %, KiB, MiB, GiB): the same text as String.format for each. */
    @Test
    void agreesWithTheFormatterOnPsFigures() {
        Random random = new Random(5);
        for (int i = 0; i < 200_000; i++) {
            double value = switch (i % 4) {
                case 0 -> random.nextDouble() * 400;
                case 1 -> random.nextInt(1 << 20) / 1024.0;
                case 2 -> random.nextLong(1L << 40) / (1024.0 * 1024);
                default -> Math.round(random.nextDouble() * 100_000) / 1000.0;
            };
            for (int decimals = 0; decimals <= 2; decimals++) {
                assertThat(Fixed.format(value, decimals))
                        .as("%s with %d decimals", value, decimals)
                        .isEqualTo(String.format(Locale.ROOT, "%." + decimals + "f", value));
            }
        }
    }
}
