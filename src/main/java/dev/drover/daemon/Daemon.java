package dev.drover.daemon;

import dev.drover.api.ApiHandler;
import dev.drover.api.ApiServer;
import dev.drover.api.Metrics;
import dev.drover.config.ApiSpec;
import dev.drover.config.DroverConfig;
import dev.drover.config.HostPort;
import dev.drover.config.ProxySpec;
import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.ReloadResult;
import dev.drover.dashboard.DashboardHandler;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import dev.drover.engine.EngineMetrics;
import dev.drover.engine.ProcessSnapshot;
import dev.drover.launch.Descriptors;
import dev.drover.launch.Launcher;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import dev.drover.launch.SystemdNotifier;
import dev.drover.proxy.ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * The one place Drover is wired together, in the background ({@code up -d}, systemd) and in the
 * foreground ({@code up}) alike: holds the lock, cleans up after a predecessor that died, runs the
 * engine on the OS edge, serves the control API on the Unix socket, records its children in the
 * state file, answers signals (SIGTERM/SIGINT stop everything, a second one forces; SIGHUP reloads
 * in the background and stops in the foreground, where it means the terminal hung up), and speaks
 * sd_notify under systemd. Only its {@link Face} differs between the two.
 */
public final class Daemon {
    private boolean preStart = true;
    /** Another daemon holds the lock of this runtime directory. */
    public static final class AlreadyRunning extends Exception {
        private final int pid;

        AlreadyRunning(int pid, String message) {
            super(message);
            this.pid = pid;
        }

        /** The running daemon's PID, or -1 when its pid file is not readable. */
        public int pid() {
            return pid;
        }
    }

    static {
        // Jetty sizes the padding of its queues by whether references are compressed, and finds out
        // by starting the JVM's platform MBean server: 60-80 ms before the first spawn. Below a
        // 32 GB heap (the daemon's is far smaller) they are 4 bytes: 16 to a 64-byte cache line.
        if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
            System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine", "16");
        }
    }

    /** Descriptors the API's start may take (listener, selectors, first connections), and each process's share. */
    private static final int API_DESCRIPTORS = 64;

    private static final int DESCRIPTORS_PER_INSTANCE = 8;

    private final RuntimeDir runtime;
    private final DroverConfig config;
    private final List<String> names;
    private final Face face;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicInteger stopRequests = new AtomicInteger();
    private final AtomicBoolean stateWritePending = new AtomicBoolean();
    private final SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
    private final ScheduledExecutorService chores = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
            .name("drover-daemon")
            .daemon()
            .stackSize(256 * 1024)
            .unstarted(r));
    private volatile String stopCause = "stopping all processes";
    /** Orders the first READY=1 against STOPPING=1. */
    private final Object readiness = new Object();
    /** Wakes the readiness announcement at every change of state; a look every 50 ms at the latest. */
    private final ReadinessWatch readinessWatch = new ReadinessWatch(Duration.ofMillis(50));

    private Engine engine;
    private ApiHandler handler;
    private ProxyServer proxy;

    public Daemon(RuntimeDir runtime, DroverConfig config, List<String> names, Face face) {
        this.runtime = runtime;
        this.config = config;
        this.names = names;
        this.face = face;
    }

    /**
     * "a drover daemon (pid N) is already running for FILE …"; one that has taken the lock but not
     * yet written its pid is "already starting".
     */
    public static String alreadyRunning(java.nio.file.Path configFile, RuntimeDir runtime) {
        int pid = runtime.recordedPid();
        return "a drover daemon " + (pid > 0 ? "(pid " + pid + ") is already running" : "is already starting")
                + " for " + configFile + " (runtime directory " + runtime.dir()
                + "); use `drover ps`, or `drover down` first";
    }

    /** Runs until stopped; returns the exit status: 0, or 1 in the foreground when something had to be killed. */
    public int run() throws IOException, InterruptedException, AlreadyRunning {
        runtime.create();
        DaemonLock lock = DaemonLock.tryAcquire(runtime);
        if (lock == null) {
            throw new AlreadyRunning(runtime.recordedPid(), alreadyRunning(config.file(), runtime));
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
            return clean || !face.foreground() ? 0 : 1;
        }
    }

    /** Starts skip their pre_start hooks for as long as this daemon runs ({@code up --no-pre-start}). */
    public Daemon skippingPreStart(boolean skip) {
        this.preStart = !skip;
        return this;
    }

    /** Serves until asked to stop; true when every process stopped cleanly. */
    private boolean serve() throws IOException, InterruptedException {
        engine = new Engine(config, Launcher.get(), face.output(), face.echo(), Engine.SAMPLE_EVERY);
        engine.runPreStart(preStart);
        face.aligned(engine.instanceNames());
        engine.addListener((name, before, after) -> {
            if (before.pid() != after.pid()) {
                scheduleStateWrite();
            }
            readinessWatch.nudge();
        });
        ApiServer server = null;
        boolean clean;
        try {
            // Before the first spawn: a daemon killed from here on leaves its marker behind.
            writeState();
            EngineControl engineControl = new EngineControl(
                    engine,
                    force -> requestStop(
                            "stopping all processes" + (force ? " now (forced: no stop_timeout)" : ""), force));
            Metrics metrics = new Metrics();
            EngineMetrics.register(engine, metrics.registry());
            if (config.proxy() != null) {
                // Before anything starts: the engine drains routed instances through it.
                proxy = ProxyServer.start(config, engine.backends(), metrics.registry(), face::say);
                engine.setTraffic(proxy);
                face.say("proxy listening on http://"
                        + HostPort.parse(config.proxy().listen()).authority(proxy.port())
                        + (proxy.tlsPort() < 0
                                ? ""
                                : " and https://"
                                        + HostPort.parse(config.proxy().tls().listen())
                                                .authority(proxy.tlsPort())));
            }
            Control control = new DaemonControl(
                    engineControl,
                    () -> reload(engineControl),
                    (process, replicas) -> scale(engineControl, process, replicas),
                    proxy);
            ApiSpec api = config.api();
            String listen = api == null ? null : api.listen();
            handler = new ApiHandler(control, metrics, api == null ? null : api.token());
            String[] dashboardAddress = {null};
            DashboardHandler dashboard = new DashboardHandler(
                    handler,
                    api == null ? null : api.token(),
                    engine::config,
                    () -> dashboardAddress[0],
                    runtime.dir().resolve("dashboard-sessions.json"));
            // The API is served before the first spawn when it has to be: with a TCP address (in use,
            // it must stop the daemon before anything started) or under a descriptor limit the
            // processes could fill, leaving none for the API (ResourceTroubleIT). Otherwise after:
            // Jetty's set-up (~0.1 s of class initialisation) then does not delay the first spawns.
            long needed = API_DESCRIPTORS
                    + (long) DESCRIPTORS_PER_INSTANCE * engine.instanceNames().size();
            boolean apiFirst = listen != null || Descriptors.room() < needed;
            // Not healthy before the starts go out: with nothing wanted yet, a report would say so.
            Runnable upMade = engine.startsToCome();
            if (apiFirst) {
                server = serveApi(control, dashboard, listen, dashboardAddress);
            }
            installSignals(engineControl);
            if (apiFirst) {
                announce(listen, server);
            }
            try {
                engine.up(names);
            } finally {
                upMade.run();
            }
            // A stop asked for while the first spawns went out: no API to start, nothing to announce.
            if (!apiFirst && stopRequested.getCount() > 0) {
                server = serveApi(control, dashboard, listen, dashboardAddress);
                announce(listen, server); // it says `drover ps` works: only once it does
            }
            metrics.instrumentJvm(); // registered by the first scrape: an idle daemon never needs them
            Thread.ofVirtual().name("drover-readiness").start(this::announceWhenReady);
            startWatchdog();
            stopRequested.await();
        } finally {
            // Whatever happened above, nothing this daemon started outlives it.
            synchronized (readiness) {
                if (handler != null) {
                    handler.setReady(false);
                }
                systemd.send("STOPPING=1\nSTATUS=stopping all processes");
            }
            face.say(stopCause);
            clean = engine.shutdown();
            face.say(
                    clean
                            ? "all processes stopped"
                            : "all processes stopped; some had to be killed after stop_timeout");
            if (server != null) {
                server.stop();
            }
            if (proxy != null) {
                proxy.close();
            }
            engine.close();
            chores.shutdownNow();
        }
        return clean;
    }

    /** Says that the daemon supervises (foreground) or serves its socket (in drover.log). */
    private void announce(String listen, ApiServer server) {
        if (face.foreground()) {
            face.say("supervising " + engine.instanceNames().size() + " processes from " + config.file() + " (pid "
                    + Launcher.selfPid() + "); Ctrl-C stops them; `drover ps` in another terminal shows them");
        } else {
            String tcp = listen == null
                    ? ""
                    : " and http://" + HostPort.parse(listen).authority(server.tcpPort());
            face.say("drover daemon " + Launcher.selfPid() + " serving " + runtime.socket() + tcp + " for "
                    + config.file());
        }
    }

    /** Starts the API on the control socket (and TCP when configured); notes the dashboard's address. */
    private ApiServer serveApi(Control control, DashboardHandler dashboard, String listen, String[] dashboardAddress)
            throws IOException {
        ApiServer server =
                ApiServer.start(control, handler, dashboard, runtime.socket(), listen, ApiServer.Timeouts.DEFAULT);
        if (listen != null) {
            // The login link is redeemed only from this machine: a wildcard listener is reached on loopback.
            HostPort bound = HostPort.parse(listen);
            boolean wildcard = bound.host().equals("0.0.0.0") || bound.host().equals("::");
            dashboardAddress[0] =
                    "http://" + (wildcard ? new HostPort("127.0.0.1", 0) : bound).authority(server.tcpPort());
        }
        return server;
    }

    /**
     * A stop asked for by a signal or the API. The first begins the graceful stop (or a forced one);
     * any further one forces it: what is stopping is killed at once, and what is left stops without
     * its stop_timeout.
     */
    private void requestStop(String cause, boolean force) {
        if (stopRequests.incrementAndGet() == 1) {
            stopCause = cause;
            if (force) {
                engine.forceStop();
            }
            stopRequested.countDown();
            return;
        }
        Thread.ofVirtual().name("drover-force").start(() -> {
            face.say("second signal: killing everything now");
            engine.forceStop();
        });
    }

    /** A daemon killed with SIGKILL leaves its children running: stop them before starting ours, so no two copies fight over a port. */
    private void cleanUpAfterPredecessor() {
        Leftovers leftovers = Leftovers.of(runtime);
        int stopped = leftovers.stop(Signals.SIGTERM, Duration.ofSeconds(10)).size();
        if (stopped > 0) {
            face.say("stopped " + stopped + " processes left running by an earlier daemon (pid " + leftovers.daemonPid()
                    + ") that died");
        }
    }

    private void installSignals(EngineControl control) {
        String again = face.foreground() ? " (Ctrl-C again to kill at once)" : " (a second signal kills at once)";
        Signal.handle(new Signal("TERM"), s -> requestStop("stopping all processes (SIGTERM)" + again, false));
        Signal.handle(
                new Signal("INT"),
                s -> requestStop(
                        face.foreground() ? "stopping" + again : "stopping all processes (SIGINT)" + again, false));
        if (face.foreground()) {
            // A closed terminal or SSH session: stop everything, as Ctrl-C would.
            Signal.handle(
                    new Signal("HUP"), s -> requestStop("the terminal hung up (SIGHUP): stopping" + again, false));
            return;
        }
        Signal.handle(
                new Signal("HUP"),
                s -> Thread.ofVirtual().name("drover-reload").start(() -> {
                    try {
                        reload(control);
                    } catch (ControlException e) {
                        // already in the log
                    }
                }));
    }

    /** A reload from the API, the CLI or SIGHUP: not ready meanwhile, and told to systemd and the log. */
    private ReloadResult reload(EngineControl control) throws ControlException {
        // Before the first READY=1 (a SIGHUP while the first starts go out) there is nothing to
        // take back: the readiness announcement tells systemd READY=1 when it comes.
        boolean wasReady = handler.isReady();
        if (wasReady) {
            handler.setReady(false);
            systemd.send("RELOADING=1\nSTATUS=reloading " + config.file());
        }
        try {
            ReloadResult result;
            try {
                result = control.reload();
            } finally {
                if (proxy != null) {
                    proxy.reconfigure(engine.config()); // the routes of what was applied, even when a rollout failed
                }
            }
            result = result.noting(proxyNotes(config.proxy(), engine.config().proxy()));
            face.say("reloaded: restarted " + result.restarted() + ", added " + result.added() + ", removed "
                    + result.removed());
            result.notes().forEach(note -> face.say("reload: " + note));
            return result;
        } catch (ControlException e) {
            face.say("reload refused, nothing changed: " + e.getMessage() + "\n  " + String.join("\n  ", e.details()));
            throw e;
        } finally {
            scheduleStateWrite();
            synchronized (readiness) {
                if (wasReady && !engine.closing() && stopRequested.getCount() > 0) {
                    systemd.send("READY=1\nSTATUS=" + statusLine());
                    handler.setReady(true);
                }
            }
        }
    }

    /** A scale from the API or the CLI: written to the log, like a reload. */
    private List<dev.drover.control.ProcessInfo> scale(EngineControl control, String process, int replicas)
            throws ControlException {
        try {
            List<dev.drover.control.ProcessInfo> instances = control.scale(process, replicas);
            dev.drover.control.ProcessInfo.Scaled scaled =
                    instances.isEmpty() ? null : instances.getFirst().scaled();
            face.say("scaled " + process + " to " + instances.size()
                    + (scaled == null
                            ? ", as the file says"
                            : " until the next reload (the file says " + scaled.fileReplicas() + ")"));
            return instances;
        } catch (ControlException e) {
            face.say("scale of " + process + " to " + replicas + " refused: " + e.getMessage());
            throw e;
        } finally {
            scheduleStateWrite();
        }
    }

    /**
     * The proxy's listeners, certificates and settings are those it started with: a reload applies
     * routes and processes, and says which proxy keys wait for a restart of the daemon.
     */
    static List<String> proxyNotes(ProxySpec running, ProxySpec read) {
        if (java.util.Objects.equals(running, read)) {
            return List.of();
        }
        String restart = " (drover down, then up)";
        if (running == null) {
            return List.of("the new proxy section takes effect after a restart of the daemon" + restart);
        }
        if (read == null) {
            return List.of("the proxy keeps listening on " + running.listen() + " until a restart of the daemon"
                    + restart + "; no route is served meanwhile");
        }
        List<String> keys = new java.util.ArrayList<>();
        if (!running.listen().equals(read.listen())) {
            keys.add("listen");
        }
        if (!java.util.Objects.equals(running.tls(), read.tls())) {
            keys.add("tls");
        }
        if (!running.timeouts().equals(read.timeouts())) {
            keys.add("timeouts");
        }
        if (!java.util.Objects.equals(running.accessLog(), read.accessLog())) {
            keys.add("access_log");
        }
        if (running.maxBody() != read.maxBody()) {
            keys.add("max_body");
        }
        if (!running.queueTimeout().equals(read.queueTimeout())) {
            keys.add("queue_timeout");
        }
        return List.of("proxy." + String.join(", proxy.", keys) + " changed: takes effect after a restart of the daemon"
                + restart);
    }

    private void announceWhenReady() {
        systemd.prepare(); // while the processes start, not when the last one is ready
        try {
            if (readinessWatch.await(() -> stopRequested.getCount() > 0, this::everyWantedProcessSettledOrReady)) {
                synchronized (readiness) {
                    // Never READY=1 after STOPPING=1: a stop may have come since the watch looked.
                    if (stopRequested.getCount() > 0) {
                        handler.setReady(true);
                        systemd.send("READY=1\nSTATUS=" + statusLine());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean everyWantedProcessSettledOrReady() {
        if (engine.startsPending()) {
            return false; // a process about to start would count as not wanted
        }
        for (ProcessSnapshot s : engine.snapshots()) {
            boolean settled = s.completed() || s.state() == dev.drover.state.ProcessState.FATAL;
            if (s.wanted() && !s.serving() && !settled) {
                return false;
            }
        }
        return true;
    }

    private String statusLine() {
        HealthReport health = new EngineControl(engine, force -> {}).health();
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
        chores.scheduleAtFixedRate(
                () -> {
                    if (engine.responsive(period)) {
                        systemd.send("WATCHDOG=1");
                    }
                },
                0,
                Math.max(1, periodMicros / 2),
                TimeUnit.MICROSECONDS);
    }

    private void scheduleStateWrite() {
        if (stateWritePending.compareAndSet(false, true)) {
            chores.schedule(
                    () -> {
                        stateWritePending.set(false);
                        writeState();
                    },
                    20,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void writeState() {
        List<StateFile.Child> children = new ArrayList<>();
        engine.children()
                .forEach((name, child) -> children.add(new StateFile.Child(name, child.pid(), child.startTime())));
        int self = Launcher.selfPid();
        StateFile.Daemon daemon = new StateFile.Daemon(
                self, startTime(self), Launcher.markerPrefix(), config.file().toString());
        try {
            StateFile.write(runtime.stateFile(), new StateFile.State(daemon, children));
        } catch (IOException e) {
            face.say("cannot write the state file " + runtime.stateFile() + ": " + e.getMessage());
        }
    }

    static long startTime(int pid) {
        try {
            ProcessRef ref = ProcessRef.of(pid);
            return ref == null ? -1 : ref.startTime(); // -1: gone since the snapshot; nothing to find later
        } catch (Descriptors.ExhaustedException e) {
            return -1; // unknown for now: the next state write has it again
        }
    }
}
