package dev.drover.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

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
        await().atMost(WAIT).until(() -> control.process("web").state().equals("running"));
        int before = control.process("web").pid();
        List<ProcessEvent> events = new CopyOnWriteArrayList<>();
        AutoCloseable follow = control.followEvents(events::add);
        control.restart("web");
        await().atMost(WAIT)
                .until(() -> events.stream()
                        .anyMatch(e -> e.process().equals("web") && e.state().equals("running")));
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
        await().atMost(WAIT).until(() -> control.process("worker").state().equals("stopped"));
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
        await().atMost(WAIT).until(() -> control.process("svc").state().equals("stopped"));
        assertThat(control.process("svc").pid()).isZero();
        await().atMost(WAIT).until(() -> !TestEngines.alive(first));

        assertThat(control.start("svc").id()).isEqualTo("svc");
        int second = awaitRunning("svc");
        assertThat(second).isNotEqualTo(first);

        control.restart("svc");
        await().atMost(WAIT).until(() -> {
            ProcessInfo p = control.process("svc");
            return p.state().equals("running") && p.pid() != second;
        });
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
        await().atMost(WAIT).until(() -> lines("trapper").contains("armed"));

        ProcessInfo signalled = control.signal("trapper", "USR1");
        assertThat(signalled.pid()).isEqualTo(pid);
        await().atMost(WAIT).until(() -> lines("trapper").contains("got USR1"));
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
        await().atMost(WAIT)
                .until(() -> lines("counter").contains("line-20")
                        && control.logs("counter", 100).stream()
                                .anyMatch(e ->
                                        e.stream().equals("drover") && e.line().startsWith("started")));

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
        List<LogEntry> received = new CopyOnWriteArrayList<>();
        AutoCloseable follow = control.followLogs(List.of("ticker"), received::add);
        try {
            await().atMost(WAIT).until(() -> ticks(received).size() >= 10);
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
        await().atMost(WAIT).until(() -> lastTick("ticker") >= lastTick + 10);
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
        await().atMost(WAIT).until(() -> lines("talker").contains("hello from " + first));
        List<LogEntry> received = new CopyOnWriteArrayList<>();
        try (AutoCloseable follow = control.followLogs(List.of("talker"), received::add)) {
            int previous = first;
            for (int restart = 0; restart < 2; restart++) {
                int before = previous;
                control.restart("talker");
                await().atMost(WAIT).until(() -> {
                    ProcessInfo p = control.process("talker");
                    return p.state().equals("running") && p.pid() != before;
                });
                int now = control.process("talker").pid();
                await().atMost(WAIT)
                        .until(() -> received.stream().anyMatch(e -> e.line().equals("hello from " + now)));
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
            await().atMost(WAIT)
                    .until(() -> received.stream()
                                    .anyMatch(e -> e.process().equals("left")
                                            && e.line().equals("from-left"))
                            && received.stream()
                                    .anyMatch(e -> e.process().equals("right")
                                            && e.line().equals("from-right")));
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
        await().atMost(WAIT).until(() -> !TestEngines.alive(drop) && !TestEngines.alive(change));
        assertThat(TestEngines.alive(added)).isTrue();
        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> control.process("drop"))
                .satisfies(e -> assertThat(e.status()).isEqualTo(404));
        assertThat(control.processes()).extracting(ProcessInfo::id).containsExactlyInAnyOrder("keep", "change", "add");
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
        await().atMost(WAIT).until(() -> control.health().healthy());
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
        await().atMost(WAIT).until(() -> !TestEngines.alive(web) && !TestEngines.alive(worker));
        await().atMost(WAIT).until(() -> engine.snapshots().stream().allMatch(s -> s.pid() == 0));
    }

    /** Waits until the process runs and returns its PID. */
    int awaitRunning(String id) {
        await().atMost(WAIT).until(() -> {
            ProcessInfo p = control.process(id);
            return p.state().equals("running") && p.pid() > 0;
        });
        try {
            return control.process(id).pid();
        } catch (ControlException e) {
            throw new AssertionError(e);
        }
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
