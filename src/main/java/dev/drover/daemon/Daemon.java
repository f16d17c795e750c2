package dev.drover.daemon;

import dev.drover.api.ApiHandler;
import dev.drover.api.ApiServer;
import dev.drover.api.Metrics;
import dev.drover.config.ApiSpec;
import dev.drover.config.DroverConfig;
import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.ReloadResult;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import dev.drover.engine.EngineMetrics;
import dev.drover.engine.ProcessSnapshot;
import dev.drover.launch.Launcher;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Descriptors;
import dev.drover.launch.Remnants;
import dev.drover.launch.Signals;
import dev.drover.launch.SystemdNotifier;
import dev.drover.logs.LogLine;
import dev.drover.logs.LogListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * The background daemon: holds the lock, cleans up after a predecessor that died, runs the engine,
 * serves the control API on the Unix socket, records its children in the state file, answers
 * SIGTERM/SIGINT (stop everything) and SIGHUP (reload), and speaks sd_notify under systemd.
 */
public final class Daemon {
    private final RuntimeDir runtime;
    private final DroverConfig config;
    private final List<String> names;
    private final PrintStream out = System.out;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean stateWritePending = new AtomicBoolean();
    private final SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
    private final ScheduledExecutorService chores = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("drover-daemon").daemon().stackSize(256 * 1024).unstarted(r));
    private Engine engine;
    private ApiHandler handler;

    public Daemon(RuntimeDir runtime, DroverConfig config, List<String> names) {
        this.runtime = runtime;
        this.config = config;
        this.names = names;
    }

    /** Runs until stopped; returns the exit status. */
    public int run() throws IOException, InterruptedException {
        runtime.create();
        DaemonLock lock = DaemonLock.tryAcquire(runtime);
        if (lock == null) {
            say("another drover daemon (pid " + runtime.recordedPid() + ") is running for " + runtime.dir() + "; not starting a second one");
            return 1;
        }
        try (lock) {
            // The lock is ours, so any socket or pid file here was left by a daemon that died.
            Files.deleteIfExists(runtime.socket());
            Descriptors.fill(); // before anything that may need it, the clean-up below included
            cleanUpAfterPredecessor();
            Files.writeString(runtime.pidFile(), Launcher.selfPid() + "\n");
            boolean clean = false;
            try {
                clean = serve();
            } finally {
                // Still under the lock, so a successor's files are never the ones removed. The
                // state file stays after an unclean end: it is how the next daemon finds leftovers.
                Files.deleteIfExists(runtime.socket());
                Files.deleteIfExists(runtime.pidFile());
                if (clean) {
                    Files.deleteIfExists(runtime.stateFile());
                }
            }
            return 0;
        }
    }

    /** Serves until asked to stop; true when every process stopped cleanly. */
    private boolean serve() throws IOException, InterruptedException {
        engine = new Engine(config, new EventPrinter());
        engine.addListener((name, before, after) -> {
            if (before.pid() != after.pid()) {
                scheduleStateWrite();
            }
        });
        ApiServer server = null;
        boolean clean = false;
        try {
            // Before the first spawn: a daemon killed from here on leaves its marker behind.
            writeState();
            EngineControl engineControl = new EngineControl(engine, stopRequested::countDown);
            Control control = new DaemonControl(engineControl, () -> reload(engineControl));
            Metrics metrics = new Metrics();
            EngineMetrics.register(engine, metrics.registry());
            ApiSpec api = config.api();
            String listen = api == null ? null : api.listen();
            handler = new ApiHandler(control, metrics, api == null ? null : api.token());
            server = ApiServer.start(control, handler, runtime.socket(), listen, ApiServer.Timeouts.DEFAULT);
            installSignals(engineControl);
            String tcp = listen == null ? "" : " and http://" + listen.substring(0, listen.lastIndexOf(':') + 1) + server.tcpPort();
            say("drover daemon " + Launcher.selfPid() + " serving " + runtime.socket() + tcp + " for " + config.file());
            engine.up(names);
            Thread.ofVirtual().name("drover-readiness").start(this::announceWhenReady);
            startWatchdog();
            stopRequested.await();
        } finally {
            // Whatever happened above, nothing this daemon started outlives it.
            if (handler != null) {
                handler.setReady(false);
            }
            systemd.send("STOPPING=1\nSTATUS=stopping all processes");
            say("stopping all processes");
            clean = engine.shutdown();
            say(clean ? "all processes stopped" : "all processes stopped; some had to be killed after stop_timeout");
            if (server != null) {
                server.stop();
            }
            engine.close();
            chores.shutdownNow();
        }
        return clean;
    }

    /** A daemon killed with SIGKILL leaves its children running: stop them before starting ours, so no two copies fight over a port. */
    private void cleanUpAfterPredecessor() {
        StateFile.State previous = StateFile.read(runtime.stateFile());
        if (previous == null || previous.daemon() == null || previous.daemon().markerPrefix() == null) {
            return;
        }
        if (startTime(previous.daemon().pid()) == previous.daemon().startTime()) {
            return; // cannot happen while we hold the lock, but never stop a live daemon's children
        }
        int stopped = Remnants.stop(previous.daemon().markerPrefix(), Signals.SIGTERM, Duration.ofSeconds(10));
        if (stopped > 0) {
            say("stopped " + stopped + " processes left running by an earlier daemon (pid " + previous.daemon().pid() + ") that died");
        }
    }

    private void installSignals(EngineControl control) {
        Signal.handle(new Signal("TERM"), s -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), s -> stopRequested.countDown());
        Signal.handle(new Signal("HUP"), s -> Thread.ofVirtual().name("drover-reload").start(() -> {
            try {
                reload(control);
            } catch (ControlException e) {
                // already in the log
            }
        }));
    }

    /** A reload from the API, the CLI or SIGHUP: not ready meanwhile, and told to systemd and the log. */
    private ReloadResult reload(EngineControl control) throws ControlException {
        boolean wasReady = handler.isReady();
        handler.setReady(false);
        systemd.send("RELOADING=1\nSTATUS=reloading " + config.file());
        try {
            ReloadResult result = control.reload();
            say("reloaded: restarted " + result.restarted() + ", added " + result.added() + ", removed " + result.removed());
            return result;
        } catch (ControlException e) {
            say("reload refused, nothing changed: " + e.getMessage() + "\n  " + String.join("\n  ", e.details()));
            throw e;
        } finally {
            scheduleStateWrite();
            if (!engine.closing()) {
                systemd.send("READY=1\nSTATUS=" + statusLine());
                handler.setReady(wasReady);
            }
        }
    }

    private void announceWhenReady() {
        try {
            while (stopRequested.getCount() > 0) {
                if (everyWantedProcessSettledOrReady()) {
                    handler.setReady(true);
                    systemd.send("READY=1\nSTATUS=" + statusLine());
                    return;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean everyWantedProcessSettledOrReady() {
        for (ProcessSnapshot s : engine.snapshots()) {
            boolean ready = s.state() == dev.drover.state.ProcessState.RUNNING && s.health() == dev.drover.state.Health.READY;
            boolean settled = s.completed() || s.state() == dev.drover.state.ProcessState.FATAL;
            if (s.wanted() && !ready && !settled) {
                return false;
            }
        }
        return true;
    }

    private String statusLine() {
        HealthReport health = new EngineControl(engine, () -> {}).health();
        return health.ready() + " of " + health.total() + " processes ready";
    }

    /** WATCHDOG=1 only while supervision is proven alive, every half watchdog period. */
    private void startWatchdog() {
        String usec = System.getenv("WATCHDOG_USEC");
        if (!systemd.enabled() || usec == null) {
            return;
        }
        long periodMicros;
        try {
            periodMicros = Long.parseLong(usec.trim());
        } catch (NumberFormatException e) {
            return;
        }
        Duration period = Duration.ofNanos(periodMicros * 1000);
        chores.scheduleAtFixedRate(() -> {
            if (engine.responsive(period)) {
                systemd.send("WATCHDOG=1");
            }
        }, 0, Math.max(1, periodMicros / 2), TimeUnit.MICROSECONDS);
    }

    private void scheduleStateWrite() {
        if (stateWritePending.compareAndSet(false, true)) {
            chores.schedule(() -> {
                stateWritePending.set(false);
                writeState();
            }, 20, TimeUnit.MILLISECONDS);
        }
    }

    private void writeState() {
        List<StateFile.Child> children = new ArrayList<>();
        for (ProcessSnapshot s : engine.snapshots()) {
            if (s.pid() > 0) {
                children.add(new StateFile.Child(s.name(), s.pid(), startTime(s.pid())));
            }
        }
        int self = Launcher.selfPid();
        StateFile.Daemon daemon = new StateFile.Daemon(self, startTime(self), Launcher.markerPrefix(), config.file().toString());
        try {
            StateFile.write(runtime.stateFile(), new StateFile.State(daemon, children));
        } catch (IOException e) {
            say("cannot write the state file " + runtime.stateFile() + ": " + e.getMessage());
        }
    }

    private static long startTime(int pid) {
        try {
            ProcessRef ref = ProcessRef.of(pid);
            return ref == null ? -1 : ref.startTime(); // -1: gone since the snapshot; nothing to find later
        } catch (Descriptors.ExhaustedException e) {
            return -1; // unknown for now: the next state write has it again
        }
    }

    private void say(String message) {
        synchronized (out) {
            out.println(Instant.now() + " drover: " + message);
            out.flush();
        }
    }

    /** Writes Drover's own events about each process to the daemon's log. */
    private final class EventPrinter implements LogListener {
        @Override
        public void line(String process, LogLine.Source source, long timeMillis, byte[] buffer, int offset, int length) {
            if (source == LogLine.Source.DROVER) {
                synchronized (out) {
                    out.println(Instant.ofEpochMilli(timeMillis) + " " + process + ": " + new String(buffer, offset, length, StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        }
    }
}
