package dev.drover.engine;

import static dev.drover.engine.EngineFixture.announcements;
import static dev.drover.engine.EngineFixture.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.launch.ProcessRef;
import dev.drover.state.Health;
import dev.drover.state.ProcessState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineTest {
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

    @Test
    void dependentStartsOnlyAfterItsDependencyIsHealthy() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  db:
                    command: "sleep 0.5; touch db.ready; exec sleep 300"
                    readiness: {exec: "test -f db.ready", interval: 100ms}
                  api:
                    command: "exec sleep 300"
                    depends_on: {db: {condition: healthy}}
                """);
        Map<String, Long> firstRunning = new ConcurrentHashMap<>();
        engine.addListener((name, before, after) -> {
            if (after.state() == ProcessState.RUNNING) {
                firstRunning.putIfAbsent(name, System.nanoTime());
            }
        });
        assertThat(engine.snapshot("api").waitingFor()).contains("db to be healthy");
        await().atMost(WAIT).until(() -> engine.snapshot("api").state() == ProcessState.RUNNING);
        ProcessSnapshot db = engine.snapshot("db");
        assertThat(db.health()).isEqualTo(Health.READY);
        assertThat(Files.exists(dir.resolve("db.ready"))).isTrue();
        assertThat(engine.snapshot("api").startedAtMillis()).isGreaterThanOrEqualTo(db.startedAtMillis() + 400);
    }

    @Test
    void dependentWaitsForAOneShotToComplete() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  migrate:
                    command: "sleep 0.3; echo migrated > migrated.txt"
                    restart: "no"
                  app:
                    command: "cat migrated.txt; exec sleep 300"
                    depends_on: {migrate: {condition: completed}}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("app").state() == ProcessState.RUNNING);
        assertThat(engine.snapshot("migrate").state()).isEqualTo(ProcessState.EXITED);
        assertThat(engine.snapshot("migrate").completed()).isTrue();
        await().atMost(WAIT).until(() -> output(engine, "app").contains("migrated"));
    }

    @Test
    void aFailedOneShotLeavesItsDependentWaitingWithTheReason() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  migrate:
                    command: "exit 4"
                    restart: "no"
                  app:
                    command: "exec sleep 300"
                    depends_on: {migrate: {condition: completed}}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("migrate").state() == ProcessState.EXITED);
        await().atMost(WAIT)
                .until(() -> String.valueOf(engine.snapshot("app").waitingFor()).contains("exit code 4"));
        assertThat(engine.snapshot("app").state()).isEqualTo(ProcessState.STOPPED);
    }

    @Test
    void restartsWithGrowingBackoffThatResetsAfterAHealthyRun() throws Exception {
        // Runs 1-4 crash at once; run 5 stays up past reset_after, then crashes; later runs crash at once.
        Engine engine = fixture.start("""
                processes:
                  crasher:
                    command: "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; if [ $n -eq 5 ]; then sleep 1; fi; exit 1"
                    restart: always
                    max_restarts: 0
                    min_uptime: 0s
                    backoff: {initial: 100ms, multiplier: 2, max: 10s, reset_after: 500ms}
                """);
        await().atMost(WAIT).until(() -> delays(engine).size() >= 6);
        List<Long> delays = delays(engine);
        // attempts 0..3 grow: 100, 200, 400, 800 (±10%)
        assertThat(delays.get(0)).isBetween(90L, 110L);
        assertThat(delays.get(1)).isBetween(180L, 220L);
        assertThat(delays.get(2)).isBetween(360L, 440L);
        assertThat(delays.get(3)).isBetween(720L, 880L);
        // run 5 was up for 1s > reset_after: back to the initial delay
        assertThat(delays.get(4)).isBetween(90L, 110L);
        assertThat(delays.get(5)).isBetween(180L, 220L);
        assertThat(engine.snapshot("crasher").restarts()).isGreaterThanOrEqualTo(6);
    }

    private static List<Long> delays(Engine engine) {
        List<Long> delays = new ArrayList<>();
        Pattern pattern = Pattern.compile("restarting in ([0-9.]+)(ms|s)");
        for (String line : announcements(engine, "crasher")) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                double value = Double.parseDouble(m.group(1));
                delays.add(Math.round(m.group(2).equals("s") ? value * 1000 : value));
            }
        }
        return delays;
    }

    @Test
    void givesUpAsFatalAfterMaxRestartsWithinTheWindow() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  flaky:
                    command: ["sh", "-c", "exit 2"]
                    max_restarts: 3
                    restart_window: 60s
                    backoff: {initial: 0s}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("flaky").state() == ProcessState.FATAL);
        ProcessSnapshot flaky = engine.snapshot("flaky");
        assertThat(flaky.restarts()).isEqualTo(3);
        assertThat(flaky.reason()).contains("exit code 2").contains("max_restarts 3");
    }

    @Test
    void livenessFailureRestartsTheProcess() throws Exception {
        Files.writeString(dir.resolve("alive"), "");
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: "exec sleep 300"
                    liveness: {exec: "test -f alive", interval: 100ms, failure_threshold: 2}
                    backoff: {initial: 0s}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("svc").state() == ProcessState.RUNNING);
        int firstPid = engine.snapshot("svc").pid();
        Files.delete(dir.resolve("alive"));
        await().atMost(WAIT).until(() -> engine.snapshot("svc").restarts() >= 1);
        Files.writeString(dir.resolve("alive"), "");
        await().atMost(WAIT)
                .until(() -> engine.snapshot("svc").state() == ProcessState.RUNNING
                        && engine.snapshot("svc").pid() != firstPid);
        assertThat(announcements(engine, "svc")).anyMatch(l -> l.contains("liveness failed"));
    }

    @Test
    void readinessFailureMarksNotReadyWithoutRestarting() throws Exception {
        Files.writeString(dir.resolve("ready"), "");
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: "exec sleep 300"
                    readiness: {exec: "test -f ready", interval: 100ms, failure_threshold: 2}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("svc").health() == Health.READY);
        int pid = engine.snapshot("svc").pid();
        Files.delete(dir.resolve("ready"));
        await().atMost(WAIT).until(() -> engine.snapshot("svc").health() == Health.NOT_READY);
        ProcessSnapshot svc = engine.snapshot("svc");
        assertThat(svc.state()).isEqualTo(ProcessState.RUNNING);
        assertThat(svc.pid()).isEqualTo(pid);
        assertThat(svc.restarts()).isZero();
        Files.writeString(dir.resolve("ready"), "");
        await().atMost(WAIT).until(() -> engine.snapshot("svc").health() == Health.READY);
    }

    @Test
    void aProbeThatHangsIsCutAtItsTimeout() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: "exec sleep 300"
                    readiness: {exec: "exec sleep 100", interval: 100ms, timeout: 200ms, failure_threshold: 1}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("svc").health() == Health.NOT_READY);
        assertThat(engine.snapshot("svc").reason()).contains("timed out after 200ms");
    }

    @Test
    void httpAndTcpProbesSeeAServerOnItsAutoPort() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  web:
                    command: ["python3", "-m", "http.server", "--bind", "127.0.0.1", "${PORT}"]
                    port: auto
                    readiness: {http: "http://127.0.0.1:${PORT}/", interval: 100ms}
                    liveness: {tcp: "127.0.0.1:${PORT}", interval: 100ms}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("web").health() == Health.READY);
        assertThat(engine.snapshot("web").port()).isPositive();
        assertThat(engine.snapshot("web").restarts()).isZero();
    }

    @Test
    void termIgnoringChildIsKilledAfterStopTimeout() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  stubborn:
                    command: "trap '' TERM; echo trapped; while :; do sleep 0.1; done"
                    stop_timeout: 500ms
                """);
        await().atMost(WAIT).until(() -> output(engine, "stubborn").contains("trapped"));
        ProcessRef ref = ProcessRef.of(engine.snapshot("stubborn").pid());
        long start = System.nanoTime();
        engine.stop(List.of("stubborn"));
        await().atMost(WAIT).until(() -> engine.snapshot("stubborn").state() == ProcessState.STOPPED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(engine.snapshot("stubborn").reason()).contains("killed after stop_timeout");
        assertThat(ref.isAlive()).isFalse();
    }

    @Test
    void stopLeavesNothingOfADoubleForkedSetsidGrandchild() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  forker:
                    command: "(setsid sh -c 'echo $$$$ > grandchild.pid; exec sleep 300' &); exec sleep 300"
                """);
        Path pidFile = dir.resolve("grandchild.pid");
        await().atMost(WAIT)
                .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        ProcessRef grandchild =
                ProcessRef.of(Integer.parseInt(Files.readString(pidFile).trim()));
        ProcessRef child = ProcessRef.of(engine.snapshot("forker").pid());
        assertThat(grandchild).isNotNull();
        engine.stop(List.of("forker"));
        await().atMost(WAIT).until(() -> engine.snapshot("forker").state() == ProcessState.STOPPED);
        await().atMost(Duration.ofSeconds(5)).until(() -> !grandchild.isAlive() && !child.isAlive());
    }

    @Test
    void crashedProcessLeavesNoBackgroundChildBehind() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  leaky:
                    command: "sleep 300 & echo $! > bg.pid; sleep 0.2; exit 1"
                    restart: "no"
                """);
        Path pidFile = dir.resolve("bg.pid");
        await().atMost(WAIT)
                .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        ProcessRef background =
                ProcessRef.of(Integer.parseInt(Files.readString(pidFile).trim()));
        await().atMost(WAIT).until(() -> engine.snapshot("leaky").state() == ProcessState.EXITED);
        await().atMost(Duration.ofSeconds(15)).until(() -> background == null || !background.isAlive());
    }

    @Test
    void spawnFailuresAreFatalAtOnceWithTheReason() throws Exception {
        Path script = Files.writeString(dir.resolve("not-executable.sh"), "#!/bin/sh\necho hi\n");
        Engine engine = fixture.start("""
                processes:
                  missing-exec:
                    command: ["no-such-program-xyz", "--flag"]
                  missing-shell:
                    command: "no-such-program-xyz --flag | cat"
                  bad-cwd:
                    command: "exec sleep 300"
                    cwd: ./does-not-exist
                  no-permission:
                    command: ["%s"]
                """.formatted(script));
        await().atMost(WAIT).until(() -> engine.snapshots().stream().allMatch(s -> s.state() == ProcessState.FATAL));
        assertThat(engine.snapshot("missing-exec").reason()).isEqualTo("command not found: no-such-program-xyz");
        assertThat(engine.snapshot("missing-shell").reason()).isEqualTo("command not found: no-such-program-xyz");
        assertThat(engine.snapshot("bad-cwd").reason())
                .contains("does-not-exist")
                .contains("does not exist");
        assertThat(engine.snapshot("no-permission").reason()).contains("permission denied");
        assertThat(engine.snapshots()).allMatch(s -> s.restarts() == 0);
    }

    @Test
    void replicasGetTheirOwnNamesPortsAndEnvironment() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  api:
                    command: "echo $DROVER_PROCESS $DROVER_REPLICA $PORT; exec sleep 300"
                    port: auto
                    replicas: 3
                """);
        assertThat(engine.instanceNames()).containsExactly("api.0", "api.1", "api.2");
        for (int i = 0; i < 3; i++) {
            String name = "api." + i;
            int replica = i;
            await().atMost(WAIT).until(() -> !output(engine, name).isEmpty());
            ProcessSnapshot s = engine.snapshot(name);
            assertThat(output(engine, name)).containsExactly("api " + replica + " " + s.port());
        }
        assertThat(engine.snapshots().stream().map(ProcessSnapshot::port).distinct())
                .hasSize(3);
    }

    @Test
    void upWithNamesStartsThoseAndTheirDependenciesOnly() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  db: {command: "exec sleep 300"}
                  api:
                    command: "exec sleep 300"
                    depends_on: [db]
                  other: {command: "exec sleep 300"}
                """, "api");
        await().atMost(WAIT).until(() -> engine.snapshot("api").state() == ProcessState.RUNNING);
        assertThat(engine.snapshot("db").state()).isEqualTo(ProcessState.RUNNING);
        assertThat(engine.snapshot("other").state()).isEqualTo(ProcessState.STOPPED);
        assertThatThrownBy(() -> engine.up(List.of("nope")))
                .isInstanceOf(UnknownProcessException.class)
                .hasMessageContaining("unknown process nope")
                .hasMessageContaining("db, api, other");
    }

    @Test
    void shutdownStopsDependentsBeforeTheirDependencies() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  db: {command: "exec sleep 300"}
                  api:
                    command: "exec sleep 300"
                    depends_on: [db]
                  web:
                    command: "exec sleep 300"
                    depends_on: [api]
                """);
        await().atMost(WAIT).until(() -> engine.snapshots().stream().allMatch(s -> s.state() == ProcessState.RUNNING));
        List<String> stopped = Collections.synchronizedList(new ArrayList<>());
        engine.addListener((name, before, after) -> {
            if (after.state() == ProcessState.STOPPED && before.state() == ProcessState.STOPPING) {
                stopped.add(name);
            }
        });
        assertThat(engine.shutdown()).isTrue();
        assertThat(stopped).containsExactly("web", "api", "db");
    }

    @Test
    void restartCommandWhileStoppingIsNotLost() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  slow:
                    command: "trap 'exec sleep 0.3' TERM; while :; do sleep 0.05; done"
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("slow").state() == ProcessState.RUNNING);
        int pid = engine.snapshot("slow").pid();
        engine.stop(List.of("slow"));
        engine.start(List.of("slow"));
        await().atMost(WAIT)
                .until(() -> engine.snapshot("slow").state() == ProcessState.RUNNING
                        && engine.snapshot("slow").pid() != pid);
    }

    @Test
    void aBurstOf100000LinesOnStdoutAndStderrArrivesCompleteWithNoSplitLine() throws Exception {
        Files.writeString(dir.resolve("burst.py"), """
                import sys
                out, err = sys.stdout, sys.stderr
                for i in range(100000):
                    (out if i % 2 == 0 else err).write("line %06d %s\\n" % (i, "x" * (i % 200)))
                """);
        Engine engine = fixture.start("""
                processes:
                  burst:
                    command: ["python3", "burst.py"]
                    restart: "no"
                    log: {timestamps: true, max_size: 1GB}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("burst").state() == ProcessState.EXITED);
        Path log = dir.resolve(".drover/logs/burst.log");
        await().atMost(WAIT)
                .until(() -> Files.readAllLines(log).stream()
                                .filter(l -> l.contains(" line "))
                                .count()
                        >= 100000);
        boolean[] seen = new boolean[100000];
        Pattern line = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z line (\\d{6}) (x*)$");
        int count = 0;
        for (String text : Files.readAllLines(log)) {
            if (text.contains("[drover]")) {
                continue;
            }
            Matcher m = line.matcher(text);
            assertThat(m.matches()).as("intact line: %s", text).isTrue();
            int i = Integer.parseInt(m.group(1));
            assertThat(m.group(2)).hasSize(i % 200);
            assertThat(seen[i]).as("line %d seen twice", i).isFalse();
            seen[i] = true;
            count++;
        }
        assertThat(count).isEqualTo(100000);
    }

    @Test
    void rotationKeepsKeepFilesWhileAProcessWrites() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  chatty:
                    command: ["python3", "-c", "import sys\\nfor i in range(20000): print('%05d' % i + 'y' * 60)"]
                    restart: "no"
                    log: {max_size: 100KB, keep: 2, timestamps: false}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("chatty").state() == ProcessState.EXITED);
        Path logs = dir.resolve(".drover/logs");
        await().atMost(WAIT)
                .until(() ->
                        Files.readAllLines(logs.resolve("chatty.log")).stream().anyMatch(l -> l.startsWith("19999")));
        try (var files = Files.list(logs)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("chatty.log", "chatty.log.1", "chatty.log.2");
        }
        assertThat(Files.size(logs.resolve("chatty.log.1"))).isLessThanOrEqualTo(100 * 1024);
    }

    @Test
    void aHangingExecProbeIsKilledWhenItsProcessStops() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: "exec sleep 300"
                    readiness: {exec: "echo $$$$ > probe.pid; exec sleep 100", interval: 100ms, timeout: 60s}
                """);
        Path pidFile = dir.resolve("probe.pid");
        await().atMost(WAIT)
                .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        ProcessRef probe =
                ProcessRef.of(Integer.parseInt(Files.readString(pidFile).trim()));
        assertThat(probe).isNotNull();
        engine.stop(List.of("svc"));
        await().atMost(WAIT).until(() -> engine.snapshot("svc").state() == ProcessState.STOPPED);
        await().atMost(Duration.ofSeconds(10)).until(() -> !probe.isAlive());
    }

    @Test
    void nothingCanBeStartedOnceShutdownBegan() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  slow:
                    command: "trap '' TERM; echo up; while :; do sleep 0.05; done"
                    stop_timeout: 3s
                """);
        await().atMost(WAIT).until(() -> output(engine, "slow").contains("up"));
        // It ignores SIGTERM, so it stays stopping for the 3 s of its stop_timeout. (A trap that
        // sleeps does not: the stop signals the trap's sleep too, as part of the group.)
        Thread shutdown = Thread.ofVirtual().start(engine::shutdown);
        await().atMost(WAIT).until(() -> engine.snapshot("slow").state() == ProcessState.STOPPING);
        assertThatThrownBy(() -> engine.restart(List.of("slow"))).isInstanceOf(Engine.ShuttingDownException.class);
        assertThatThrownBy(() -> engine.start(List.of("slow"))).isInstanceOf(Engine.ShuttingDownException.class);
        shutdown.join(Duration.ofSeconds(30));
        assertThat(shutdown.isAlive()).isFalse();
        assertThat(engine.snapshot("slow").state()).isEqualTo(ProcessState.STOPPED);
    }

    @Test
    void theControlAcceptsAProcessNameForAllItsReplicas() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  api:
                    command: "trap 'echo usr1 $DROVER_REPLICA' USR1; echo hello $DROVER_REPLICA; while :; do sleep 0.05; done"
                    replicas: 2
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        await().atMost(WAIT)
                .until(() -> control.logs("api", 10).stream()
                                .filter(l -> l.line().startsWith("hello"))
                                .count()
                        == 2);
        control.signal("api", "USR1");
        await().atMost(WAIT)
                .until(() -> control.logs("api", 20).stream()
                                .filter(l -> l.line().startsWith("usr1"))
                                .count()
                        == 2);
        assertThatThrownBy(() -> control.logs("nope", 1))
                .isInstanceOf(dev.drover.control.ControlException.class)
                .hasMessageContaining("unknown process nope");
    }

    @Test
    void followingLogsSurvivesAReloadThatReplacesTheProcess() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  talker: {command: "echo first; exec sleep 300"}
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (AutoCloseable follow = control.followLogs(List.of("talker"), e -> seen.add(e.line()))) {
            Files.writeString(dir.resolve("drover.yaml"), """
                    processes:
                      talker: {command: "echo second; exec sleep 300"}
                    """);
            assertThat(control.reload().restarted()).containsExactly("talker");
            await().atMost(WAIT).until(() -> seen.contains("second"));
        }
    }

    @Test
    void startedIsLoggedBeforeTheChildsFirstLine() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  quick: {command: "echo first", restart: "no"}
                """);
        await().atMost(WAIT).until(() -> engine.snapshot("quick").state() == ProcessState.EXITED);
        List<String> lines = engine.log("quick").ring().last(10).stream()
                .map(dev.drover.logs.LogLine::text)
                .toList();
        assertThat(lines.indexOf("first"))
                .isGreaterThan(lines.indexOf("started (pid " + lines.getFirst().replaceAll("\\D", "") + ")"));
        assertThat(lines.getFirst()).startsWith("started (pid ");
    }
}
