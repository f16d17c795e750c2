package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
    @ValueSource(strings = {"10", "", "s", "10 s", "10x", "-5s", "1.s", "10sec", "1h-2m", "ms"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration like 500ms, 10s, 5m, got \"" + text + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999999999999h", "99999999999999999999999999999999999ms"})
    void rejectsDurationsTooLongToHold(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).hasMessage("duration \"" + text + "\" is too long");
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "500, 500ms", "90000, 1m30s", "3600000, 1h", "1500, 1s500ms"})
    void formatsDurationsTheWayTheyAreWritten(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    }
}
