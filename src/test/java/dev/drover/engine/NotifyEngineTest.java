package dev.drover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import dev.drover.state.End;
import dev.drover.state.Health;
import dev.drover.state.ProcessState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** notify: true and watchdog on real processes that speak sd_notify over their private NOTIFY_SOCKET. */
@Timeout(120)
class NotifyEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /**
     * A child that speaks sd_notify. Each argument is a step: {@code send=TEXT} (with {@code \n}
     * between assignments), {@code await=FILE} (until it exists), {@code ping=N,SECONDS} (N
     * WATCHDOG=1, SECONDS apart), {@code statuses=N} (N different STATUS= at once), {@code
     * oversized=TEXT} (TEXT padded past 4096 bytes in one datagram), {@code sleep=SECONDS}, {@code
     * touch=FILE}, {@code exit=CODE}; then it sleeps.
     */
    private static final String SPEAKER = """
            import os, socket, sys, time
            address = os.environ["NOTIFY_SOCKET"]
            if address.startswith("@"):
                address = "\\0" + address[1:]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            def send(text):
                s.sendto(text.replace("\\\\n", "\\n").encode(), address)
            for step in sys.argv[1:]:
                verb, _, arg = step.partition("=")
                if verb == "send":
                    send(arg)
                elif verb == "await":
                    while not os.path.exists(arg):
                        time.sleep(0.02)
                elif verb == "ping":
                    n, every = arg.split(",")
                    for _ in range(int(n)):
                        send("WATCHDOG=1")
                        time.sleep(float(every))
                elif verb == "statuses":
                    for i in range(int(arg)):
                        send("STATUS=step %d" % i)
                elif verb == "oversized":
                    send(arg + "\\nSTATUS=" + "x" * 5000)
                elif verb == "sleep":
                    time.sleep(float(arg))
                elif verb == "touch":
                    open(arg, "a").close()
                elif verb == "exit":
                    sys.exit(int(arg))
            time.sleep(300)
            """;

    @TempDir
    Path dir;

    private EngineFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(onPath("python3"), "python3 is needed for the sd_notify speaker");
        Files.writeString(dir.resolve("speaker.py"), SPEAKER);
        fixture = new EngineFixture(dir);
    }

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    private Path notifyDir() {
        return dir.resolve(".drover/notify");
    }

    private List<Path> sockets() throws Exception {
        if (!Files.isDirectory(notifyDir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(notifyDir())) {
            return files.toList();
        }
    }

    @Test
    void aNotifyProcessIsReadyOnlyAfterReadyAndItsHealthyDependentWaitsForIt() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  x:
                    command: [python3, speaker.py, "send=STATUS=warming up", await=go, "send=READY=1\\nSTATUS=serving"]
                    notify: true
                    min_uptime: 0
                  y:
                    command: "exec sleep 300"
                    depends_on: {x: {condition: healthy}}
                """);
        Waits.until(
                WAIT,
                "x running and its STATUS= seen",
                () -> engine.snapshot("x").notified() != null
                        && "warming up".equals(engine.snapshot("x").notified().status()),
                () -> EngineFixture.describe(engine));
        ProcessSnapshot x = engine.snapshot("x");
        assertThat(x.state()).isEqualTo(ProcessState.RUNNING);
        assertThat(x.health())
                .as("not ready before READY=1, although min_uptime is 0")
                .isEqualTo(Health.UNKNOWN);
        ProcessSnapshot y = engine.snapshot("y");
        assertThat(y.state()).as(EngineFixture.describe(engine)).isEqualTo(ProcessState.STOPPED);
        assertThat(y.pid()).isZero();
        assertThat(y.waitingFor()).contains("x");
        List<Path> sockets = sockets();
        assertThat(sockets).as("one private socket for x's run").hasSize(1);
        assertThat(sockets.getFirst().getFileName().toString()).startsWith("x-").endsWith(".sock");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(notifyDir())))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sockets.getFirst())))
                .isEqualTo("rw-------");

        Files.createFile(dir.resolve("go"));
        Waits.until(
                WAIT,
                "x ready and y running after READY=1",
                () -> engine.snapshot("x").serving() && engine.snapshot("y").state() == ProcessState.RUNNING,
                () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("x").notified().status()).isEqualTo("serving");
        assertThat(engine.snapshot("y").startedAtMillis())
                .isGreaterThanOrEqualTo(
                        engine.snapshot("x").status().readiness().sinceMillis());
        assertThat(EngineFixture.announcements(engine, "x")).contains("status: warming up", "ready");

        engine.stop(List.of("x", "y"));
        Waits.until(
                WAIT,
                "x stopped and its socket file gone",
                () -> engine.snapshot("x").state() == ProcessState.STOPPED
                        && sockets().isEmpty(),
                () -> EngineFixture.describe(engine) + "sockets: " + sockets());
        assertThat(engine.snapshot("x").notified()).isNull();
    }

    @Test
    void aProcessThatStopsPingingItsWatchdogIsRestartedWithTheWatchdogReason() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  worker:
                    command: [python3, speaker.py, "send=READY=1", "ping=30,0.1", touch=quiet]
                    notify: true
                    watchdog: 2s
                    restart: always
                    backoff: {initial: 100ms, max: 100ms}
                """);
        Waits.until(
                WAIT,
                "worker restarted for its watchdog",
                () -> engine.snapshot("worker").restarts() >= 1,
                () -> EngineFixture.describe(engine));
        assertThat(Files.exists(dir.resolve("quiet")))
                .as("not restarted while it pinged (30 pings 100ms apart, watchdog 2s)")
                .isTrue();
        ProcessSnapshot worker = engine.snapshot("worker");
        assertThat(worker.lastEnd()).isNotNull();
        assertThat(worker.lastEnd().kind()).isEqualTo(End.Kind.WATCHDOG);
        assertThat(worker.lastEnd().describe()).isEqualTo("watchdog timeout (no WATCHDOG=1 for 2s)");
        assertThat(worker.ends()).containsKey("watchdog");
        assertThat(EngineFixture.announcements(engine, "worker"))
                .anyMatch(line -> line.startsWith("watchdog timeout (no WATCHDOG=1 for 2s); stopping to restart"));
    }

    @Test
    void stoppingDisarmsTheWatchdogSoAQuietCleanExitIsNotAWatchdogFailure() throws Exception {
        // No pings at all: armed at READY=1, the watchdog would fire 2s later, in the middle of the
        // 3s the child takes to stop after STOPPING=1.
        Engine engine = fixture.start("""
                processes:
                  job:
                    command: [python3, speaker.py, "send=READY=1", await=stop, "send=STOPPING=1", sleep=3, exit=0]
                    notify: true
                    watchdog: 2s
                    restart: on-failure
                    backoff: {initial: 100ms, max: 100ms}
                """);
        Waits.until(WAIT, "job ready", () -> engine.snapshot("job").serving(), () -> EngineFixture.describe(engine));
        Files.createFile(dir.resolve("stop"));
        Waits.until(
                WAIT,
                "job not ready after STOPPING=1",
                () -> engine.snapshot("job").health() == Health.NOT_READY,
                () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("job").state())
                .as("STOPPING=1 seen while it still ran, before its watchdog timeout")
                .isEqualTo(ProcessState.RUNNING);
        Waits.until(
                WAIT,
                "job's own exit judged",
                () -> engine.snapshot("job").lastEnd() != null,
                () -> EngineFixture.describe(engine));
        ProcessSnapshot job = engine.snapshot("job");
        assertThat(job.lastEnd().kind()).as(EngineFixture.describe(engine)).isNotEqualTo(End.Kind.WATCHDOG);
        assertThat(job.lastEnd().success()).as(EngineFixture.describe(engine)).isTrue();
        assertThat(job.ends()).doesNotContainKey("watchdog");
        assertThat(job.restarts()).isZero();
        assertThat(job.state()).isEqualTo(ProcessState.EXITED);
        assertThat(EngineFixture.announcements(engine, "job"))
                .contains("watchdog: off, as it is stopping by itself (STOPPING=1)");
    }

    @Test
    void aMessageLongerThan4096BytesIsIgnoredNotCutAndTheNextOneCounts() throws Exception {
        // Cut at 4096 bytes and read, the first datagram would record MAINPID=4242.
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: [python3, speaker.py, "oversized=MAINPID=4242", "send=READY=1\\nSTATUS=fine"]
                    notify: true
                """);
        Waits.until(WAIT, "svc ready", () -> engine.snapshot("svc").serving(), () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("svc").notified().mainPid()).isZero();
        assertThat(engine.snapshot("svc").notified().status()).isEqualTo("fine");
        assertThat(EngineFixture.announcements(engine, "svc"))
                .anyMatch(line -> line.startsWith("ignored an sd_notify message of 5020 bytes (more than 4096"));
    }

    @Test
    void aChildThatChangesItsStatusManyTimesASecondDoesNotFloodTheLog() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  chatty:
                    command: [python3, speaker.py, statuses=200, "send=READY=1\\nSTATUS=done"]
                    notify: true
                """);
        Waits.until(
                WAIT,
                "chatty ready with its last STATUS=",
                () -> engine.snapshot("chatty").serving()
                        && "done".equals(engine.snapshot("chatty").notified().status()),
                () -> EngineFixture.describe(engine));
        List<String> statusLines = EngineFixture.announcements(engine, "chatty").stream()
                .filter(line -> line.startsWith("status: "))
                .toList();
        // One a second at most: 201 changes sent in well under a few seconds.
        assertThat(statusLines).as("status lines in the log").isNotEmpty().hasSizeLessThan(5);
    }

    @Test
    void theNotifyDirectoryIsMadePrivateWhenItAlreadyExistsOpen() throws Exception {
        Files.createDirectories(
                notifyDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(notifyDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: [python3, speaker.py, "send=READY=1"]
                    notify: true
                """);
        Waits.until(WAIT, "svc ready", () -> engine.snapshot("svc").serving(), () -> EngineFixture.describe(engine));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(notifyDir())))
                .isEqualTo("rwx------");
    }

    @Test
    void watchdogTriggerRestartsAtOnceAndTheChildSeesWatchdogUsec() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  worker:
                    command: "echo usec=$WATCHDOG_USEC pid=$${WATCHDOG_PID:-unset}; exec python3 speaker.py send=READY=1 await=boom send=WATCHDOG=trigger"
                    notify: true
                    watchdog: 30s
                    restart: always
                    backoff: {initial: 100ms, max: 100ms}
                """);
        Waits.until(
                WAIT, "worker ready", () -> engine.snapshot("worker").serving(), () -> EngineFixture.describe(engine));
        assertThat(EngineFixture.output(engine, "worker")).contains("usec=30000000 pid=unset");
        Files.createFile(dir.resolve("boom"));
        Waits.until(
                WAIT,
                "worker restarted on WATCHDOG=trigger",
                () -> engine.snapshot("worker").restarts() >= 1,
                () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("worker").lastEnd().describe()).isEqualTo("watchdog triggered (WATCHDOG=trigger)");
    }

    @Test
    void stoppingThenACleanExitIsNotACrashAndMainPidIsRecorded() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  job:
                    command: [python3, speaker.py, "send=READY=1\\nMAINPID=4242", await=done, "send=STOPPING=1\\nSTATUS=bye", touch=said, await=really, exit=0]
                    notify: true
                """);
        Waits.until(
                WAIT,
                "job ready with its MAINPID recorded",
                () -> engine.snapshot("job").serving()
                        && engine.snapshot("job").notified().mainPid() == 4242,
                () -> EngineFixture.describe(engine));
        Files.createFile(dir.resolve("done"));
        Waits.until(
                WAIT,
                "job not ready after STOPPING=1",
                () -> engine.snapshot("job").health() == Health.NOT_READY,
                () -> EngineFixture.describe(engine));
        ProcessSnapshot stopping = engine.snapshot("job");
        assertThat(stopping.state()).isEqualTo(ProcessState.RUNNING);
        assertThat(stopping.notified().stopping()).isTrue();
        assertThat(stopping.reason()).isEqualTo("stopping by itself (STOPPING=1)");
        Files.createFile(dir.resolve("really"));
        Waits.until(
                WAIT,
                "job exited",
                () -> engine.snapshot("job").state() == ProcessState.EXITED,
                () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("job").restarts()).isZero();
        assertThat(engine.snapshot("job").lastEnd().success()).isTrue();
        assertThat(EngineFixture.announcements(engine, "job"))
                .anyMatch(line -> line.startsWith("MAINPID=4242 recorded; Drover goes on supervising pid"));
        Waits.until(WAIT, "its socket file gone", () -> sockets().isEmpty(), () -> "sockets: " + sockets());
    }

    @Test
    void systemdNotifyReadyFromAShellChildMakesItReady() throws Exception {
        Path systemdNotify = Path.of("/usr/bin/systemd-notify");
        Assumptions.assumeTrue(Files.isExecutable(systemdNotify), "systemd-notify is not installed");
        // systemd-notify runs as a child of the shell: accepted like systemd's NotifyAccess=all.
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: "/usr/bin/systemd-notify --ready --status='up via systemd-notify' && exec sleep 300"
                    notify: true
                  after:
                    command: "exec sleep 300"
                    depends_on: {svc: healthy}
                """);
        Waits.until(
                WAIT,
                "svc ready through systemd-notify and its dependent running",
                () -> engine.snapshot("svc").serving()
                        && engine.snapshot("after").state() == ProcessState.RUNNING,
                () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("svc").notified().status()).isEqualTo("up via systemd-notify");
    }

    @Test
    void aReloadThatChangesTheWatchdogRestartsTheProcessOnAFreshSocketAndRemovesTheOldOne() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  svc:
                    command: [python3, speaker.py, "send=READY=1", "ping=100000,0.1"]
                    notify: true
                    watchdog: 5s
                """);
        Waits.until(WAIT, "svc ready", () -> engine.snapshot("svc").serving(), () -> EngineFixture.describe(engine));
        int firstPid = engine.snapshot("svc").pid();
        List<Path> before = sockets();
        assertThat(before).hasSize(1);
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  svc:
                    command: [python3, speaker.py, "send=READY=1", "ping=100000,0.1"]
                    notify: true
                    watchdog: 4s
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        assertThat(control.reload().restarted()).containsExactly("svc");
        Waits.until(
                WAIT,
                "svc ready again in a new run, on a new socket only",
                () -> engine.snapshot("svc").serving()
                        && engine.snapshot("svc").pid() != firstPid
                        && sockets().size() == 1
                        && !sockets().equals(before),
                () -> EngineFixture.describe(engine) + "sockets before " + before + ", now " + sockets());
    }

    @Test
    void aProcessWithoutNotifyGetsNoNotifySocket() throws Exception {
        Engine engine = fixture.start("""
                processes:
                  plain:
                    command: "echo socket=$${NOTIFY_SOCKET:-none}; exec sleep 300"
                """);
        Waits.until(
                WAIT,
                "plain's output",
                () -> EngineFixture.output(engine, "plain").contains("socket=none"),
                () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("plain").notified()).isNull();
        assertThat(sockets()).isEmpty();
    }
}
