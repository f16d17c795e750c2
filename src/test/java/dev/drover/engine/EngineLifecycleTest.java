package dev.drover.engine;

import static dev.drover.engine.EngineFixture.announcements;
import static dev.drover.engine.EngineFixture.describe;
import static dev.drover.engine.EngineFixture.output;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.control.Traffic;
import dev.drover.launch.Child;
import dev.drover.launch.Launcher;
import dev.drover.launch.OsEdge;
import dev.drover.launch.OutputSink;
import dev.drover.launch.SpawnException;
import dev.drover.launch.SpawnSpec;
import dev.drover.state.End;
import dev.drover.state.Health;
import dev.drover.state.ProcessState;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The lifecycle rules a new user meets in the first hour, on real processes. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EngineLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EngineFixture fixture;
    private final List<Engine> ownEngines = new ArrayList<>();

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        for (Engine engine : ownEngines) {
            engine.shutdown();
            engine.close();
        }
    }

    @Test
    void healthIsNotReportedBetweenAnAnnouncedUpAndItsStarts() throws Exception {
        Engine engine = fixture.create("""
                processes:
                  a: {command: "exec sleep 300", min_uptime: 0s}
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        assertThat(control.health().healthy())
                .as("nothing wanted, no up announced: healthy (an engine driven by starts alone)")
                .isTrue();
        // What a daemon serving its API before its first starts does: until the up is made, nothing
        // is wanted yet, and health must not say healthy.
        Runnable upMade = engine.startsToCome();
        assertThat(engine.startsPending()).isTrue();
        assertThat(control.health().healthy())
                .as("healthy before the announced up:\n" + describe(engine))
                .isFalse();
        engine.up(List.of());
        upMade.run();
        upMade.run(); // a second run changes nothing
        awaitServingAndHealthy(engine, control, "a");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"up", "start"})
    void healthIsNotReportedWhileASupervisorHasNotTakenTheStartOfAnUpOrAStart(String command) throws Exception {
        Engine engine = fixture.create("""
                processes:
                  a: {command: "exec sleep 300", min_uptime: 0s}
                  b: {command: "exec sleep 300", min_uptime: 0s}
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        // b runs and is stopped; the moment it is stopped, its supervisor's thread is held (in a
        // listener, which runs on that thread), so the start that `up` posts waits in its inbox, as
        // it does when that thread is slow to be scheduled.
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hold = new AtomicBoolean();
        AtomicBoolean held = new AtomicBoolean();
        engine.addListener((instance, before, after) -> {
            if (instance.equals("b") && after.state() == ProcessState.STOPPED && hold.getAndSet(false)) {
                held.set(true);
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try {
            engine.start(List.of("b"));
            Waits.until(
                    WAIT,
                    "b to run",
                    () -> engine.snapshot("b").state() == ProcessState.RUNNING,
                    () -> describe(engine));
            hold.set(true);
            engine.stop(List.of("b"));
            Waits.until(WAIT, "b's supervisor held as b stops", held::get, () -> describe(engine));

            if (command.equals("up")) {
                engine.up(List.of());
                Waits.until(WAIT, "a to serve", () -> engine.snapshot("a").serving(), () -> describe(engine));
            } else {
                engine.start(List.of("b"));
            }
            assertThat(engine.snapshot("b").wanted())
                    .as("b's supervisor has not taken its start yet")
                    .isFalse();
            assertThat(engine.startsPending()).isTrue();
            assertThat(control.health().healthy())
                    .as("healthy while b is about to start:\n" + describe(engine))
                    .isFalse();
        } finally {
            release.countDown();
        }
        awaitServingAndHealthy(engine, control, "b");
    }

    /** Waits until {@code instance} serves and the engine is healthy, with no start pending. */
    private static void awaitServingAndHealthy(Engine engine, EngineControl control, String instance) {
        Waits.until(
                WAIT,
                instance + " to serve and the engine to be healthy",
                () -> engine.snapshot(instance).serving() && control.health().healthy(),
                () -> describe(engine));
        assertThat(engine.startsPending()).isFalse();
    }

    @Test
    void afterAReloadHealthWaitsUntilTheAddedProcessHasTakenItsStart() throws Exception {
        Path file = dir.resolve("drover.yaml");
        String a = "processes:\n  a: {command: \"exec sleep 300\", min_uptime: 0s}\n";
        Files.writeString(file, a);
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString());
        Engine engine = fixture.start(a);
        EngineControl control = new EngineControl(engine, force -> {});
        Waits.until(WAIT, "a to serve", () -> engine.snapshot("a").serving(), () -> describe(engine));
        // Right after each reload that adds c, c's fresh supervisor may not have run yet: then the
        // engine must still say its starts are pending (read first: it is lowered only once c is wanted).
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            Files.writeString(file, a + "  c: {command: \"exec sleep 300\", min_uptime: 0s}\n");
            assertThat(engine.reload(ConfigLoader.load(file, env)).added()).containsExactly("c");
            boolean pending = engine.startsPending();
            boolean wanted = engine.snapshot("c").wanted();
            seen.add(pending ? "pending" : wanted ? "taken" : "NEITHER");
            assertThat(pending || wanted)
                    .as(
                            "after reload %d: c not wanted yet, and no start pending (so health would leave c out);"
                                    + " seen so far %s%n%s",
                            i, seen, describe(engine))
                    .isTrue();
            Files.writeString(file, a);
            assertThat(engine.reload(ConfigLoader.load(file, env)).removed()).containsExactly("c");
        }
        Waits.until(
                WAIT,
                "no start pending and the engine healthy",
                () -> !engine.startsPending() && control.health().healthy(),
                () -> describe(engine));
        System.out.println("[reload adds c] right after each reload: " + seen);
    }

    @Test
    void aProcessWithoutAReadinessProbeIsReadyOnlyAfterMinUptime() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  plain: {command: "exec sleep 300", min_uptime: 1500ms}
                """);
        Waits.until(
                WAIT,
                "plain to run",
                () -> engine.snapshot("plain").state() == ProcessState.RUNNING,
                () -> describe(engine));
        long spawnedAt = engine.snapshot("plain").startedAtMillis();
        assertThat(engine.snapshot("plain").health())
                .as("just spawned: not ready yet")
                .isEqualTo(Health.UNKNOWN);
        Waits.until(
                WAIT,
                "plain to be ready",
                () -> engine.snapshot("plain").health() == Health.READY,
                () -> describe(engine));
        assertThat(System.currentTimeMillis() - spawnedAt).isGreaterThanOrEqualTo(1400);
    }

    @Test
    void aServerThatCrashesBeforeMinUptimeNeverCountsAsReady() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  flaky:
                    command: "sleep 0.3; echo 'Address already in use' >&2; exit 1"
                    backoff: {initial: 200ms, max: 200ms}
                """);
        List<Health> seen = Collections.synchronizedList(new ArrayList<>());
        engine.addListener((name, before, after) -> seen.add(after.health()));
        Waits.until(WAIT, "two crashes", () -> engine.snapshot("flaky").restarts() >= 2, () -> describe(engine));
        assertThat(seen).doesNotContain(Health.READY);
        assertThat(engine.snapshot("flaky").status().budget().failedStarts()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void livenessDoesNotCountBeforeASlowStarterIsFirstReady() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  slow:
                    command: ["python3", "-c", "import socket, time; time.sleep(2); s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(__import__('os').environ['PORT']))); s.listen(); time.sleep(300)"]
                    port: auto
                    readiness: {tcp: "127.0.0.1:${PORT}", interval: 100ms}
                    liveness: {tcp: "127.0.0.1:${PORT}", interval: 100ms, failure_threshold: 2}
                """);
        Waits.until(
                WAIT,
                "slow to be ready",
                () -> engine.snapshot("slow").health() == Health.READY,
                () -> describe(engine));
        assertThat(engine.snapshot("slow").restarts()).as(describe(engine)).isZero();
        assertThat(announcements(engine, "slow")).noneMatch(line -> line.contains("liveness failed"));
    }

    @Test
    void livenessCountsAfterTheStartPeriodEvenIfNeverReady() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  stuck:
                    command: "exec sleep 300"
                    port: auto
                    start_period: 500ms
                    readiness: {exec: "false", interval: 100ms}
                    liveness: {tcp: "127.0.0.1:${PORT}", interval: 100ms, failure_threshold: 1}
                    backoff: {initial: 10s, max: 10s}
                """);
        Waits.until(WAIT, "a liveness restart", () -> engine.snapshot("stuck").restarts() >= 1, () -> describe(engine));
        assertThat(announcements(engine, "stuck")).anyMatch(line -> line.contains("liveness failed"));
        assertThat(engine.snapshot("stuck").lastEnd().kind()).isEqualTo(End.Kind.LIVENESS);
    }

    @Test
    void aCrashLoopEndsFatalAfterMaxRestartsFailedStartsInARowEvenOutsideTheWindow() throws Exception {
        // A window too short to ever hold max_restarts restarts: only the failed-starts rule can end the loop.
        Engine engine = fixture.start("""
                processes:
                  boom:
                    command: "echo boom >&2; exit 1"
                    max_restarts: 4
                    restart_window: 10ms
                    backoff: {initial: 50ms, max: 50ms}
                """);
        Waits.until(
                WAIT,
                "boom to give up",
                () -> engine.snapshot("boom").state() == ProcessState.FATAL,
                () -> describe(engine));
        ProcessSnapshot boom = engine.snapshot("boom");
        assertThat(boom.reason()).contains("ended before it was ready 5 times in a row (max_restarts 4), giving up");
        assertThat(boom.restarts()).isEqualTo(4);
        assertThat(output(engine, "boom")).contains("boom");
    }

    @Test
    void anHttpProbeDoesNotHoldAServerThatWaitsForItsOpenConnectionsOnStop() throws Exception {
        Files.writeString(dir.resolve("server.py"), """
                import http.server, os, signal, threading
                class Handler(http.server.BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def do_GET(self):
                        self.send_response(200)
                        self.send_header("Content-Length", "2")
                        self.end_headers()
                        self.wfile.write(b"ok")
                    def log_message(self, *args):
                        pass
                class Server(http.server.ThreadingHTTPServer):
                    daemon_threads = False
                    block_on_close = True
                server = Server(("127.0.0.1", int(os.environ["PORT"])), Handler)
                signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
                print("serving", flush=True)
                server.serve_forever()
                server.server_close()
                print("closed after its connections ended", flush=True)
                """);
        Engine engine = fixture.start("""
                processes:
                  web:
                    command: ["python3", "server.py"]
                    port: auto
                    stop_timeout: 15s
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                """);
        Waits.until(
                WAIT, "web to be ready", () -> engine.snapshot("web").health() == Health.READY, () -> describe(engine));
        Waits.until(
                WAIT, "a few more probes", () -> engine.snapshot("web").lastProbe() != null, () -> describe(engine));
        long before = System.nanoTime();
        engine.stop(List.of("web"));
        Waits.until(
                WAIT,
                "web to stop",
                () -> engine.snapshot("web").state() == ProcessState.STOPPED,
                () -> describe(engine));
        assertThat(engine.snapshot("web").lastEnd().forced())
                .as("stopped by its SIGTERM, not killed after stop_timeout:\n" + describe(engine))
                .isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
        assertThat(output(engine, "web")).contains("closed after its connections ended");
    }

    @Test
    void aFixedPortThatAnotherProcessListensOnIsRefusedBeforeSpawningNamingTheHolder() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = held.getLocalPort();
            Engine engine = fixture.start("""
                    processes:
                      web:
                        command: "touch spawned; exec sleep 300"
                        port: %d
                    """.formatted(port));
            Waits.until(
                    WAIT,
                    "web to be refused",
                    () -> engine.snapshot("web").state() == ProcessState.FATAL,
                    () -> describe(engine));
            assertThat(engine.snapshot("web").reason())
                    .startsWith("port " + port + " is in use by pid "
                            + ProcessHandle.current().pid() + " (")
                    .contains("java");
            assertThat(engine.snapshot("web").lastEnd().kind()).isEqualTo(End.Kind.SPAWN_FAILED);
            assertThat(dir.resolve("spawned")).doesNotExist();
        }
    }

    @Test
    void aForcedShutdownDoesNotWaitOutStopTimeout() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  stubborn: {command: "trap '' TERM; while :; do sleep 0.1; done", stop_timeout: 60s, min_uptime: 0s}
                  second: {command: "trap '' TERM; while :; do sleep 0.1; done", stop_timeout: 60s, depends_on: [stubborn]}
                """);
        Waits.until(
                WAIT,
                "both to run",
                () -> engine.snapshots().stream().allMatch(s -> s.state() == ProcessState.RUNNING),
                () -> describe(engine));
        long before = System.nanoTime();
        engine.forceStop();
        assertThat(engine.shutdown()).as("a forced stop kills").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(20));
        assertThat(engine.snapshots()).allSatisfy(s -> {
            assertThat(s.pid()).isZero();
            assertThat(s.lastEnd().kind()).isEqualTo(End.Kind.KILLED_AFTER_STOP_TIMEOUT);
        });
    }

    @Test
    void aRoutedProcessIsDrainedBeforeItsStopSignal() throws Exception {
        Path file = dir.resolve("drover.yaml");
        Files.writeString(file, """
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                  web: {command: "exec sleep 300", port: auto, min_uptime: 0s}
                """);
        DroverConfig config = ConfigLoader.load(file, Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString()));
        Engine engine = new Engine(config, Launcher.get(), null);
        ownEngines.add(engine);
        List<String> drained = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> release = new CompletableFuture<>();
        engine.setTraffic(new Traffic() {
            @Override
            public CompletableFuture<Void> drain(String instance, int pid, Duration timeout) {
                drained.add(instance + " within " + timeout.toSeconds() + "s");
                return release;
            }

            @Override
            public CompletableFuture<Void> hold(String instance, Duration timeout) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void release(String instance) {}

            @Override
            public boolean held(String instance) {
                return false;
            }
        });
        engine.up(List.of());
        Waits.until(
                WAIT,
                "web to run",
                () -> engine.snapshot("web").state() == ProcessState.RUNNING,
                () -> describe(engine));
        int pid = engine.snapshot("web").pid();
        engine.stop(List.of("web"));
        Waits.until(
                WAIT,
                "web to drain",
                () -> engine.snapshot("web").state() == ProcessState.DRAINING,
                () -> describe(engine));
        assertThat(drained).containsExactly("web within 30s");
        assertThat(ProcessHandle.of(pid)).as("no stop signal while it drains").isPresent();
        release.complete(null);
        Waits.until(
                WAIT,
                "web to stop",
                () -> engine.snapshot("web").state() == ProcessState.STOPPED,
                () -> describe(engine));
        assertThat(announcements(engine, "web")).contains("stopping: draining first", "drained; stopping");
    }

    @Test
    void aReloadThatStartsRoutingToAProcessRestartsItSoItDrainsFromThenOn() throws Exception {
        Path file = dir.resolve("drover.yaml");
        String process = """
                processes:
                  web: {command: "exec sleep 300", port: auto, min_uptime: 0s}
                """;
        Files.writeString(file, "proxy: {listen: \"127.0.0.1:0\"}\n" + process);
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString());
        Engine engine = new Engine(ConfigLoader.load(file, env), Launcher.get(), null);
        ownEngines.add(engine);
        List<String> drained = Collections.synchronizedList(new ArrayList<>());
        engine.setTraffic(new Traffic() {
            @Override
            public CompletableFuture<Void> drain(String instance, int pid, Duration timeout) {
                drained.add(instance);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> hold(String instance, Duration timeout) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void release(String instance) {}

            @Override
            public boolean held(String instance) {
                return false;
            }
        });
        engine.up(List.of());
        Waits.until(
                WAIT,
                "web to run",
                () -> engine.snapshot("web").state() == ProcessState.RUNNING,
                () -> describe(engine));
        int before = engine.snapshot("web").pid();
        assertThat(engine.routed("web")).isFalse();

        Files.writeString(file, "proxy: {listen: \"127.0.0.1:0\"}\nroutes:\n  - {path: /, process: web}\n" + process);
        var result = engine.reload(ConfigLoader.load(file, env));
        assertThat(result.restarted()).as("routes now name web: %s", result).containsExactly("web");
        assertThat(drained).as("web was not routed when the reload stopped it").isEmpty();
        Waits.until(
                WAIT,
                "web to run again",
                () -> engine.snapshot("web").state() == ProcessState.RUNNING
                        && engine.snapshot("web").pid() != before,
                () -> describe(engine));
        assertThat(engine.routed("web")).isTrue();
        engine.stop(List.of("web"));
        Waits.until(
                WAIT,
                "web to stop",
                () -> engine.snapshot("web").state() == ProcessState.STOPPED,
                () -> describe(engine));
        assertThat(drained).as("routed now: drained before its stop").containsExactly("web");
    }

    @Test
    void theOsEdgeIsPassedInSoATestCanCountSpawnsAndInjectFaults() throws Exception {
        Path file = dir.resolve("drover.yaml");
        Files.writeString(file, """
                processes:
                  web: {command: "exec sleep 300", backoff: {initial: 100ms, max: 100ms}}
                """);
        DroverConfig config = ConfigLoader.load(file, Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString()));
        AtomicInteger spawns = new AtomicInteger();
        OsEdge real = Launcher.get();
        OsEdge flaky = new OsEdge() {
            @Override
            public Child spawn(SpawnSpec spec, OutputSink stdout, OutputSink stderr) throws SpawnException {
                return real.spawn(spec, stdout, stderr);
            }

            @Override
            public Child spawnPaused(SpawnSpec spec, OutputSink stdout, OutputSink stderr) throws SpawnException {
                if (spawns.incrementAndGet() == 1) {
                    throw new SpawnException("cannot start: Resource temporarily unavailable", 11); // EAGAIN
                }
                return real.spawnPaused(spec, stdout, stderr);
            }

            @Override
            public dev.drover.launch.NotifySocket openNotifySocket(
                    String address, dev.drover.launch.NotifySocket.Listener listener) throws java.io.IOException {
                return real.openNotifySocket(address, listener);
            }

            @Override
            public boolean threadsAlive() {
                return real.threadsAlive();
            }
        };
        Engine engine = new Engine(config, flaky, null);
        ownEngines.add(engine);
        engine.up(List.of());
        Waits.until(
                WAIT,
                "web to run after a temporary failure",
                () -> engine.snapshot("web").state() == ProcessState.RUNNING,
                () -> describe(engine));
        assertThat(spawns.get()).isEqualTo(2);
        assertThat(engine.snapshot("web").restarts()).isEqualTo(1);
        assertThat(engine.snapshot("web").lastEnd().kind())
                .as("the failed spawn is the last end")
                .isEqualTo(End.Kind.SPAWN_FAILED);
    }
}
