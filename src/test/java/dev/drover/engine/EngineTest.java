package dev.drover.engine;

import static dev.drover.engine.EngineFixture.announcements;
import static dev.drover.engine.EngineFixture.describe;
import static dev.drover.engine.EngineFixture.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.control.ProcessInfo;
import dev.drover.launch.ProcessRef;
import dev.drover.state.Health;
import dev.drover.state.ProcessState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
                    command: "while [ ! -f go ]; do sleep 0.05; done; touch db.ready; exec sleep 300"
                    readiness: {exec: "test -f db.ready", interval: 100ms}
                  api:
                    command: "exec sleep 300"
                    depends_on: {db: {condition: healthy}}
                """);
        Waits.until(
                WAIT,
                "api to wait for db",
                () -> String.valueOf(engine.snapshot("api").waitingFor()).contains("db to be healthy"),
                () -> describe(engine));
        assertThat(engine.snapshot("api").state()).isEqualTo(ProcessState.STOPPED);
        long released = System.currentTimeMillis();
        Files.writeString(dir.resolve("go"), "");
        Waits.until(
                WAIT,
                "api to run",
                () -> engine.snapshot("api").state() == ProcessState.RUNNING,
                () -> describe(engine));
        ProcessSnapshot db = engine.snapshot("db");
        assertThat(db.health()).isEqualTo(Health.READY);
        assertThat(Files.exists(dir.resolve("db.ready"))).isTrue();
        assertThat(engine.snapshot("api").startedAtMillis()).isGreaterThanOrEqualTo(released);
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
        Waits.until(
                WAIT,
                "app to run",
                () -> engine.snapshot("app").state() == ProcessState.RUNNING,
                () -> describe(engine));
        assertThat(engine.snapshot("migrate").state()).isEqualTo(ProcessState.EXITED);
        assertThat(engine.snapshot("migrate").completed()).isTrue();
        Waits.until(
                WAIT,
                "app to print migrated",
                () -> output(engine, "app").contains("migrated"),
                () -> describe(engine));
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
        Waits.until(
                WAIT,
                "migrate to exit",
                () -> engine.snapshot("migrate").state() == ProcessState.EXITED,
                () -> describe(engine));
        Waits.until(
                WAIT,
                "app to wait naming exit code 4",
                () -> String.valueOf(engine.snapshot("app").waitingFor()).contains("exit code 4"),
                () -> describe(engine));
        assertThat(engine.snapshot("app").state()).isEqualTo(ProcessState.STOPPED);
        EngineControl control = new EngineControl(engine, force -> {});
        assertThat(control.process("app").blocked())
                .as("app waits for a one-shot that failed: it will not start by itself")
                .isTrue();
        assertThat(control.process("migrate").blocked()).isFalse();
    }

    @Test
    void aDependentThatWaitsForARunningDependencyIsNotBlocked() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  db:
                    command: "exec sleep 300"
                    readiness: {exec: "test -f db.ready", interval: 100ms}
                  api:
                    command: "exec sleep 300"
                    depends_on: {db: {condition: healthy}}
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        Waits.until(
                WAIT, "db to run", () -> engine.snapshot("db").state() == ProcessState.RUNNING, () -> describe(engine));
        ProcessInfo api = control.process("api");
        assertThat(api.waitingFor()).contains("db to be healthy");
        assertThat(api.blocked()).as("db may still become ready").isFalse();
    }

    @Test
    void cpuAndMemoryAreShownWhileItRunsAndNotAfterItStopped() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  s: {command: "exec sleep 300"}
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        Waits.until(
                WAIT,
                "s to be measured",
                () -> control.process("s").memory() != null
                        && control.process("s").cpu() != null,
                () -> describe(engine));

        control.stop("s");
        Waits.until(
                WAIT, "s to stop", () -> engine.snapshot("s").state() == ProcessState.STOPPED, () -> describe(engine));

        ProcessInfo stopped = control.process("s");
        assertThat(stopped.cpu()).as("cpu of a stopped process").isNull();
        assertThat(stopped.memory()).as("memory of a stopped process").isNull();
    }

    @Test
    void onlyAProcessThatIsWantedAndNotStartedWaitsForItsDependencies() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  web:
                    command: "exec sleep 300"
                  client:
                    command: "exec sleep 300"
                    depends_on: {web: {condition: started}}
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        Waits.until(
                WAIT,
                "client to run",
                () -> engine.snapshot("client").state() == ProcessState.RUNNING,
                () -> describe(engine));

        // Running while its dependency goes down: it runs on, and waits for nothing.
        control.stop("web");
        Waits.until(
                WAIT,
                "web to stop",
                () -> engine.snapshot("web").state() == ProcessState.STOPPED,
                () -> describe(engine));
        assertThat(engine.snapshot("client").state()).isEqualTo(ProcessState.RUNNING);
        assertThat(control.process("client").waitingFor()).isNull();

        // Stopped by hand: it waits for nothing either, though its dependency is still down.
        control.stop("client");
        Waits.until(
                WAIT,
                "client to stop",
                () -> engine.snapshot("client").state() == ProcessState.STOPPED,
                () -> describe(engine));
        assertThat(control.process("client").waitingFor()).isNull();

        // Asked to start: now it waits, and says for what.
        ProcessInfo asked = control.start("client");
        assertThat(asked.waitingFor()).contains("web to start");
        assertThat(asked.blocked())
                .as("web was stopped by hand: a command may start it")
                .isFalse();
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
        Waits.until(
                WAIT,
                "six restart delays",
                () -> delays(engine).size() >= 6,
                () -> "delays so far: " + delays(engine) + "\n" + describe(engine));
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

    private static long linesWith(Path file, String text) throws java.io.IOException {
        return Files.readAllLines(file).stream().filter(l -> l.contains(text)).count();
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
        Waits.until(
                WAIT,
                "flaky to be fatal",
                () -> engine.snapshot("flaky").state() == ProcessState.FATAL,
                () -> describe(engine));
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
        Waits.until(
                WAIT,
                "svc to run",
                () -> engine.snapshot("svc").state() == ProcessState.RUNNING,
                () -> describe(engine));
        int firstPid = engine.snapshot("svc").pid();
        Files.delete(dir.resolve("alive"));
        Waits.until(WAIT, "svc to restart", () -> engine.snapshot("svc").restarts() >= 1, () -> describe(engine));
        Files.writeString(dir.resolve("alive"), "");
        Waits.until(
                WAIT,
                "svc to run again (not pid " + firstPid + ")",
                () -> engine.snapshot("svc").state() == ProcessState.RUNNING
                        && engine.snapshot("svc").pid() != firstPid,
                () -> describe(engine));
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
        Waits.until(
                WAIT, "svc to be ready", () -> engine.snapshot("svc").health() == Health.READY, () -> describe(engine));
        int pid = engine.snapshot("svc").pid();
        Files.delete(dir.resolve("ready"));
        Waits.until(
                WAIT,
                "svc to be not ready",
                () -> engine.snapshot("svc").health() == Health.NOT_READY,
                () -> describe(engine));
        ProcessSnapshot svc = engine.snapshot("svc");
        assertThat(svc.state()).isEqualTo(ProcessState.RUNNING);
        assertThat(svc.pid()).isEqualTo(pid);
        assertThat(svc.restarts()).isZero();
        Files.writeString(dir.resolve("ready"), "");
        Waits.until(
                WAIT, "svc to be ready", () -> engine.snapshot("svc").health() == Health.READY, () -> describe(engine));
    }

    @Test
    void aProbeThatHangsIsCutAtItsTimeout() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: "exec sleep 300"
                    readiness: {exec: "exec sleep 100", interval: 100ms, timeout: 200ms, failure_threshold: 1}
                """);
        Waits.until(
                WAIT,
                "svc to be not ready",
                () -> engine.snapshot("svc").health() == Health.NOT_READY,
                () -> describe(engine));
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
        // The server takes from 0.1 s to seconds (on a loaded machine) to import http.server and
        // listen. Until then the readiness probe fails, which only says "not ready"; the liveness
        // probe (3 failures 100 ms apart: 0.3 s) counts from the first ready, as there is no
        // start_period. Were it counted from the spawn, it would kill the server before it listens,
        // again at every restart, and no wait would be long enough. So the start's length decides
        // only when this wait ends, and WAIT is many times the slowest start seen (~4 s at load 8).
        Integer port = engine.snapshot("web").port();
        assertThat(port).isNotNull().isPositive();
        String connected = "connected to 127.0.0.1:" + port;
        AtomicBoolean tcpConnected = new AtomicBoolean();
        Waits.until(
                WAIT,
                "web to be ready and its tcp liveness probe to connect to port " + port,
                () -> {
                    ProcessSnapshot web = engine.snapshot("web");
                    if (connected.equals(web.lastProbe())) {
                        tcpConnected.set(true);
                    }
                    return web.health() == Health.READY && tcpConnected.get();
                },
                () -> describe(engine));
        ProcessSnapshot web = engine.snapshot("web");
        assertThat(web.restarts()).as(describe(engine)).isZero();
        assertThat(web.probeFailuresTotal())
                .as("the liveness probe never failed:\n" + describe(engine))
                .doesNotContainKey("liveness");
    }

    @Test
    void termIgnoringChildIsKilledAfterStopTimeout() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  stubborn:
                    command: "trap '' TERM; echo trapped; while :; do sleep 0.1; done"
                    stop_timeout: 500ms
                """);
        Waits.until(
                WAIT,
                "stubborn to print trapped",
                () -> output(engine, "stubborn").contains("trapped"),
                () -> describe(engine));
        ProcessRef ref = ProcessRef.of(engine.snapshot("stubborn").pid());
        long start = System.nanoTime();
        engine.stop(List.of("stubborn"));
        Waits.until(
                WAIT,
                "stubborn to stop",
                () -> engine.snapshot("stubborn").state() == ProcessState.STOPPED,
                () -> describe(engine));
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
        Waits.until(
                WAIT,
                "a pid in " + pidFile.getFileName(),
                () -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank(),
                () -> Describe.file(pidFile) + describe(engine));
        ProcessRef grandchild =
                ProcessRef.of(Integer.parseInt(Files.readString(pidFile).trim()));
        ProcessRef child = ProcessRef.of(engine.snapshot("forker").pid());
        assertThat(grandchild).isNotNull();
        engine.stop(List.of("forker"));
        Waits.until(
                WAIT,
                "forker to stop",
                () -> engine.snapshot("forker").state() == ProcessState.STOPPED,
                () -> describe(engine));
        Waits.until(
                Duration.ofSeconds(5),
                "the child and its grandchild to be gone",
                () -> !grandchild.isAlive() && !child.isAlive(),
                () -> "child " + Describe.process(child) + "\ngrandchild " + Describe.process(grandchild) + "\n"
                        + describe(engine));
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
        Waits.until(
                WAIT,
                "a pid in " + pidFile.getFileName(),
                () -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank(),
                () -> Describe.file(pidFile) + describe(engine));
        ProcessRef background =
                ProcessRef.of(Integer.parseInt(Files.readString(pidFile).trim()));
        Waits.until(
                WAIT,
                "leaky to exit",
                () -> engine.snapshot("leaky").state() == ProcessState.EXITED,
                () -> describe(engine));
        Waits.until(
                Duration.ofSeconds(15),
                "the background child to be gone",
                () -> background == null || !background.isAlive(),
                () -> "background " + Describe.process(background) + "\n" + describe(engine));
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
        Waits.until(
                WAIT,
                "all four to be fatal",
                () -> engine.snapshots().stream().allMatch(s -> s.state() == ProcessState.FATAL),
                () -> describe(engine));
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
            Waits.until(WAIT, name + " to print", () -> !output(engine, name).isEmpty(), () -> describe(engine));
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
        Waits.until(
                WAIT,
                "api to run",
                () -> engine.snapshot("api").state() == ProcessState.RUNNING,
                () -> describe(engine));
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
        Waits.until(
                WAIT,
                "all three to run",
                () -> engine.snapshots().stream().allMatch(s -> s.state() == ProcessState.RUNNING),
                () -> describe(engine));
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
        Waits.until(
                WAIT,
                "slow to run",
                () -> engine.snapshot("slow").state() == ProcessState.RUNNING,
                () -> describe(engine));
        int pid = engine.snapshot("slow").pid();
        engine.stop(List.of("slow"));
        engine.start(List.of("slow"));
        Waits.until(
                WAIT,
                "slow to run again (not pid " + pid + ")",
                () -> engine.snapshot("slow").state() == ProcessState.RUNNING
                        && engine.snapshot("slow").pid() != pid,
                () -> describe(engine));
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
        Waits.until(
                WAIT,
                "burst to exit",
                () -> engine.snapshot("burst").state() == ProcessState.EXITED,
                () -> describe(engine));
        Path log = dir.resolve(".drover/logs/burst.log");
        // A 12 MB file: read at Awaitility's default pace (100 ms), not Waits' 20 ms.
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(linesWith(log, " line "))
                        .as(() -> "lines with \" line \" in " + log + "; saw:\n" + describe(engine))
                        .isGreaterThanOrEqualTo(100000));
        boolean[] seen = new boolean[100000];
        // Odd lines came from stderr: "! " marks them after the timestamp.
        Pattern line = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (! )?line (\\d{6}) (x*)$");
        int count = 0;
        for (String text : Files.readAllLines(log)) {
            if (text.contains("[drover]")) {
                continue;
            }
            Matcher m = line.matcher(text);
            assertThat(m.matches()).as("intact line: %s", text).isTrue();
            int i = Integer.parseInt(m.group(2));
            assertThat(m.group(1) != null).as("stderr mark on %s", text).isEqualTo(i % 2 == 1);
            assertThat(m.group(3)).hasSize(i % 200);
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
        Waits.until(
                WAIT,
                "chatty to exit",
                () -> engine.snapshot("chatty").state() == ProcessState.EXITED,
                () -> describe(engine));
        Path logs = dir.resolve(".drover/logs");
        Waits.until(
                WAIT,
                "the last line (19999) in chatty.log",
                () -> Files.readAllLines(logs.resolve("chatty.log")).stream().anyMatch(l -> l.startsWith("19999")),
                () -> Describe.directory(logs) + Describe.file(logs.resolve("chatty.log")) + describe(engine));
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
        Waits.until(
                WAIT,
                "a pid in " + pidFile.getFileName(),
                () -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank(),
                () -> Describe.file(pidFile) + describe(engine));
        ProcessRef probe =
                ProcessRef.of(Integer.parseInt(Files.readString(pidFile).trim()));
        assertThat(probe).isNotNull();
        engine.stop(List.of("svc"));
        Waits.until(
                WAIT,
                "svc to stop",
                () -> engine.snapshot("svc").state() == ProcessState.STOPPED,
                () -> describe(engine));
        Waits.until(
                Duration.ofSeconds(10),
                "the hanging probe to be gone",
                () -> !probe.isAlive(),
                () -> "probe " + Describe.process(probe) + "\n" + describe(engine));
    }

    @Test
    void nothingCanBeStartedOnceShutdownBegan() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  slow:
                    command: "trap '' TERM; echo up; while :; do sleep 0.05; done"
                    stop_timeout: 3s
                """);
        Waits.until(WAIT, "slow to print up", () -> output(engine, "slow").contains("up"), () -> describe(engine));
        // It ignores SIGTERM, so it stays stopping for the 3 s of its stop_timeout. (A trap that
        // sleeps does not: the stop signals the trap's sleep too, as part of the group.)
        Thread shutdown = Thread.ofVirtual().start(engine::shutdown);
        Waits.until(
                WAIT,
                "slow to be stopping",
                () -> engine.snapshot("slow").state() == ProcessState.STOPPING,
                () -> describe(engine));
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
        Waits.until(
                WAIT,
                "both replicas to say hello",
                () -> control.logs("api", 10).stream()
                                .filter(l -> l.line().startsWith("hello"))
                                .count()
                        == 2,
                () -> describe(engine));
        control.signal("api", "USR1");
        Waits.until(
                WAIT,
                "both replicas to report USR1",
                () -> control.logs("api", 20).stream()
                                .filter(l -> l.line().startsWith("usr1"))
                                .count()
                        == 2,
                () -> describe(engine));
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
            Waits.until(
                    WAIT,
                    "the follower to see second",
                    () -> seen.contains("second"),
                    () -> "followed: " + seen + "\n" + describe(engine));
        }
    }

    @Test
    void startedIsLoggedBeforeTheChildsFirstLine() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  quick: {command: "echo first", restart: "no"}
                """);
        // Its output is read on a thread of its own and may reach the log just after the exit is
        // seen (at a 20 ms poll it often does): wait for both.
        Waits.until(
                WAIT,
                "quick to exit and its line to be logged",
                () -> engine.snapshot("quick").state() == ProcessState.EXITED
                        && output(engine, "quick").contains("first"),
                () -> describe(engine));
        List<String> lines = engine.log("quick").ring().last(10).stream()
                .map(dev.drover.logs.LogLine::text)
                .toList();
        assertThat(lines.indexOf("first"))
                .isGreaterThan(lines.indexOf("started (pid " + lines.getFirst().replaceAll("\\D", "") + ")"));
        assertThat(lines.getFirst()).startsWith("started (pid ");
    }
}
