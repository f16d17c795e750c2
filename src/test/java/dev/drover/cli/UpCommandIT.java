package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `drover up` in the foreground, run as the real jar. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UpCommandIT {
    @TempDir
    Path dir;

    @Test
    void runsTheProcessesWithPrefixedOutputAndStopsEverythingOnSigint() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  web:
                    command: "echo serving; exec sleep 300"
                    readiness: {exec: "true", interval: 100ms}
                  background-worker:
                    command: "echo working >&2; exec sleep 300"
                    depends_on: {web: {condition: healthy}}
                """);
        try (DroverProcess drover = DroverProcess.start(dir, "up")) {
            drover.awaitLine("background-worker | working");
            drover.awaitLine("web               | serving");
            Waits.until(
                    Duration.ofSeconds(10),
                    "two started (pid N) lines",
                    () -> drover.startedChildren().size() == 2,
                    drover::text);
            List<ProcessRef> children = drover.startedChildren();
            assertThat(drover.text()).doesNotContain("\033[");
            assertThat(drover.text()).contains("web               | [drover] ready");

            drover.signal(Signals.SIGINT);

            assertThat(drover.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(children).noneMatch(ProcessRef::isAlive);
            String text = drover.text();
            assertThat(text.indexOf("background-worker | [drover] stopped"))
                    .isLessThan(text.indexOf("web               | [drover] stopped"));
            assertThat(text).contains("all processes stopped");
        }
    }

    @Test
    void aSecondSigintKillsAtOnceWithoutWaitingForStopTimeout() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  stubborn:
                    command: "trap '' TERM INT; echo trapped; while :; do sleep 0.1; done"
                    stop_timeout: 60s
                """);
        try (DroverProcess drover = DroverProcess.start(dir, "up")) {
            drover.awaitLine("trapped");
            // Drover's "started (pid N)" may be printed just after the child's first line.
            Waits.until(
                    Duration.ofSeconds(10),
                    "a started (pid N) line",
                    () -> !drover.startedChildren().isEmpty(),
                    drover::text);
            ProcessRef child = drover.startedChildren().getFirst();
            drover.signal(Signals.SIGINT);
            drover.awaitLine("stopping (Ctrl-C again");
            long start = System.nanoTime();
            drover.signal(Signals.SIGINT);
            assertThat(drover.waitFor(Duration.ofSeconds(20))).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(child.isAlive()).isFalse();
            assertThat(drover.text()).contains("killing everything now");
        }
    }

    @Test
    void sigtermStopsGracefullyToo() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  one: {command: "exec sleep 300"}
                """);
        try (DroverProcess drover = DroverProcess.start(dir, "up")) {
            Waits.until(
                    Duration.ofSeconds(10),
                    "a started (pid N) line",
                    () -> !drover.startedChildren().isEmpty(),
                    drover::text);
            ProcessRef child = drover.startedChildren().getFirst();
            drover.signal(Signals.SIGTERM);
            assertThat(drover.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(child.isAlive()).isFalse();
        }
    }

    @Test
    void upWithNamesStartsOnlyThoseAndTheirDependencies() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  db: {command: "echo db-up; exec sleep 300"}
                  api:
                    command: "echo api-up; exec sleep 300"
                    depends_on: [db]
                  unrelated: {command: "echo unrelated-up; exec sleep 300"}
                """);
        try (DroverProcess drover = DroverProcess.start(dir, "up", "api")) {
            drover.awaitLine("api-up");
            drover.awaitLine("db-up");
            drover.signal(Signals.SIGTERM);
            assertThat(drover.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(drover.text()).doesNotContain("unrelated-up");
        }
    }

    @Test
    void anUnknownNameIsAnErrorListingTheKnownOnes() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  db: {command: "exec sleep 300"}
                """);
        DroverProcess drover = DroverProcess.run(dir, "up", "dbb");
        assertThat(drover.exitCode()).isEqualTo(1);
        assertThat(drover.text()).contains("unknown process dbb (known: db)");
        // a replica number that does not exist is refused before any daemon starts
        DroverProcess detached = DroverProcess.run(dir, "up", "-d", "db.7");
        assertThat(detached.exitCode()).isEqualTo(1);
        assertThat(detached.text()).contains("unknown process db.7 (known: db)");
        assertThat(dir.resolve(".drover/drover.pid")).doesNotExist();
    }

    @Test
    void anInvalidConfigurationStartsNothing() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  db:
                    comand: "exec sleep 300"
                """);
        DroverProcess drover = DroverProcess.run(dir, "up");
        assertThat(drover.exitCode()).isEqualTo(1);
        assertThat(drover.text()).contains("drover.yaml:3:5").contains("did you mean `command`");
    }

    @Test
    void asPid1InItsOwnPidNamespaceItReapsEveryOrphan() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare is not installed");
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  spawner:
                    command: "for i in $(seq 50); do (sleep 0.1 &); done; echo spawned; exec sleep 300"
                """);
        List<String> command = List.of(
                "/usr/bin/unshare",
                "--pid",
                "--fork",
                "--mount-proc",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                DroverProcess.jar(),
                "up");
        Process unshare = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .start();
        try {
            Waits.until(
                    Duration.ofSeconds(30),
                    "spawned in drover's output",
                    () -> Files.readString(dir.resolve("out.txt")).contains("spawned"),
                    () -> "unshare " + Describe.process(unshare.pid()) + "\n" + Describe.file(dir.resolve("out.txt")));
            ProcessRef drover = ProcChildren.onlyChildOf(unshare.pid());
            assertThat(drover).isNotNull();
            // The 50 orphans end after 0.1 s; as PID 1, drover must reap them all.
            Waits.until(
                    Duration.ofSeconds(20),
                    "drover, as PID 1, to have reaped every orphan",
                    () -> ProcChildren.zombieChildren(drover.pid()) == 0 && ProcChildren.children(drover.pid()) == 1,
                    () -> "drover " + Describe.process(drover) + ": " + ProcChildren.children(drover.pid())
                            + " children, " + ProcChildren.zombieChildren(drover.pid()) + " of them zombies\n"
                            + Describe.file(dir.resolve("out.txt")));
            // Said once the API serves, which is after the first spawn: wait for it too.
            Waits.until(
                    Duration.ofSeconds(20),
                    "supervising in drover's output",
                    () -> Files.readString(dir.resolve("out.txt")).contains("supervising 1 processes"),
                    () -> Describe.file(dir.resolve("out.txt")));
        } finally {
            Signals.send(ProcessRef.of((int) unshare.pid()), Signals.SIGTERM);
            ProcessRef drover = ProcChildren.onlyChildOf(unshare.pid());
            if (drover != null) {
                Signals.send(drover, Signals.SIGTERM);
            }
            if (!unshare.waitFor(20, TimeUnit.SECONDS)) {
                unshare.destroyForcibly();
            }
        }
    }
}
