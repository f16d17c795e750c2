package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** notify: true through the real daemon and CLI: `up -d` waits for READY=1; STATUS= shows in ps and its JSON. */
@Timeout(180)
class NotifyIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Says it is warming up, waits for the file "go", then says READY=1 with its status, and pings its watchdog. */
    private static final String SPEAKER = """
            import os, socket, time
            address = os.environ["NOTIFY_SOCKET"]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(b"STATUS=warming up", address)
            while not os.path.exists("go"):
                time.sleep(0.02)
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
        drover = new DaemonHarness(dir);
    }

    @AfterEach
    void tearDown() {
        drover.close();
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
                    command: "sleep 1; touch go; exec sleep 300"
                """);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(Files.exists(dir.resolve("go")))
                .as("up returned only after READY=1, which waits for go")
                .isTrue();
        Waits.until(
                WAIT,
                "svc ready with its STATUS= in ps",
                () -> drover.run("ps").output().contains("status: serving 3 clients"),
                () -> drover.run("ps").toString() + drover.daemonLogText());
        var svc = drover.processes().get("svc");
        assertThat(svc.get("health").asText()).isEqualTo("ready");
        assertThat(svc.get("sdNotify").get("status").asText()).isEqualTo("serving 3 clients");
        assertThat(svc.get("sdNotify").get("lastWatchdog").asLong()).isPositive();
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
