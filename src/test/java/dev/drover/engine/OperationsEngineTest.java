package dev.drover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import dev.drover.logs.LogLine;
import dev.drover.state.ProcessState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** pre_start, post_stop, start_delay and schedule on real processes. */
@Timeout(120)
class OperationsEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static List<String> lines(Engine engine, String instance) {
        return engine.log(instance).ring().last(1000).stream()
                .map(l -> l.source().name().charAt(0) + " " + l.text())
                .toList();
    }

    @Test
    void preStartRunsInTheProcessDirectoryWithItsEnvironmentBeforeEachStartAndItsOutputIsMarked() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  web:
                    command: "test -f built && exec sleep 300"
                    env: {GREETING: hello}
                    min_uptime: 0
                    pre_start:
                      - "echo building for $GREETING; touch built"
                      - [sh, -c, "echo second step >&2"]
                """);
        Waits.until(
                WAIT,
                "web running after its pre_start",
                () -> engine.snapshot("web").state() == ProcessState.RUNNING,
                () -> EngineFixture.describe(engine));
        assertThat(Files.exists(dir.resolve("built"))).isTrue();
        List<String> log = lines(engine, "web");
        assertThat(log).contains("S [pre_start] building for hello");
        // the hook's lines come before "started"
        int hook = indexOf(log, "[pre_start] building for hello");
        int started = indexOf(log, "started (pid");
        assertThat(hook).isLessThan(started).isNotNegative();
        // stderr of a hook stays stderr
        assertThat(engine.log("web").ring().last(100).stream()
                        .filter(l -> l.text().equals("[pre_start] second step"))
                        .map(LogLine::source))
                .containsExactly(LogLine.Source.STDERR);
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aFailingPreStartBlocksTheStartWithItsLastLinesAndCountsAgainstTheRestartBudget() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  web:
                    command: "touch ran; exec sleep 300"
                    max_restarts: 2
                    backoff: {initial: 100ms, max: 100ms}
                    pre_start: "echo checking the schema; echo schema is 41, want 42 >&2; exit 3"
                """);
        Waits.until(
                WAIT,
                "web fatal after its pre_start failed 3 times",
                () -> engine.snapshot("web").state() == ProcessState.FATAL,
                () -> EngineFixture.describe(engine));
        ProcessSnapshot web = engine.snapshot("web");
        assertThat(web.reason()).contains("pre_start").contains("exit code 3").contains("schema is 41, want 42");
        assertThat(Files.exists(dir.resolve("ran"))).as("the command never ran").isFalse();
        long attempts = lines(engine, "web").stream()
                .filter(l -> l.contains("[pre_start] checking the schema"))
                .count();
        assertThat(attempts).isEqualTo(3);
    }

    @Test
    void stopWhileAPreStartRunsEndsTheHookAndLeavesTheProcessStopped() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  web:
                    command: "exec sleep 300"
                    pre_start: "echo $$$$ > hook.pid; exec sleep 300"
                """);
        Path pidFile = dir.resolve("hook.pid");
        Waits.until(
                WAIT,
                "the pre_start running",
                () -> Files.exists(pidFile) && Files.size(pidFile) > 0,
                () -> EngineFixture.describe(engine));
        long hookPid = Long.parseLong(Files.readString(pidFile).strip());
        engine.stop(List.of("web"));
        Waits.until(
                WAIT,
                "web stopped and its pre_start gone",
                () -> engine.snapshot("web").state() == ProcessState.STOPPED
                        && ProcessHandle.of(hookPid).map(ProcessHandle::isAlive).orElse(false) == false,
                () -> EngineFixture.describe(engine) + "hook pid " + hookPid + " alive: "
                        + ProcessHandle.of(hookPid).map(ProcessHandle::isAlive).orElse(false));
        assertThat(engine.snapshot("web").pid()).isZero();
    }

    @Test
    void postStopRunsAfterEachRunEndsAndTheNextStartWaitsForIt() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  web:
                    command: "exec sleep 300"
                    min_uptime: 0
                    post_stop: "sleep 0.3; echo cleaned >> post.txt"
                """);
        Waits.until(
                WAIT,
                "web running",
                () -> engine.snapshot("web").state() == ProcessState.RUNNING,
                () -> EngineFixture.describe(engine));
        engine.restart(List.of("web"));
        Waits.until(
                WAIT,
                "web running again after its post_stop",
                () -> engine.snapshot("web").state() == ProcessState.RUNNING && Files.exists(dir.resolve("post.txt")),
                () -> EngineFixture.describe(engine));
        List<String> log = lines(engine, "web");
        int cleaned = indexOf(log, "post_stop: sleep 0.3");
        int secondStart = -1;
        int starts = 0;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains("started (pid") && ++starts == 2) {
                secondStart = i;
            }
        }
        assertThat(cleaned).isNotNegative();
        assertThat(secondStart)
                .as("the second start comes after post_stop ended: %s", log)
                .isGreaterThan(cleaned);
        assertThat(Files.readString(dir.resolve("post.txt"))).isEqualTo("cleaned\n");
    }

    @Test
    void startDelayWaitsAfterTheDependenciesAreMet() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  db:
                    command: "exec sleep 300"
                    min_uptime: 0
                  api:
                    command: "exec sleep 300"
                    depends_on: [db]
                    start_delay: 1500ms
                """);
        Map<String, Long> running = new ConcurrentHashMap<>();
        engine.addListener((name, before, after) -> {
            if (after.state() == ProcessState.RUNNING) {
                running.putIfAbsent(name, System.currentTimeMillis());
            }
        });
        Waits.until(
                WAIT,
                "api running",
                () -> engine.snapshot("api").state() == ProcessState.RUNNING,
                () -> EngineFixture.describe(engine));
        long db = engine.snapshot("db").startedAtMillis();
        long api = engine.snapshot("api").startedAtMillis();
        assertThat(api - db).as("api started %d ms after db", api - db).isGreaterThanOrEqualTo(1400);
        assertThat(EngineFixture.announcements(engine, "api"))
                .anyMatch(l -> l.startsWith("start_delay: starting in 1s500ms"));
    }

    @Test
    void aScheduleRunsTheJobWhenDueShowsItsLastAndNextRunAndIsNotStartedByUp() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  tick:
                    command: "date +%s%N >> ticks.txt"
                    restart: "no"
                    schedule: "@every 1s"
                """);
        assertThat(engine.snapshot("tick").state()).isEqualTo(ProcessState.STOPPED);
        Path ticks = dir.resolve("ticks.txt");
        Waits.until(
                WAIT,
                "three scheduled runs",
                () -> Files.exists(ticks) && Files.readAllLines(ticks).size() >= 3,
                () -> EngineFixture.describe(engine)
                        + (Files.exists(ticks) ? Files.readString(ticks) : "no ticks.txt"));
        Scheduler.View view = engine.schedule("tick");
        assertThat(view.expression()).isEqualTo("@every 1s");
        assertThat(view.nextRunMillis()).isGreaterThan(System.currentTimeMillis() - 1000);
        assertThat(view.lastRunMillis()).isGreaterThan(0);
        Waits.until(
                WAIT,
                "the last result",
                () -> engine.schedule("tick").lastResult() != null,
                () -> engine.schedule("tick").toString());
        assertThat(engine.schedule("tick").lastResult()).isEqualTo("exit code 0");
        assertThat(Files.readString(scheduleState().resolve("tick")).strip()).satisfies(text -> Instant.parse(text));
    }

    private Path scheduleState() {
        return dev.drover.config.Defaults.stateDir(dir.resolve("drover.yaml")).resolve("schedule");
    }

    @Test
    void aRunDueWhileTheLastStillRunsIsSkippedOrQueued() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  slow:
                    command: "echo run >> slow.txt; sleep 2.5"
                    restart: "no"
                    schedule: "@every 1s"
                  queued:
                    command: "echo run >> queued.txt; sleep 2.5"
                    restart: "no"
                    schedule: "@every 1s"
                    overlap: queue
                """);
        Waits.until(
                Duration.ofSeconds(30),
                "a skipped run and a queued one",
                () -> EngineFixture.announcements(engine, "slow").stream().anyMatch(l -> l.contains("skipped"))
                        && EngineFixture.announcements(engine, "queued").stream()
                                .anyMatch(l -> l.contains("starting the queued run")),
                () -> EngineFixture.describe(engine));
        // a queued run starts right after the last ends: the run count grows, never two at once
        assertThat(EngineFixture.announcements(engine, "slow").stream().filter(l -> l.startsWith("started (pid")))
                .hasSizeLessThanOrEqualTo(
                        Files.readAllLines(dir.resolve("slow.txt")).size());
    }

    @Test
    void runStartsAScheduledJobNowAndAMissedRunIsCaughtUpOnlyWhenAsked() throws Exception {
        Path state =
                dev.drover.config.Defaults.stateDir(dir.resolve("drover.yaml")).resolve("schedule");
        Files.createDirectories(state);
        // Both last ran two days ago: their daily run was missed while drover was down.
        String twoDaysAgo = Instant.now().minus(Duration.ofDays(2)).toString();
        Files.writeString(state.resolve("nightly"), twoDaysAgo + "\n");
        Files.writeString(state.resolve("report"), twoDaysAgo + "\n");
        Engine engine = fixture.start("""
                processes:
                  nightly:
                    command: "echo caught up >> nightly.txt"
                    restart: "no"
                    schedule: "@daily"
                    catch_up: true
                  report:
                    command: "echo report >> report.txt"
                    restart: "no"
                    schedule: "@daily"
                """);
        Waits.until(
                WAIT,
                "nightly's missed run made up for",
                () -> Files.exists(dir.resolve("nightly.txt")),
                () -> EngineFixture.describe(engine));
        assertThat(EngineFixture.announcements(engine, "nightly")).anyMatch(l -> l.startsWith("catch_up:"));
        assertThat(dir.resolve("report.txt")).doesNotExist();
        engine.runScheduled("report");
        Waits.until(
                WAIT,
                "report run by hand",
                () -> Files.exists(dir.resolve("report.txt")),
                () -> EngineFixture.describe(engine));
        assertThat(engine.schedule("report").nextRunMillis()).isGreaterThan(System.currentTimeMillis());
    }

    @Test
    void aPidFileHoldsEachReplicasPidWhileItRunsAndIsRemovedAfterItsStop() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  web:
                    command: "exec sleep 300"
                    replicas: 2
                    min_uptime: 0
                    pid_file: run/web-${DROVER_REPLICA}.pid
                """);
        Path first = dir.resolve("run/web-0.pid");
        Path second = dir.resolve("run/web-1.pid");
        Waits.until(
                WAIT,
                "both PID files written",
                () -> Files.exists(first) && Files.exists(second),
                () -> EngineFixture.describe(engine));
        assertThat(Files.readString(first)).isEqualTo(engine.snapshot("web.0").pid() + "\n");
        assertThat(Files.readString(second)).isEqualTo(engine.snapshot("web.1").pid() + "\n");
        int old = engine.snapshot("web.0").pid();
        engine.restart(List.of("web.0"));
        Waits.until(
                WAIT,
                "web.0's PID file naming its new PID",
                () -> engine.snapshot("web.0").pid() != old
                        && engine.snapshot("web.0").pid() != 0
                        && Files.exists(first)
                        && Files.readString(first)
                                .equals(engine.snapshot("web.0").pid() + "\n"),
                () -> EngineFixture.describe(engine) + (Files.exists(first) ? Files.readString(first) : "no pid file"));
        engine.stop(List.of("web"));
        Waits.until(
                WAIT,
                "both PID files removed after the stop",
                () -> !Files.exists(first) && !Files.exists(second),
                () -> EngineFixture.describe(engine));
    }
}
