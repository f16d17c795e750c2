package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The background daemon and the commands that control it, run as the real jar. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<ProcessRef> toKill = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        if (Files.exists(dir.resolve(".drover/drover.sock"))) {
            DroverProcess.run(dir, "down");
        }
        for (ProcessRef ref : toKill) {
            Signals.send(ref, Signals.SIGKILL);
        }
    }

    private void config(String yaml) throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), yaml);
    }

    private DroverProcess drover(String... args) throws Exception {
        return DroverProcess.run(dir, args);
    }

    /** name → pid, from `ps --json`. */
    private Map<String, Integer> pids() throws Exception {
        DroverProcess ps = drover("ps", "--json");
        assertThat(ps.exitCode()).as(ps.text()).isZero();
        Map<String, Integer> pids = new HashMap<>();
        for (JsonNode p : JSON.readTree(ps.text()).get("processes")) {
            pids.put(p.get("id").asText(), p.get("pid").asInt());
        }
        return pids;
    }

    /** For a wait that ran out: `drover ps` and the end of the daemon's log. */
    private String seen() {
        return DroverProcess.psAndLog(dir);
    }

    private ProcessRef daemon() throws Exception {
        return ProcessRef.of(Integer.parseInt(
                Files.readString(dir.resolve(".drover/drover.pid")).trim()));
    }

    private static final String TWO_SERVICES = """
            processes:
              db:
                command: "echo db up; exec sleep 300"
                readiness: {exec: "true", interval: 100ms}
              api:
                command: "echo api up; exec sleep 300"
                depends_on: {db: {condition: healthy}}
            """;

    @Test
    void upDetachedReturnsWhenReadyAndDownLeavesNothingBehind() throws Exception {
        config(TWO_SERVICES);
        DroverProcess up = drover("up", "-d");
        assertThat(up.exitCode()).as(up.text()).isZero();
        assertThat(up.text()).contains("2 processes ready");
        ProcessRef daemon = daemon();
        Map<String, Integer> pids = pids();
        assertThat(pids.values()).allMatch(pid -> pid > 0);
        List<ProcessRef> children = pids.values().stream().map(ProcessRef::of).toList();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(".drover/drover.sock"))))
                .isEqualTo("rw-------");

        DroverProcess ps = drover("ps");
        assertThat(ps.output().getFirst())
                .startsWith("NAME")
                .contains("STATE")
                .contains("HEALTH")
                .contains("PID")
                .contains("UPTIME")
                .contains("RESTARTS")
                .contains("CPU")
                .contains("MEM")
                .contains("PORT");
        assertThat(ps.text()).containsPattern("api\\s+running\\s+ready");

        DroverProcess down = drover("down");
        assertThat(down.exitCode()).as(down.text()).isZero();
        assertThat(children).noneMatch(ProcessRef::isAlive);
        assertThat(daemon.isRunning()).isFalse();
        assertThat(dir.resolve(".drover/drover.sock")).doesNotExist();
        assertThat(dir.resolve(".drover/drover.pid")).doesNotExist();
        assertThat(drover("ps").exitCode()).isEqualTo(3);
    }

    @Test
    void aSecondDaemonForTheSameProjectIsRefused() throws Exception {
        config(TWO_SERVICES);
        assertThat(drover("up", "-d").exitCode()).isZero();
        int pid = daemon().pid();
        DroverProcess second = drover("up", "-d");
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.text()).contains("already running").contains("pid " + pid);
        assertThat(pids()).hasSize(2);
    }

    @Test
    void afterTheDaemonIsKilledTheNextOneStopsTheOrphansAndStartsNoDuplicate() throws Exception {
        config(TWO_SERVICES);
        assertThat(drover("up", "-d").exitCode()).isZero();
        ProcessRef daemon = daemon();
        List<ProcessRef> oldChildren =
                pids().values().stream().map(ProcessRef::of).toList();
        toKill.addAll(oldChildren);

        Signals.send(daemon, Signals.SIGKILL);
        Waits.until(
                Duration.ofSeconds(10),
                "the killed daemon to be gone",
                () -> !daemon.isAlive(),
                () -> "daemon " + Describe.process(daemon));
        assertThat(oldChildren).allMatch(ProcessRef::isAlive);
        // The socket and pid files are stale now: nobody answers, and ps says what the dead daemon left.
        DroverProcess ps = drover("ps");
        assertThat(ps.exitCode()).isEqualTo(3);
        assertThat(ps.text()).contains("2 of its processes are still running").contains("drover cleanup");

        DroverProcess up = drover("up", "-d");
        assertThat(up.exitCode()).as(up.text()).isZero();
        // Orphans of the dead daemon: killed, they may stay zombies until init reaps them.
        assertThat(oldChildren).noneMatch(ProcessRef::isRunning);
        Map<String, Integer> fresh = pids();
        assertThat(fresh).hasSize(2);
        assertThat(fresh.values())
                .doesNotContainAnyElementsOf(
                        oldChildren.stream().map(ProcessRef::pid).toList());
        assertThat(Files.readString(dir.resolve(".drover/drover.log"))).contains("left running by an earlier daemon");
    }

    @Test
    void commandsWithoutADaemonExitWith3AndSayHowToStartOne() throws Exception {
        config(TWO_SERVICES);
        for (String command : List.of("ps", "health", "reload", "down")) {
            DroverProcess result = drover(command);
            assertThat(result.exitCode()).as(command).isEqualTo(3);
            assertThat(result.text()).contains("drover up -d");
        }
        DroverProcess stop = drover("stop", "api");
        assertThat(stop.exitCode()).isEqualTo(3);
    }

    @Test
    void errorPathsOfEveryCommand() throws Exception {
        config(TWO_SERVICES);
        assertThat(drover("up", "-d").exitCode()).isZero();
        for (String command : List.of("start", "stop", "restart")) {
            DroverProcess unknown = drover(command, "nope");
            assertThat(unknown.exitCode()).as(command).isEqualTo(1);
            assertThat(unknown.text()).contains("unknown process nope (known: db, api)");
            assertThat(drover(command).exitCode())
                    .as(command + " without names")
                    .isEqualTo(2);
        }
        assertThat(drover("logs", "-n", "many").exitCode()).isEqualTo(2);
        assertThat(drover("signal", "api").exitCode()).isEqualTo(2);
        DroverProcess badSignal = drover("signal", "api", "NOPE");
        assertThat(badSignal.exitCode()).isEqualTo(1);
        assertThat(badSignal.text()).contains("unknown signal NOPE");
        assertThat(drover("ps", "--frobnicate").exitCode()).isEqualTo(2);
        assertThat(drover("logs", "nope").exitCode()).isEqualTo(1);
    }

    @Test
    void startStopRestartSignalAndLogsHappyPaths() throws Exception {
        config("""
                processes:
                  svc:
                    command: "trap 'echo got usr1' USR1; echo svc up; while :; do sleep 0.05; done"
                """);
        assertThat(drover("up", "-d").exitCode()).isZero();
        int first = pids().get("svc");
        assertThat(drover("restart", "svc").exitCode()).isZero();
        Waits.until(
                Duration.ofSeconds(20),
                "svc to run again (not pid " + first + ")",
                () -> pids().get("svc") != first && pids().get("svc") > 0,
                this::seen);
        Waits.until(
                Duration.ofSeconds(10),
                "svc up twice in the logs",
                () -> drover("logs", "svc")
                                .text()
                                .lines()
                                .filter(l -> l.endsWith("svc up"))
                                .count()
                        == 2,
                () -> DroverProcess.attempt(dir, "logs", "svc") + seen());

        assertThat(drover("signal", "svc", "USR1").exitCode()).isZero();
        Waits.until(
                Duration.ofSeconds(10),
                "got usr1 in the logs",
                () -> drover("logs", "-n", "5", "svc").text().contains("svc | got usr1"),
                () -> DroverProcess.attempt(dir, "logs", "-n", "5", "svc") + seen());

        assertThat(drover("stop", "svc").exitCode()).isZero();
        Waits.until(Duration.ofSeconds(20), "svc to stop", () -> pids().get("svc") == 0, this::seen);
        // stopped on purpose: not running, and not unhealthy either
        assertThat(drover("health").exitCode()).isZero();
        assertThat(drover("ps").text()).containsPattern("svc\\s+stopped");
        assertThat(drover("start", "--all").exitCode()).isZero();
        Waits.until(
                Duration.ofSeconds(20),
                "drover health to exit 0",
                () -> drover("health").exitCode() == 0,
                () -> DroverProcess.attempt(dir, "health") + seen());
        assertThat(drover("logs", "-n", "2", "svc").output()).hasSize(2);
    }

    @Test
    void healthFailsWhileAProcessThatShouldRunIsNotReady() throws Exception {
        Files.writeString(dir.resolve("ready"), "");
        config("""
                processes:
                  svc:
                    command: "exec sleep 300"
                    readiness: {exec: "test -f ready", interval: 100ms, failure_threshold: 1}
                """);
        assertThat(drover("up", "-d").exitCode()).isZero();
        assertThat(drover("health").exitCode()).isZero();
        Files.delete(dir.resolve("ready"));
        Waits.until(
                Duration.ofSeconds(20),
                "drover health to exit 1",
                () -> drover("health").exitCode() == 1,
                () -> DroverProcess.attempt(dir, "health") + seen());
        assertThat(drover("health").text()).contains("unhealthy").contains("svc: running, not_ready");
        Files.writeString(dir.resolve("ready"), "");
        Waits.until(
                Duration.ofSeconds(20),
                "drover health to exit 0",
                () -> drover("health").exitCode() == 0,
                () -> DroverProcess.attempt(dir, "health") + seen());
    }

    @Test
    void logsFollowKeepsFollowingAcrossARestart() throws Exception {
        config("""
                processes:
                  ticker:
                    command: "echo run $$$$; while :; do echo tick; sleep 0.1; done"
                """);
        assertThat(drover("up", "-d").exitCode()).isZero();
        int first = pids().get("ticker");
        try (DroverProcess follow = DroverProcess.start(dir, "logs", "--follow", "-n", "0", "ticker")) {
            follow.awaitLine("ticker | tick");
            assertThat(drover("restart", "ticker").exitCode()).isZero();
            Waits.until(
                    Duration.ofSeconds(20),
                    "ticker to run again (not pid " + first + ")",
                    () -> pids().get("ticker") != first && pids().get("ticker") > 0,
                    () -> "drover logs --follow printed:\n" + follow.text() + "\n" + seen());
            int second = pids().get("ticker");
            follow.awaitLine("ticker | run " + second);
            follow.awaitLine("[drover] started (pid " + second + ")");
        }
    }

    @Test
    void eventsPrintsEachStateChangeAsItHappens() throws Exception {
        config(TWO_SERVICES);
        assertThat(drover("up", "-d").exitCode()).isZero();
        int before = pids().get("api");
        try (DroverProcess events = DroverProcess.start(dir, "events");
                DroverProcess json = DroverProcess.start(dir, "events", "--json")) {
            // Both streams are open once a restart shows up in them; restart until it does.
            Waits.until(
                    Duration.ofSeconds(30),
                    "a restart in both event streams",
                    () -> {
                        drover("restart", "api");
                        return events.text().contains("api running -> stopping")
                                && json.text().contains("\"previousState\":\"stopping\"");
                    },
                    () -> "drover events printed:\n" + events.text() + "\ndrover events --json printed:\n" + json.text()
                            + "\n" + seen());
            events.awaitLine("api starting -> running");
            assertThat(events.text()).containsPattern("api stopping -> starting: stopped \\(killed by SIGTERM\\)");
            JsonNode first = JSON.readTree(json.output().getFirst());
            assertThat(first.get("process").asText()).isEqualTo("api");
            assertThat(first.get("time").asLong()).isPositive();
        }
        assertThat(pids().get("api")).isNotEqualTo(before);
        DroverProcess bad = drover("events", "api");
        assertThat(bad.exitCode()).isEqualTo(2);
    }

    @Test
    void reloadRestartsOnlyWhatChanged() throws Exception {
        config("""
                processes:
                  same: {command: "exec sleep 300"}
                  changed: {command: "exec sleep 300"}
                  removed: {command: "exec sleep 300"}
                """);
        assertThat(drover("up", "-d").exitCode()).isZero();
        Map<String, Integer> before = pids();
        ProcessRef removed = ProcessRef.of(before.get("removed"));
        config("""
                processes:
                  same: {command: "exec sleep 300"}
                  changed: {command: "exec sleep 301"}
                  added: {command: "exec sleep 300"}
                """);
        DroverProcess reload = drover("reload");
        assertThat(reload.exitCode()).as(reload.text()).isZero();
        assertThat(reload.text())
                .contains("restarted [changed]")
                .contains("added [added]")
                .contains("removed [removed]");
        Waits.until(
                Duration.ofSeconds(20),
                "added and changed to run",
                () -> pids().getOrDefault("added", 0) > 0 && pids().getOrDefault("changed", 0) > 0,
                this::seen);
        Map<String, Integer> after = pids();
        assertThat(after.get("same")).isEqualTo(before.get("same"));
        assertThat(after.get("changed")).isNotEqualTo(before.get("changed"));
        assertThat(after).doesNotContainKey("removed");
        assertThat(removed.isAlive()).isFalse();

        config("processes:\n  same: {command: \"exec sleep 300\", restart: sometimes}\n");
        DroverProcess invalid = drover("reload");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.text())
                .contains("nothing changed")
                .contains("drover.yaml:2:")
                .contains("sometimes");
        assertThat(pids()).isEqualTo(after);
    }

    @Test
    void sighupReloads() throws Exception {
        config("processes:\n  a: {command: \"exec sleep 300\"}\n");
        assertThat(drover("up", "-d").exitCode()).isZero();
        config("processes:\n  a: {command: \"exec sleep 300\"}\n  b: {command: \"exec sleep 300\"}\n");
        Signals.send(daemon(), Signals.SIGHUP);
        Waits.until(Duration.ofSeconds(20), "b to run", () -> pids().getOrDefault("b", 0) > 0, this::seen);
    }

    /** Stands in for systemd's notify socket: every datagram is appended to {@code messages}. */
    private Process notifyListener(Path socket, Path messages) throws Exception {
        Process listener = new ProcessBuilder("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                with open(sys.argv[2], "a") as out:
                    while True:
                        out.write(s.recv(4096).decode() + "\\n---\\n")
                        out.flush()
                """, socket.toString(), messages.toString()).start();
        try {
            Waits.until(
                    Duration.ofSeconds(10),
                    "the notify listener's socket",
                    () -> Files.exists(socket),
                    () -> "listener " + Describe.process(listener.pid()) + "\n" + Describe.directory(dir));
        } catch (AssertionError e) {
            listener.destroyForcibly();
            throw e;
        }
        return listener;
    }

    /** `drover daemon` as systemd runs it, told to notify {@code socket}. */
    private Process systemdDaemon(Path socket, String watchdogUsec) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                DroverProcess.jar(),
                "daemon"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.out").toFile());
        builder.environment().put("NOTIFY_SOCKET", socket.toString());
        if (watchdogUsec != null) {
            builder.environment().put("WATCHDOG_USEC", watchdogUsec);
        }
        return builder.start();
    }

    private Waits.Seen notified(Path messages, Process daemon) {
        return () -> Describe.file(messages) + "daemon " + Describe.process(daemon.pid()) + "\n"
                + Describe.file(dir.resolve("daemon.out"))
                + Describe.file(dir.resolve(".drover/drover.log"));
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    @Test
    void underSystemdItNotifiesReadyStatusWatchdogAndStopping() throws Exception {
        config(TWO_SERVICES);
        Path messages = dir.resolve("notify.txt");
        Path socket = dir.resolve("notify.sock");
        Process listener = notifyListener(socket, messages);
        try {
            Process daemon = systemdDaemon(socket, "400000");
            try {
                Waits.Seen notified = notified(messages, daemon);
                Waits.until(
                        Duration.ofSeconds(30), "READY=1", () -> read(messages).contains("READY=1"), notified);
                Waits.until(
                        Duration.ofSeconds(10),
                        "WATCHDOG=1",
                        () -> Files.readString(messages).contains("WATCHDOG=1"),
                        notified);
                assertThat(Files.readString(messages)).contains("STATUS=2 of 2 processes ready");
                Signals.send(ProcessRef.of((int) daemon.pid()), Signals.SIGTERM);
                assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
                // The listener writes each datagram as it takes it: perhaps after the daemon's exit.
                Waits.until(
                        Duration.ofSeconds(10),
                        "STOPPING=1",
                        () -> Files.readString(messages).contains("STOPPING=1"),
                        notified);
            } finally {
                daemon.destroyForcibly();
            }
        } finally {
            listener.destroyForcibly();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aReloadBeforeTheFirstReadyTellsSystemdNothingAndOneAfterItReloadingThenReady() throws Exception {
        Path go = dir.resolve("go");
        config("""
                processes:
                  slow:
                    command: "exec sleep 300"
                    readiness: {exec: "test -f %s", interval: 100ms}
                """.formatted(go));
        Path messages = dir.resolve("notify.txt");
        Path socket = dir.resolve("notify.sock");
        Path log = dir.resolve("daemon.out"); // `drover daemon` run directly writes to its stdout
        Process listener = notifyListener(socket, messages);
        try {
            Process daemon = systemdDaemon(socket, null);
            ProcessRef ref = ProcessRef.of((int) daemon.pid());
            try {
                Waits.Seen notified = notified(messages, daemon);
                Waits.until(
                        Duration.ofSeconds(30),
                        "the daemon to serve",
                        () -> read(log).contains(" serving "),
                        notified);
                Signals.send(ref, Signals.SIGHUP);
                Waits.until(
                        Duration.ofSeconds(20),
                        "the first reload",
                        () -> read(log).contains("reloaded:"),
                        notified);
                assertThat(read(messages))
                        .as("not ready yet: nothing to take back, nothing to announce")
                        .doesNotContain("RELOADING=1")
                        .doesNotContain("READY=1");

                Files.createFile(go);
                Waits.until(
                        Duration.ofSeconds(30), "READY=1", () -> read(messages).contains("READY=1"), notified);
                Signals.send(ref, Signals.SIGHUP);
                Waits.until(
                        Duration.ofSeconds(20),
                        "RELOADING=1, then READY=1 again",
                        () -> read(messages).contains("RELOADING=1")
                                && read(messages)
                                                .indexOf(
                                                        "READY=1",
                                                        read(messages).indexOf("RELOADING=1"))
                                        > 0,
                        notified);
                Signals.send(ref, Signals.SIGTERM);
                assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
                Waits.until(
                        Duration.ofSeconds(10),
                        "STOPPING=1",
                        () -> read(messages).contains("STOPPING=1"),
                        notified);
            } finally {
                daemon.destroyForcibly();
            }
        } finally {
            listener.destroyForcibly();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theSystemdUnitPassesSystemdAnalyzeVerify() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
        config(TWO_SERVICES);
        DroverProcess print = drover("install", "systemd", "--print");
        assertThat(print.exitCode()).isZero();
        String unit = print.text() + "\n";
        assertThat(unit)
                .contains("Type=notify")
                .contains("WatchdogSec=")
                .contains("Restart=on-failure")
                .contains("KillMode=mixed");
        Path file = dir.resolve("drover-test.service");
        Files.writeString(file, unit);
        Process verify = new ProcessBuilder("systemd-analyze", "verify", file.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(verify.getInputStream().readAllBytes());
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain(file.getFileName().toString() + ":");
    }
}
