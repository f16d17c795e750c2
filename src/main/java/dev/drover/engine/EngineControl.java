package dev.drover.engine;

import dev.drover.config.ConfigError;
import dev.drover.config.ConfigException;
import dev.drover.config.ConfigLoader;
import dev.drover.config.StopSignal;
import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessEvent;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import dev.drover.control.RunEnd;
import dev.drover.logs.LogLine;
import dev.drover.logs.LogListener;
import dev.drover.state.End;
import dev.drover.state.Health;
import dev.drover.state.ProcessState;
import dev.drover.state.Status;
import dev.drover.state.Termination;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** The in-process {@link Control}: commands go straight to the engine. */
public final class EngineControl implements Control {
    /** What `down` does: typically stop the engine and let the daemon exit. */
    public interface Shutdown {
        void request(boolean force);
    }

    /** How long a start's answer waits for the supervisors to take it. */
    private static final java.time.Duration TAKE_WAIT = java.time.Duration.ofSeconds(2);

    private final Engine engine;
    private final Shutdown shutdown;

    public EngineControl(Engine engine, Shutdown shutdown) {
        this.engine = engine;
        this.shutdown = shutdown;
    }

    @Override
    public List<ProcessInfo> processes() {
        engine.measureUsage();
        return engine.snapshots().stream().map(this::info).toList();
    }

    @Override
    public ProcessInfo process(String id) throws ControlException {
        engine.measureUsage();
        return info(snapshot(id));
    }

    @Override
    public ProcessInfo start(String id) throws ControlException {
        List<String> instances = instances(id);
        CompletableFuture<Void> taken = commanded(() -> engine.start(instances));
        // Once taken, the answer says whether it starts or waits for its dependencies (and for what).
        try {
            taken.get(TAKE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // a busy supervisor: the answer shows the state before it took the start
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process(instances.getFirst());
    }

    @Override
    public ProcessInfo stop(String id) throws ControlException {
        List<String> instances = instances(id);
        command(() -> engine.stop(instances));
        return process(instances.getFirst());
    }

    @Override
    public ProcessInfo restart(String id) throws ControlException {
        List<String> instances = instances(id);
        try {
            engine.restart(instances);
        } catch (Engine.ShuttingDownException e) {
            throw new ControlException(409, e.getMessage());
        } catch (UnknownProcessException e) {
            throw new ControlException(404, e.getMessage());
        } catch (RolloutException e) {
            throw new ControlException(409, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(503, "interrupted while rolling out " + id);
        }
        return process(instances.getFirst());
    }

    @Override
    public dev.drover.control.ExecContext execContext(String id) throws ControlException {
        String instance = instances(id).getFirst();
        try {
            InstanceDefinition definition = engine.definition(instance);
            return new dev.drover.control.ExecContext(
                    instance,
                    definition.cwd().toString(),
                    definition.env(),
                    Identity.wrap(List.of(), definition.spec().runAs()));
        } catch (UnknownProcessException e) {
            throw new ControlException(404, e.getMessage());
        }
    }

    @Override
    public ProcessInfo run(String id) throws ControlException {
        List<String> instances = instances(id);
        String process = snapshot(id).process();
        if (engine.schedule(process) == null) {
            throw new ControlException(
                    409, process + " has no schedule: `drover run` is for scheduled jobs (use `drover start`)");
        }
        command(() -> engine.runScheduled(process));
        return process(instances.getFirst());
    }

    @Override
    public ProcessInfo drain(String id) throws ControlException {
        List<String> instances = routedInstances(id);
        List<java.util.concurrent.CompletableFuture<Void>> drained = new ArrayList<>();
        for (String instance : instances) {
            drained.add(engine.traffic().hold(instance, engine.drainTimeout(instance)));
        }
        drained.forEach(java.util.concurrent.CompletableFuture::join);
        return process(instances.getFirst());
    }

    @Override
    public ProcessInfo undrain(String id) throws ControlException {
        List<String> instances = routedInstances(id);
        instances.forEach(engine.traffic()::release);
        return process(instances.getFirst());
    }

    /** The instances of a routed process, for drain and undrain: 409 when nothing routes traffic to it. */
    private List<String> routedInstances(String id) throws ControlException {
        List<String> instances = instances(id);
        if (engine.traffic() == dev.drover.control.Traffic.NONE || !engine.routed(instances.getFirst())) {
            throw new ControlException(
                    409, id + " receives no routed traffic (no proxy route names it): nothing to drain");
        }
        return instances;
    }

    /** Without a proxy (or in-process), the routes as configured, with the instances that serve them now. */
    @Override
    public List<dev.drover.control.RouteInfo> routes() {
        List<dev.drover.control.RouteInfo> routes = new ArrayList<>();
        for (dev.drover.config.RouteSpec route : engine.config().routes()) {
            List<dev.drover.control.RouteInfo.Instance> instances = route.process() == null
                    ? List.of()
                    : engine.backends().serving(route.process()).stream()
                            .map(b -> new dev.drover.control.RouteInfo.Instance(
                                    b.instance(), b.port(), !engine.traffic().held(b.instance()), 0, 0, 0))
                            .toList();
            routes.add(new dev.drover.control.RouteInfo(
                    route.host(),
                    route.path(),
                    route.process(),
                    route.target(),
                    route.stripPrefix(),
                    route.balance().yamlName(),
                    0,
                    0,
                    null,
                    null,
                    instances));
        }
        return routes;
    }

    /** The instances an id names: itself, or every replica of a process. 404 when unknown. */
    private List<String> instances(String id) throws ControlException {
        try {
            return engine.instancesOf(id);
        } catch (UnknownProcessException e) {
            throw new ControlException(404, e.getMessage());
        }
    }

    private static void command(Runnable command) throws ControlException {
        commanded(() -> {
            command.run();
            return null;
        });
    }

    /** {@link #command} for one that answers. */
    private static <T> T commanded(java.util.function.Supplier<T> command) throws ControlException {
        try {
            return command.get();
        } catch (Engine.ShuttingDownException e) {
            throw new ControlException(409, e.getMessage());
        } catch (UnknownProcessException e) {
            throw new ControlException(404, e.getMessage());
        }
    }

    @Override
    public ProcessInfo signal(String id, String signal) throws ControlException {
        List<String> instances = instances(id);
        StopSignal parsed = StopSignal.parse(signal)
                .orElseThrow(() -> new ControlException(
                        400, "unknown signal " + signal + " (use a name like TERM, HUP, USR1, or a number)"));
        boolean delivered = false;
        String shortOf = null;
        for (String instance : instances) {
            try {
                delivered |= engine.signal(instance, parsed.number());
            } catch (dev.drover.launch.Descriptors.ExhaustedException e) {
                shortOf = e.getMessage(); // the other instances are still signalled
            }
        }
        if (shortOf != null) {
            throw new ControlException(503, "could not signal every instance of " + id + ": " + shortOf);
        }
        if (!delivered) {
            throw new ControlException(409, id + " is not running, nothing to signal");
        }
        return process(instances.getFirst());
    }

    @Override
    public List<LogEntry> logs(String id, int lines) throws ControlException {
        List<String> instances = instances(id);
        if (lines < 0) {
            throw new ControlException(400, "lines must be 0 or more, got " + lines);
        }
        List<LogEntry> entries = new ArrayList<>();
        for (String instance : instances) {
            engine.log(instance).ring().last(lines).forEach(l -> entries.add(entry(instance, l)));
        }
        entries.sort(java.util.Comparator.comparingLong(LogEntry::time));
        return entries.subList(Math.max(0, entries.size() - lines), entries.size());
    }

    @Override
    public AutoCloseable followLogs(List<String> ids, Consumer<LogEntry> sink) throws ControlException {
        for (String id : ids) {
            instances(id);
        }
        Set<String> wanted = Set.copyOf(ids);
        // By name, through the engine: a process that a reload replaced is still followed.
        LogListener listener = (instance, source, time, buffer, offset, length) -> {
            if (wanted.isEmpty() || wanted.contains(instance) || wanted.contains(processOf(instance))) {
                sink.accept(new LogEntry(
                        time, instance, stream(source), new String(buffer, offset, length, StandardCharsets.UTF_8)));
            }
        };
        engine.addLogListener(listener);
        return () -> engine.removeLogListener(listener);
    }

    @Override
    public AutoCloseable followEvents(Consumer<ProcessEvent> sink) {
        Engine.Listener listener = (instance, before, after) -> {
            if (before.state() != after.state() || before.health() != after.health() || before.pid() != after.pid()) {
                sink.accept(event(instance, before, after));
            }
        };
        engine.addListener(listener);
        return () -> engine.removeListener(listener);
    }

    static ProcessEvent event(String instance, Status before, Status after) {
        RunEnd ended = after.lastEnd() != before.lastEnd() ? runEnd(after.lastEnd()) : null;
        return new ProcessEvent(
                System.currentTimeMillis(),
                instance,
                after.state().label(),
                after.health().label(),
                before.state().label(),
                before.health().label(),
                after.pid(),
                after.restarts(),
                reason(before, after),
                ended);
    }

    /** The reason the status gives, when this change set it; else what the change itself says. */
    private static String reason(Status before, Status after) {
        if (after.reason() != null && !after.reason().equals(before.reason())) {
            return after.reason();
        }
        if (before.state() != after.state() || before.pid() != after.pid()) {
            return switch (after.state()) {
                case STARTING -> after.restarts() > before.restarts() ? "restarting" : "starting";
                case RUNNING -> "started (pid " + after.pid() + ")";
                case STOPPING -> "stopping";
                case DRAINING -> "draining";
                case STOPPED, EXITED, FATAL, BACKOFF ->
                    after.reason() == null ? after.state().label() : after.reason();
            };
        }
        return after.health() == Health.READY ? "ready" : after.health().label();
    }

    /** "api.1" → "api"; process names hold no dots, so a dot always starts a replica number. */
    private static String processOf(String instance) {
        int dot = instance.indexOf('.');
        return dot < 0 ? instance : instance.substring(0, dot);
    }

    @Override
    public List<ProcessInfo> scale(String process, int replicas) throws ControlException {
        try {
            engine.scale(process, replicas);
        } catch (Engine.ShuttingDownException e) {
            throw new ControlException(409, e.getMessage());
        } catch (UnknownProcessException e) {
            throw new ControlException(404, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ControlException(400, e.getMessage());
        } catch (RolloutException e) {
            throw new ControlException(409, "scaled, but " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(503, "interrupted while scaling " + process);
        }
        List<ProcessInfo> instances = new ArrayList<>();
        for (String instance : instances(process)) {
            instances.add(process(instance));
        }
        return instances;
    }

    @Override
    public ReloadResult reload() throws ControlException {
        try {
            return engine.reload(ConfigLoader.load(engine.config().files()));
        } catch (Engine.ShuttingDownException e) {
            throw new ControlException(409, e.getMessage());
        } catch (RolloutException e) {
            throw new ControlException(409, "reloaded, but " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(503, "interrupted while reloading");
        } catch (ConfigException e) {
            List<String> errors = new ArrayList<>();
            for (ConfigError error : e.errors()) {
                errors.add(error.toString());
            }
            throw new ControlException(400, "invalid configuration, nothing changed", errors);
        }
    }

    @Override
    public HealthReport health() {
        List<ProcessInfo> details = new ArrayList<>();
        int running = 0, ready = 0;
        // Starts not taken yet: a process about to start would count as not wanted.
        boolean healthy = !engine.startsPending();
        for (ProcessSnapshot s : engine.snapshots()) {
            details.add(info(s));
            running += s.state() == ProcessState.RUNNING ? 1 : 0;
            ready += s.serving() ? 1 : 0;
            // Should run but does not serve: unhealthy. A one-shot that completed is fine.
            if (s.wanted() && !s.completed() && !s.serving()) {
                healthy = false;
            }
        }
        return new HealthReport(healthy ? "healthy" : "unhealthy", details.size(), running, ready, details);
    }

    @Override
    public void shutdown(boolean force) {
        shutdown.request(force);
    }

    /** The instance named {@code id}, or for a process name with replicas, its first instance. */
    private ProcessSnapshot snapshot(String id) throws ControlException {
        String instance = instances(id).getFirst();
        try {
            return engine.snapshot(instance);
        } catch (UnknownProcessException e) {
            throw new ControlException(404, e.getMessage()); // removed by a reload meanwhile
        }
    }

    private ProcessInfo info(ProcessSnapshot s) {
        boolean running = s.state() == ProcessState.RUNNING;
        long uptime =
                running && s.startedAtMillis() > 0 ? Math.max(0, System.currentTimeMillis() - s.startedAtMillis()) : 0;
        // What it said last, for every process that should serve and does not (yet).
        List<String> lastOutput = s.serving() || s.completed() || !s.wanted() || s.role() != null
                ? List.of()
                : LastOutput.of(engine.log(s.name()));
        String reason = s.reason();
        if (s.state() == ProcessState.STOPPED && !s.wanted() && engine.onDemand(s.process())) {
            reason = "idle (on demand): its first request starts it";
        }
        return new ProcessInfo(
                s.name(),
                s.process(),
                s.replica(),
                s.state().label(),
                s.health().label(),
                s.pid(),
                running ? s.startedAtMillis() : 0,
                uptime,
                s.restarts(),
                s.probeFailures(),
                s.lastProbe(),
                s.port(),
                s.pid() > 0 ? s.cpuPercent() : null, // the last sample of a run that ended is no figure of now
                s.pid() > 0 ? s.memoryBytes() : null,
                reason,
                s.waitingFor(),
                s.waitingFor() != null && engine.dependencyEnded(s.process()),
                runEnd(s.lastEnd()),
                s.status().budget().failedStarts(),
                s.status().budget().nextStartAtMillis(),
                lastOutput,
                s.role(),
                engine.traffic().held(s.name()),
                schedule(engine.schedule(s.process())),
                notify(s.notified()),
                scaled(s.process()));
    }

    private static dev.drover.control.NotifyInfo notify(NotifyChannel.Facts facts) {
        return facts == null
                ? null
                : new dev.drover.control.NotifyInfo(
                        facts.status(), facts.mainPid(), facts.stopping(), facts.lastWatchdogMillis());
    }

    private ProcessInfo.Scaled scaled(String process) {
        Integer file = engine.fileReplicas(process);
        dev.drover.config.ProcessSpec running = engine.config().processes().get(process);
        return file == null || running == null ? null : new ProcessInfo.Scaled(running.replicas(), file);
    }

    private static dev.drover.control.ScheduleInfo schedule(Scheduler.View view) {
        return view == null
                ? null
                : new dev.drover.control.ScheduleInfo(
                        view.expression(),
                        view.lastRunMillis(),
                        view.lastResult(),
                        view.nextRunMillis(),
                        view.queued());
    }

    static RunEnd runEnd(End end) {
        if (end == null) {
            return null;
        }
        Termination t = switch (end) {
            case End.Exited exited -> exited.termination();
            case End.Stopped stopped -> stopped.result().termination();
            case End.Failed failed -> failed.result().termination();
            case End.NotSpawned notSpawned -> null;
        };
        Integer code = t != null && !t.bySignal() ? t.code() : null;
        String signal = t != null && t.bySignal() ? t.signalName() : null;
        return new RunEnd(end.kind().label(), code, signal, end.forced(), end.describe());
    }

    private static LogEntry entry(String id, LogLine line) {
        return new LogEntry(line.timeMillis(), id, stream(line.source()), line.text());
    }

    private static String stream(LogLine.Source source) {
        return source.name().toLowerCase(Locale.ROOT);
    }
}
