package dev.drover.config;

import static dev.drover.config.TestConfigs.errors;
import static dev.drover.config.TestConfigs.onlyError;
import static dev.drover.config.TestConfigs.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** notify: true and watchdog: what they read into, and what they refuse. */
class NotifyConfigTest {
    @Test
    void notifyWithAWatchdogReadsIntoTheSpecAndWithoutNotifyThereIsNone() throws Exception {
        DroverConfig config = parse("""
                processes:
                  worker:
                    command: ./worker
                    notify: true
                    watchdog: 10s
                  plain:
                    command: ./plain
                    notify: false
                  bare:
                    command: ./bare
                    notify: true
                """);
        assertThat(config.processes().get("worker").sdNotify()).isEqualTo(new NotifySpec(Duration.ofSeconds(10)));
        assertThat(config.processes().get("plain").sdNotify()).isNull();
        assertThat(config.processes().get("bare").sdNotify()).isEqualTo(new NotifySpec(null));
    }

    @Test
    void aWatchdogWithoutNotifyIsRefusedWhereItIs() {
        ConfigError error = onlyError("""
                processes:
                  worker:
                    command: ./worker
                    watchdog: 10s
                """);
        assertThat(error.key()).isEqualTo("processes.worker.watchdog");
        assertThat(error.line()).isEqualTo(4);
        assertThat(error.message())
                .isEqualTo("watchdog needs notify: true (the process pings with WATCHDOG=1 over its NOTIFY_SOCKET)");
    }

    @Test
    void aReadinessProbeBesideNotifyIsRefused() {
        ConfigError error = onlyError("""
                processes:
                  worker:
                    command: ./worker
                    notify: true
                    readiness: {exec: "true"}
                """);
        assertThat(error.key()).isEqualTo("processes.worker.readiness");
        assertThat(error.message())
                .isEqualTo("a process with notify: true is ready when it sends READY=1; remove readiness (or notify)");
    }

    @Test
    void badWatchdogDurationsAndABadNotifyValueAreReported() {
        assertThat(errors("""
                        processes:
                          a:
                            command: ./a
                            notify: true
                            watchdog: 0s
                          b:
                            command: ./b
                            notify: true
                            watchdog: soon
                          c:
                            command: ./c
                            notify: yes please
                          d:
                            command: ./d
                            notify: true
                            watchdog: -5s
                        """))
                .extracting(ConfigError::key, ConfigError::line)
                .containsExactlyInAnyOrder(
                        tuple("processes.a.watchdog", 5),
                        tuple("processes.b.watchdog", 9),
                        tuple("processes.c.notify", 12),
                        tuple("processes.d.watchdog", 16));
        assertThat(onlyError("""
                        processes:
                          a:
                            command: ./a
                            notify: true
                            watchdog: 0s
                        """).message()).isEqualTo("must be longer than 0");
    }

    @Test
    void aMisspelledWatchdogGetsASuggestion() {
        assertThat(onlyError("""
                        processes:
                          a:
                            command: ./a
                            notify: true
                            watchdg: 5s
                        """).message()).isEqualTo("unknown key `watchdg`; did you mean `watchdog`?");
    }
}
