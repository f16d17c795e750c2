package dev.drover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {
    @Test
    void childrenDoNotInheritTheVariablesThatSpeakForDroverToSystemd() {
        Map<String, String> own = Map.of(
                "PATH",
                "/usr/bin",
                "HOME",
                "/root",
                "NOTIFY_SOCKET",
                "/run/systemd/notify",
                "WATCHDOG_USEC",
                "30000000",
                "WATCHDOG_PID",
                "42",
                "LISTEN_FDS",
                "2",
                "LISTEN_PID",
                "42",
                "LISTEN_FDNAMES",
                "a:b");
        assertThat(ChildEnvironment.inherited(own)).isEqualTo(Map.of("PATH", "/usr/bin", "HOME", "/root"));
    }
}
