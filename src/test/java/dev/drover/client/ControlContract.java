package dev.drover.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.api.TestEngines;
import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessEvent;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import dev.drover.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Control} does, run against the in-process engine and against the remote
 * client talking to a real API server; real processes throughout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ControlContract {
    static final Duration WAIT = Duration.ofSeconds(20);

    private static final String TWO_SLEEPERS = """
            processes:
              web:
                command: "exec sleep 300"
                min_uptime: 0s
              worker:
                command: "exec sleep 300"
                min_uptime: 0s
            """;

    @TempDir
    Path dir;

    private TestEngines engines;
    Engine engine;
    Control control;

    /** The implementation under test, over {@code engine}; {@code dir} is the test's temp dir. */
    abstract Control controlFor(Engine engine, Path dir) throws Exception;

    /** Releases what {@link #controlFor} set up, before the engines are stopped. */
    void release() {}

    @BeforeEach
    void createEngines() {
        engines = new TestEngines(dir);
    }

    @AfterEach
    void stopEverything() {
        try {
            release();
        } finally {
            engines.close();
        }
    }

    private void start(String yaml) throws Exception {
        engine = engines.start(yaml);
        control = controlFor(engine, dir);
    }

    @Test
    void eventsFollowEveryStateChangeInOrderUntilClosed() throws Exception {
        start(TWO_SLEEPERS);
        Waits.until(WAIT, "web to run", () -> control.process("web").state().equals("running"), this::seen);
        // Worker too: were it still starting, its events would land among those of web's restart.
        awaitRunning("worker");
        int before = control.process("web").pid();
        List<ProcessEvent> events = new CopyOnWriteArrayList<>();
        AutoCloseable follow = control.followEvents(events::add);
        control.restart("web");
        Waits.until(
                WAIT,
                "an event of web running again",
                () -> events.stream()
                        .anyMatch(e -> e.process().equals("web") && e.state().equals("running")),
                () -> "events: " + events + "\n" + seen());
        List<String> steps = events.stream()
                .filter(e -> e.process().equals("web"))
                .map(e -> e.previousState() + "->" + e.state())
                .toList();
        assertThat(steps).containsExactly("running->stopping", "stopping->starting", "starting->running");
        ProcessEvent stopping = events.getFirst();
        assertThat(stopping.pid()).isEqualTo(before);
        assertThat(stopping.reason()).isEqualTo("stopping");
        ProcessEvent running = events.getLast();
        assertThat(running.pid()).isNotEqualTo(before).isPositive();
        assertThat(running.reason()).isEqualTo("started (pid " + running.pid() + ")");
        assertThat(running.health()).isEqualTo("ready");
        assertThat(events).extracting(ProcessEvent::time).isSorted();
        assertThat(events).noneMatch(e -> e.process().equals("worker"));

        follow.close();
        int seen = events.size();
        control.stop("worker");
        Waits.until(
                WAIT, "worker to stop", () -> control.process("worker").state().equals("stopped"), this::seen);
        assertThat(events).as("nothing after close").hasSize(seen);
    }

    @Test
    void listsEveryProcessWithItsState() throws Exception {
        start(TWO_SLEEPERS);
        awaitRunning("web");
        awaitRunning("worker");
        List<ProcessInfo> processes = control.processes();
        assertThat(processes).extracting(ProcessInfo::id).containsExactly("web", "worker");
        assertThat(processes).allSatisfy(p -> {
            assertThat(p.state()).isEqualTo("running");
            assertThat(p.health()).isEqualTo("ready");
            assertThat(p.pid()).isPositive();
            assertThat(p.startTime()).isPositive();
            assertThat(TestEngines.alive(p.pid())).isTrue();
        });
        assertThat(control.process("web")).satisfies(p -> {
            assertThat(p.name()).isEqualTo("web");
            assertThat(p.pid()).isEqualTo(processes.getFirst().pid());
        });
    }

    @Test
    void anUnknownIdIsA404ThatListsTheKnownIds() throws Exception {
        start(TWO_SLEEPERS);
        List<ThrowingCallable> calls = List.of(
                () -> control.process("nope"),
                () -> control.start("nope"),
                () -> control.stop("nope"),
                () -> control.restart("nope"),
                () -> control.signal("nope", "HUP"),
                () -> control.logs("nope", 10),
                () -> control.followLogs(List.of("nope"), entry -> {}));
        for (ThrowingCallable call : calls) {
            assertThatExceptionOfType(ControlException.class).isThrownBy(call).satisfies(e -> {
                assertThat(e.status()).isEqualTo(404);
                assertThat(e.getMessage()).contains("nope").contains("web").contains("worker");
            });
        }
    }

    @Test
    void stopStartAndRestartChangeTheState() throws Exception {
        start("""
                processes:
                  svc:
                    command: "exec sleep 300"
                """);
        int first = awaitRunning("svc");
        control.stop("svc");
        Waits.until(WAIT, "svc to stop", () -> control.process("svc").state().equals("stopped"), this::seen);
        assertThat(control.process("svc").pid()).isZero();
        Waits.until(
                WAIT,
                "the first child to be gone",
                () -> !TestEngines.alive(first),
                () -> Describe.process(first) + "\n" + seen());

        assertThat(control.start("svc").id()).isEqualTo("svc");
        int second = awaitRunning("svc");
        assertThat(second).isNotEqualTo(first);

        control.restart("svc");
        Waits.until(
                WAIT,
                "svc to run again (not pid " + second + ")",
                () -> {
                    ProcessInfo p = control.process("svc");
                    return p.state().equals("running") && p.pid() != second;
                },
                this::seen);
        assertThat(TestEngines.alive(second)).isFalse();
        assertThat(TestEngines.alive(control.process("svc").pid())).isTrue();
    }

    @Test
    void signalReachesTheProcessAndABadSignalIsA400() throws Exception {
        start("""
                processes:
                  trapper:
                    command: "trap 'echo got USR1' USR1; echo armed; while true; do sleep 0.1; done"
                """);
        int pid = awaitRunning("trapper");
        Waits.until(WAIT, "trapper to print armed", () -> lines("trapper").contains("armed"), () -> seen("trapper"));

        ProcessInfo signalled = control.signal("trapper", "USR1");
        assertThat(signalled.pid()).isEqualTo(pid);
        Waits.until(
                WAIT, "trapper to print got USR1", () -> lines("trapper").contains("got USR1"), () -> seen("trapper"));
        assertThat(control.process("trapper").pid()).isEqualTo(pid);

        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> control.signal("trapper", "NOPE"))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("NOPE");
                });
    }

    @Test
    void logsAreTheLastLinesOldestFirst() throws Exception {
        start("""
                processes:
                  counter:
                    command: "for i in $(seq 1 20); do echo line-$i; done; exec sleep 300"
                """);
        awaitRunning("counter");
        Waits.until(
                WAIT,
                "line-20 and the started line in the logs",
                () -> lines("counter").contains("line-20")
                        && control.logs("counter", 100).stream()
                                .anyMatch(e ->
                                        e.stream().equals("drover") && e.line().startsWith("started")),
                () -> seen("counter"));

        List<LogEntry> all = control.logs("counter", 100);
        List<String> output = all.stream()
                .filter(e -> e.stream().equals("stdout"))
                .map(LogEntry::line)
                .toList();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expected.add("line-" + i);
        }
        assertThat(output).isEqualTo(expected);
        assertThat(all).allSatisfy(e -> assertThat(e.process()).isEqualTo("counter"));
        assertThat(all).extracting(LogEntry::time).isSorted();

        assertThat(control.logs("counter", 5)).isEqualTo(all.subList(all.size() - 5, all.size()));
        assertThat(control.logs("counter", 0)).isEmpty();
        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> control.logs("counter", -1))
                .satisfies(e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void followingGetsNewLinesInOrderUntilClosed() throws Exception {
        start("""
                processes:
                  ticker:
                    command: "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.02; done"
                """);
        awaitRunning("ticker");
        // Its "ready (up for 1s)" (min_uptime) must not land among the followed lines: it comes first.
        Waits.until(
                WAIT,
                "ticker's ready line",
                () -> control.logs("ticker", 100).stream()
                        .anyMatch(e -> e.stream().equals("drover") && e.line().startsWith("ready")),
                () -> seen("ticker"));
        List<LogEntry> received = new CopyOnWriteArrayList<>();
        AutoCloseable follow = control.followLogs(List.of("ticker"), received::add);
        try {
            Waits.until(
                    WAIT,
                    "ten ticks followed",
                    () -> ticks(received).size() >= 10,
                    () -> "followed:\n" + TestEngines.describe(received) + seen());
        } finally {
            follow.close();
        }
        List<Integer> ticks = ticks(received);
        for (int i = 1; i < ticks.size(); i++) {
            assertThat(ticks.get(i))
                    .as("ticks in order, none missing: %s", ticks)
                    .isEqualTo(ticks.get(i - 1) + 1);
        }
        assertThat(received).allSatisfy(e -> {
            assertThat(e.process()).isEqualTo("ticker");
            assertThat(e.stream()).isEqualTo("stdout");
        });

        int afterClose = received.size();
        int lastTick = lastTick("ticker");
        Waits.until(
                WAIT,
                "ten more ticks after tick-" + lastTick,
                () -> lastTick("ticker") >= lastTick + 10,
                () -> seen("ticker"));
        assertThat(received.size()).as("lines delivered after close").isLessThanOrEqualTo(afterClose + 1);
    }

    @Test
    void followingKeepsFollowingAcrossARestart() throws Exception {
        start("""
                processes:
                  talker:
                    command: "echo hello from $$$$; exec sleep 300"
                """);
        int first = awaitRunning("talker");
        Waits.until(
                WAIT,
                "talker to say hello from " + first,
                () -> lines("talker").contains("hello from " + first),
                () -> seen("talker"));
        List<LogEntry> received = new CopyOnWriteArrayList<>();
        try (AutoCloseable follow = control.followLogs(List.of("talker"), received::add)) {
            int previous = first;
            for (int restart = 0; restart < 2; restart++) {
                int before = previous;
                control.restart("talker");
                Waits.until(
                        WAIT,
                        "talker to run again (not pid " + before + ")",
                        () -> {
                            ProcessInfo p = control.process("talker");
                            return p.state().equals("running") && p.pid() != before;
                        },
                        this::seen);
                int now = control.process("talker").pid();
                Waits.until(
                        WAIT,
                        "the follower to get hello from " + now,
                        () -> received.stream().anyMatch(e -> e.line().equals("hello from " + now)),
                        () -> "followed:\n" + TestEngines.describe(received) + seen("talker"));
                previous = now;
            }
        }
        assertThat(received).noneMatch(e -> e.line().equals("hello from " + first));
        assertThat(received)
                .anyMatch(e -> e.stream().equals("drover") && e.line().startsWith("started"));
    }

    @Test
    void followingNoIdsFollowsEveryProcess() throws Exception {
        start("""
                processes:
                  left:
                    command: "while true; do echo from-left; sleep 0.05; done"
                  right:
                    command: "while true; do echo from-right; sleep 0.05; done"
                """);
        List<LogEntry> received = new CopyOnWriteArrayList<>();
        try (AutoCloseable follow = control.followLogs(List.of(), received::add)) {
            Waits.until(
                    WAIT,
                    "lines of both left and right",
                    () -> received.stream()
                                    .anyMatch(e -> e.process().equals("left")
                                            && e.line().equals("from-left"))
                            && received.stream()
                                    .anyMatch(e -> e.process().equals("right")
                                            && e.line().equals("from-right")),
                    () -> "followed:\n" + TestEngines.describe(received) + seen());
        }
    }

    @Test
    void reloadRestartsOnlyWhatChanged() throws Exception {
        start("""
                processes:
                  keep:
                    command: "exec sleep 300"
                  change:
                    command: "exec sleep 300"
                  drop:
                    command: "exec sleep 300"
                """);
        int keep = awaitRunning("keep");
        int change = awaitRunning("change");
        int drop = awaitRunning("drop");
        engines.rewrite("""
                processes:
                  keep:
                    command: "exec sleep 300"
                  change:
                    command: "exec sleep 301"
                  add:
                    command: "exec sleep 300"
                """);

        ReloadResult result = control.reload();

        assertThat(result.restarted()).containsExactly("change");
        assertThat(result.added()).containsExactly("add");
        assertThat(result.removed()).containsExactly("drop");
        assertThat(result.unchanged()).containsExactly("keep");
        int added = awaitRunning("add");
        int changed = awaitRunning("change");
        assertThat(changed).isNotEqualTo(change);
        assertThat(control.process("keep").pid()).isEqualTo(keep);
        assertThat(control.process("keep").state()).isEqualTo("running");
        Waits.until(
                WAIT,
                "the dropped and the changed child to be gone",
                () -> !TestEngines.alive(drop) && !TestEngines.alive(change),
                () -> "dropped " + Describe.process(drop) + "\nchanged " + Describe.process(change) + "\n" + seen());
        assertThat(TestEngines.alive(added)).isTrue();
        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> control.process("drop"))
                .satisfies(e -> assertThat(e.status()).isEqualTo(404));
        assertThat(control.processes()).extracting(ProcessInfo::id).containsExactlyInAnyOrder("keep", "change", "add");
    }

    @Test
    void scaleKeepsTheInstancesBothCountsHaveUntilAReloadRestoresTheFilesCount() throws Exception {
        start("""
                processes:
                  web:
                    command: "exec sleep 300"
                    min_uptime: 0s
                    replicas: 2
                """);
        int first = awaitRunning("web.0");
        int second = awaitRunning("web.1");

        List<ProcessInfo> three = control.scale("web", 3);

        assertThat(three).extracting(ProcessInfo::id).containsExactly("web.0", "web.1", "web.2");
        assertThat(three).extracting(ProcessInfo::scaled).containsOnly(new ProcessInfo.Scaled(3, 2));
        int third = awaitRunning("web.2");
        assertThat(control.process("web.0").pid()).isEqualTo(first);
        assertThat(control.process("web.1").pid()).isEqualTo(second);

        List<ProcessInfo> back = control.scale("web", 2);
        assertThat(back).extracting(ProcessInfo::id).containsExactly("web.0", "web.1");
        assertThat(back).extracting(ProcessInfo::scaled).containsOnlyNulls();
        assertThat(TestEngines.alive(third))
                .as("a surplus instance is stopped before scale returns")
                .isFalse();

        control.scale("web", 3);
        awaitRunning("web.2");
        ReloadResult reload = control.reload();
        assertThat(reload.unchanged()).as(reload.toString()).isEmpty();
        assertThat(control.processes()).extracting(ProcessInfo::id).containsExactly("web.0", "web.1");
        assertThat(control.processes()).extracting(ProcessInfo::scaled).containsOnlyNulls();
        assertThat(control.process("web.0").pid()).isEqualTo(first);
    }

    @Test
    void scaleOfAnUnknownProcessIsA404AndABadCountA400() throws Exception {
        start(TWO_SLEEPERS);
        int web = awaitRunning("web");

        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> control.scale("nope", 2))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("unknown process nope", "web", "worker");
                });
        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> control.scale("web", 0))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("replicas must be 1 or more, got 0");
                });
        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> control.scale("web", -3))
                .satisfies(e -> assertThat(e.status()).isEqualTo(400));
        assertThat(control.processes()).extracting(ProcessInfo::id).containsExactly("web", "worker");
        assertThat(control.process("web").pid()).isEqualTo(web);
    }

    @Test
    void anInvalidReloadIsA400WithEveryErrorAndChangesNothing() throws Exception {
        start(TWO_SLEEPERS);
        int web = awaitRunning("web");
        int worker = awaitRunning("worker");
        engines.rewrite("""
                processes:
                  web:
                    command: "exec sleep 301"
                    restrat: always
                  worker:
                    command: "exec sleep 300"
                    depends_on: {ghost: {condition: started}}
                """);

        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> control.reload())
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("invalid configuration, nothing changed");
                    assertThat(e.details()).hasSizeGreaterThanOrEqualTo(2);
                    assertThat(String.join("\n", e.details()))
                            .contains("restrat")
                            .contains("ghost");
                });
        assertThat(control.processes()).extracting(ProcessInfo::id).containsExactly("web", "worker");
        assertThat(control.process("web").pid()).isEqualTo(web);
        assertThat(control.process("worker").pid()).isEqualTo(worker);
        assertThat(control.process("web").state()).isEqualTo("running");
    }

    @Test
    void healthIsUnhealthyUntilEveryProcessIsReady() throws Exception {
        Path readyFile = dir.resolve("ready-flag");
        start("""
                processes:
                  web:
                    command: "exec sleep 300"
                    readiness: {exec: "test -f %s", interval: 100ms}
                  worker:
                    command: "exec sleep 300"
                    min_uptime: 0s
                """.formatted(readyFile));
        awaitRunning("web");
        awaitRunning("worker");
        HealthReport unhealthy = control.health();
        assertThat(unhealthy.status()).isEqualTo("unhealthy");
        assertThat(unhealthy.healthy()).isFalse();
        assertThat(unhealthy.total()).isEqualTo(2);
        assertThat(unhealthy.running()).isEqualTo(2);
        assertThat(unhealthy.ready()).isEqualTo(1);
        assertThat(unhealthy.details()).extracting(ProcessInfo::id).containsExactly("web", "worker");

        Files.writeString(readyFile, "");
        Waits.until(
                WAIT, "healthy", () -> control.health().healthy(), () -> "health: " + control.health() + "\n" + seen());
        HealthReport healthy = control.health();
        assertThat(healthy.status()).isEqualTo("healthy");
        assertThat(healthy.ready()).isEqualTo(2);
        assertThat(healthy.details()).allSatisfy(p -> assertThat(p.health()).isEqualTo("ready"));
    }

    @Test
    void shutdownStopsEveryProcess() throws Exception {
        start(TWO_SLEEPERS);
        int web = awaitRunning("web");
        int worker = awaitRunning("worker");
        control.shutdown(false);
        Waits.until(
                WAIT,
                "both children to be gone",
                () -> !TestEngines.alive(web) && !TestEngines.alive(worker),
                () -> "web " + Describe.process(web) + "\nworker " + Describe.process(worker) + "\n" + seen());
        Waits.until(
                WAIT,
                "no pid in the engine",
                () -> engine.snapshots().stream().allMatch(s -> s.pid() == 0),
                () -> TestEngines.describe(engine));
    }

    /** Waits until the process runs and returns its PID. */
    int awaitRunning(String id) {
        Waits.until(
                WAIT,
                id + " to run",
                () -> {
                    ProcessInfo p = control.process(id);
                    return p.state().equals("running") && p.pid() > 0;
                },
                this::seen);
        try {
            return control.process(id).pid();
        } catch (ControlException e) {
            throw new AssertionError(e);
        }
    }

    /** What the control shows and what the engine behind it sees, for a wait that ran out. */
    String seen() {
        return "the control shows:\n" + TestEngines.describe(control) + "the engine sees:\n"
                + TestEngines.describe(engine);
    }

    /** The same, after the last lines of one process as the control gives them. */
    String seen(String logsOf) {
        String logs;
        try {
            logs = TestEngines.describe(control.logs(logsOf, 1000));
        } catch (ControlException e) {
            logs = "  (no logs: " + e + ")\n";
        }
        return "logs of " + logsOf + ":\n" + logs + seen();
    }

    List<String> lines(String id) throws ControlException {
        return control.logs(id, 1000).stream()
                .filter(e -> !e.stream().equals("drover"))
                .map(LogEntry::line)
                .toList();
    }

    private int lastTick(String id) throws ControlException {
        List<Integer> ticks = ticks(control.logs(id, 50));
        return ticks.isEmpty() ? 0 : ticks.getLast();
    }

    private static final Pattern TICK = Pattern.compile("tick-(\\d+)");

    private static List<Integer> ticks(List<LogEntry> entries) {
        List<Integer> ticks = new ArrayList<>();
        for (LogEntry entry : entries) {
            Matcher m = TICK.matcher(entry.line());
            if (m.matches()) {
                ticks.add(Integer.parseInt(m.group(1)));
            }
        }
        return ticks;
    }
}
