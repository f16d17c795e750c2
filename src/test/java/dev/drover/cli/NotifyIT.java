package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** notify: true through the real daemon and CLI: `up -d` waits for READY=1; STATUS= shows in ps and its JSON. */
@Timeout(180)
class NotifyIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * Says it is warming up, takes 2 s to warm up, leaves the file "ready-sent" just before it says
     * READY=1 with its status, then pings its watchdog.
     */
    private static final String SPEAKER = """
            import os, socket, time
            address = os.environ["NOTIFY_SOCKET"]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(b"STATUS=warming up", address)
            time.sleep(2)
            open("ready-sent", "w").close()
            s.sendto(b"READY=1\\nSTATUS=serving 3 clients", address)
            while True:
                s.sendto(b"WATCHDOG=1", address)
                time.sleep(0.2)
            """;

    @TempDir
    Path dir;

    private DaemonHarness drover;

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(
                Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "python3"))),
                "python3 is needed for the sd_notify speaker");
        drover = new DaemonHarness(dir);
    }

    @AfterEach
    void tearDown() {
        if (drover != null) {
            drover.close();
        }
    }

    @Test
    void upWaitsForReadyAndPsShowsTheStatusTheProcessSent() throws Exception {
        Files.writeString(dir.resolve("speaker.py"), SPEAKER);
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  svc:
                    command: [python3, speaker.py]
                    notify: true
                    watchdog: 5s
                  go:
                    command: "exec sleep 300"
                    min_uptime: 0s
                """);
        // Nothing else holds up `up`: go is up as soon as it runs, so only svc's READY=1 can.
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        var svc = drover.processes().get("svc");
        assertThat(Files.exists(dir.resolve("ready-sent")))
                .as("up returned only after svc sent READY=1: " + svc + "\n" + drover.daemonLogText())
                .isTrue();
        assertThat(svc.get("health").asText()).as(svc.toString()).isEqualTo("ready");
        assertThat(svc.get("sdNotify").get("status").asText()).isEqualTo("serving 3 clients");
        assertThat(drover.run("ps").output()).contains("status: serving 3 clients");
        Waits.until(
                WAIT,
                "svc's first WATCHDOG=1 recorded",
                () -> drover.processes()
                                .get("svc")
                                .get("sdNotify")
                                .get("lastWatchdog")
                                .asLong()
                        > 0,
                () -> drover.processes().get("svc").toString());
        var go = drover.processes().get("go").get("sdNotify");
        assertThat(go == null || go.isNull())
                .as("no sdNotify for a process without notify: " + go)
                .isTrue();

        DaemonHarness.Result down = drover.run("down");
        assertThat(down.exitCode()).as(down.toString()).isZero();
        Path notifyDir = dir.resolve(".drover/notify");
        try (Stream<Path> left = Files.isDirectory(notifyDir) ? Files.list(notifyDir) : Stream.empty()) {
            assertThat(left.toList()).as("socket files removed at down").isEmpty();
        }
    }
}
