package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.Dependency.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The enum-like values that live beside their types: signals, restart policies, conditions, keys. */
class SmallParsersTest {

    @ParameterizedTest
    @CsvSource({
        "TERM, TERM, 15",
        "SIGTERM, TERM, 15",
        "term, TERM, 15",
        "sigint, INT, 2",
        "15, TERM, 15",
        "9, KILL, 9",
        "WINCH, WINCH, 28",
        "34, 34, 34"
    })
    void readsSignalsByNameOrNumber(String text, String name, int number) {
        assertThat(StopSignal.parse(text)).contains(new StopSignal(name, number));
    }

    @ParameterizedTest
    @ValueSource(strings = {"FOO", "SIG", "0", "65", "-1", "TERM15", ""})
    void rejectsUnknownSignals(String text) {
        assertThat(StopSignal.parse(text)).isEmpty();
    }

    @Test
    void restartPoliciesUseTheirYamlSpelling() {
        assertThat(RestartPolicy.fromYaml("on-failure")).contains(RestartPolicy.ON_FAILURE);
        assertThat(RestartPolicy.fromYaml("always")).contains(RestartPolicy.ALWAYS);
        assertThat(RestartPolicy.fromYaml("no")).contains(RestartPolicy.NO);
        assertThat(RestartPolicy.fromYaml("on_failure")).isEmpty();
        assertThat(Condition.fromYaml("healthy")).contains(Condition.HEALTHY);
        assertThat(Condition.fromYaml("ready")).isEmpty();
    }

    @Test
    void suggestsTheClosestKeyWithinTwoEdits() {
        List<String> known = ProcessBinder.KEYS;

        assertThat(KeySuggestions.closest("restrat", known)).contains("restart");
        assertThat(KeySuggestions.closest("depends-on", known)).contains("depends_on");
        assertThat(KeySuggestions.closest("Command", known)).contains("command");
        assertThat(KeySuggestions.closest("stop_timout", known)).contains("stop_timeout");
        assertThat(KeySuggestions.closest("healthcheck", known)).isEmpty();
        assertThat(KeySuggestions.distance("restrat", "restart")).isEqualTo(1);
        assertThat(KeySuggestions.distance("", "abc")).isEqualTo(3);
    }

    @Test
    void checksHostPortAddresses() {
        assertThat(HostPort.problem("127.0.0.1:8080", 1)).isEmpty();
        assertThat(HostPort.problem("localhost:${PORT}", 1)).isEmpty();
        assertThat(HostPort.problem("[::1]:9000", 1)).isEmpty();
        assertThat(HostPort.problem("0.0.0.0:0", 0)).isEmpty();
        assertThat(HostPort.problem("0.0.0.0:0", 1)).contains("port 0 is out of range (1-65535) in \"0.0.0.0:0\"");
        assertThat(HostPort.problem("localhost", 1))
                .contains("expected host:port like 127.0.0.1:8080, got \"localhost\"");
        assertThat(HostPort.problem(":8080", 1)).isPresent();
        assertThat(HostPort.problem("::1:8080", 1)).isPresent();
        assertThat(HostPort.problem("host:http", 1)).isPresent();
        assertThat(HostPort.problem("host:70000", 1)).isPresent();
    }
}
