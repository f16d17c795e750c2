package dev.drover.engine;

import dev.drover.config.Dependency;
import dev.drover.config.DroverConfig;
import dev.drover.config.PortSpec;
import dev.drover.config.ProcessSpec;
import dev.drover.control.ReloadResult;
import dev.drover.launch.Launcher;
import dev.drover.logs.LogListener;
import dev.drover.logs.ProcessLog;
import dev.drover.state.Event;
import dev.drover.state.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;

/**
 * Runs the processes of one configuration: one supervisor per instance, started in dependency
 * order as each dependency meets its condition, stopped in reverse order, and swapped for new ones
 * on reload when (and only when) their definition changed.
 */
public final class Engine implements AutoCloseable {
    private static final int RING_LINES = 1000;

    /** Told of every status change of every instance. */
    public interface Listener {
        void changed(String instance, Status before, Status after);
    }

    /** The supervisors of one configuration, and who depends on whom; replaced whole on reload. */
    private record Layout(
            DroverConfig config,
            Map<String, ProcessSupervisor> instances,
            Map<String, List<ProcessSupervisor>> byProcess,
            Map<String, List<String>> dependents) {}

    private final LogListener output;
    private final Map<String, String> inherited;
    private final Ports ports = new Ports();
    private final Map<String, Dependencies.Verdict> lastVerdicts = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Told every line of every instance, including instances that a reload creates later. */
    private final List<LogListener> logListeners = new CopyOnWriteArrayList<>();
    private final LogListener logFanOut = new LogListener() {
        @Override
        public void line(String process, dev.drover.logs.LogLine.Source source, long timeMillis, byte[] buffer, int offset, int length) {
            for (LogListener listener : logListeners) {
                listener.line(process, source, timeMillis, buffer, offset, length);
            }
        }
    };
    private final Object reloadLock = new Object();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("drover-timers").daemon().unstarted(r));
    private volatile Layout layout;
    private final ResourceMonitor resources;
    /** Set when shutdown begins: from then on, nothing may be started. */
    private volatile boolean closing;

    public Engine(DroverConfig config, LogListener output) {
        this(config, output, ResourceMonitor.DEFAULT_INTERVAL);
    }

    /**
     * @param sampleEvery how often the CPU and memory of every running process tree are measured
     *     (and limits checked)
     */
    public Engine(DroverConfig config, LogListener output, Duration sampleEvery) {
        this.output = output;
        this.inherited = Map.copyOf(System.getenv());
        this.layout = build(config, Map.of());
        this.resources = new ResourceMonitor(() -> layout.instances().values(), sampleEvery);
        launch(layout.instances().values());
        synchronized (this) {
            config.processes().keySet().forEach(this::reevaluate);
        }
    }

    public DroverConfig config() {
        return layout.config();
    }

    public List<String> instanceNames() {
        return List.copyOf(layout.instances().keySet());
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Listens to the log lines of every instance, now and after any reload. */
    public void addLogListener(LogListener listener) {
        logListeners.add(listener);
    }

    public void removeLogListener(LogListener listener) {
        logListeners.remove(listener);
    }

    /**
     * Commands hold the reload lock while they look the instances up and post to them, so that
     * none lands on an instance a reload is replacing (where a start would run a copy that
     * nobody stops, and a stop would be lost). They wait at most for one reload; during shutdown
     * starts are refused and stops need no lock.
     */
    public void up(Collection<String> names) {
        refuseWhenClosing();
        synchronized (reloadLock) {
            refuseWhenClosing();
            Layout current = layout;
            Set<String> processes = new LinkedHashSet<>();
            if (names.isEmpty()) {
                current.config().processes().values().stream().filter(ProcessSpec::enabled).forEach(s -> withDependencies(current, s.name(), processes));
                post(supervisorsOf(current, processes), new Event.Start());
                return;
            }
            List<ProcessSupervisor> named = resolve(current, names);
            named.forEach(s -> withDependencies(current, s.definition().spec().name(), processes));
            // A named replica (api.1) starts alone; its process's other replicas are not pulled in.
            named.forEach(s -> processes.remove(s.definition().spec().name()));
            Set<ProcessSupervisor> targets = new LinkedHashSet<>(supervisorsOf(current, processes));
            targets.addAll(named);
            post(targets, new Event.Start());
        }
    }

    public void start(Collection<String> names) {
        command(names, new Event.Start());
    }

    public void stop(Collection<String> names) {
        if (closing) {
            post(resolve(layout, names), new Event.Stop()); // everything is being stopped anyway
            return;
        }
        synchronized (reloadLock) {
            post(resolve(layout, names), new Event.Stop());
        }
    }

    public void restart(Collection<String> names) {
        command(names, new Event.Restart());
    }

    private void command(Collection<String> names, Event event) {
        refuseWhenClosing();
        synchronized (reloadLock) {
            refuseWhenClosing();
            post(resolve(layout, names), event);
        }
    }

    /** The instance names a process or instance name stands for. */
    public List<String> instancesOf(String name) {
        return resolve(layout, List.of(name)).stream().map(ProcessSupervisor::name).toList();
    }

    public boolean closing() {
        return closing;
    }

    private void refuseWhenClosing() {
        if (closing) {
            throw new ShuttingDownException();
        }
    }

    /** Sends {@code signal} to the instance's main process; false when it has none running. */
    public boolean signal(String instance, int signal) {
        return supervisor(instance).signal(signal);
    }

    public ProcessSnapshot snapshot(String instance) {
        return snapshotOf(supervisor(instance));
    }

    public List<ProcessSnapshot> snapshots() {
        return layout.instances().values().stream().map(Engine::snapshotOf).toList();
    }

    public ProcessLog log(String instance) {
        return supervisor(instance).log();
    }

    /** Completes once the instance's status satisfies the condition. */
    public CompletableFuture<Status> await(String instance, Predicate<Status> condition) {
        return supervisor(instance).await(condition);
    }

    /**
     * Applies a new configuration: processes whose definition changed are stopped and started
     * anew (if they were wanted), removed ones are stopped, added ones started, and unchanged ones
     * are not touched (same PID).
     */
    public ReloadResult reload(DroverConfig next) {
        synchronized (reloadLock) {
            refuseWhenClosing();
            Layout current = layout;
            Map<String, ProcessSpec> before = current.config().processes();
            Map<String, ProcessSpec> after = next.processes();
            List<String> removed = new ArrayList<>(), added = new ArrayList<>(), changed = new ArrayList<>(), unchanged = new ArrayList<>();
            before.keySet().forEach(name -> (after.containsKey(name) ? (after.get(name).equals(before.get(name)) ? unchanged : changed) : removed).add(name));
            after.keySet().stream().filter(name -> !before.containsKey(name)).forEach(added::add);

            Set<String> wanted = new LinkedHashSet<>();
            for (String name : changed) {
                if (current.byProcess().get(name).stream().anyMatch(s -> s.status().goal() && !s.status().completed())) {
                    wanted.add(name);
                }
            }
            List<String> leaving = new ArrayList<>(removed);
            leaving.addAll(changed);
            stopInOrder(current, leaving);

            Map<String, List<ProcessSupervisor>> kept = new HashMap<>();
            unchanged.forEach(name -> kept.put(name, current.byProcess().get(name)));
            Layout replacement = build(next, kept);
            List<ProcessSupervisor> fresh = replacement.instances().values().stream()
                    .filter(s -> !kept.containsKey(s.definition().spec().name())).toList();
            launch(fresh);
            synchronized (this) {
                layout = replacement;
                lastVerdicts.clear();
                next.processes().keySet().forEach(this::reevaluate);
            }
            resources.instancesChanged();
            for (String name : leaving) {
                for (ProcessSupervisor old : current.byProcess().get(name)) {
                    old.close();
                    retired(old);
                }
            }
            List<ProcessSupervisor> toStart = new ArrayList<>();
            wanted.forEach(name -> toStart.addAll(replacement.byProcess().get(name)));
            added.stream().filter(name -> next.processes().get(name).enabled()).forEach(name -> toStart.addAll(replacement.byProcess().get(name)));
            post(toStart, new Event.Start());
            return new ReloadResult(changed, added, removed, unchanged);
        }
    }

    /**
     * Stops everything, dependents before what they depend on, and waits until every process and
     * everything it started is gone.
     *
     * @return true when everything stopped within its grace period
     */
    public boolean shutdown() {
        closing = true;
        synchronized (reloadLock) {
            Layout current = layout;
            boolean clean = stopInOrder(current, current.config().processes().keySet());
            for (ProcessSupervisor supervisor : current.instances().values()) {
                supervisor.awaitCleanups(Duration.ofSeconds(30));
            }
            return clean;
        }
    }

    /**
     * Whether supervision is provably alive: every supervisor drains its queue, and the OS edge's
     * reaper and output threads run. What the systemd watchdog is fed from.
     */
    public boolean responsive(Duration within) {
        return Launcher.get().threadsAlive()
                && layout.instances().values().stream().allMatch(s -> s.responsive(within.toNanos()));
    }

    /** A command that would start something arrived after shutdown began. */
    public static final class ShuttingDownException extends IllegalStateException {
        ShuttingDownException() {
            super("drover is shutting down");
        }
    }

    /**
     * Measures the CPU and memory of every running process now, unless that was done in the last
     * couple of seconds: what a look at those figures calls first (processes without limits are
     * measured only when looked at).
     */
    public void measureUsage() {
        resources.freshen();
    }

    /** Skips the grace period of every stop in progress. */
    public void forceStop() {
        layout.instances().values().forEach(ProcessSupervisor::forceKill);
    }

    @Override
    public void close() {
        resources.close();
        layout.instances().values().forEach(ProcessSupervisor::close);
        timers.shutdownNow();
    }

    private Layout build(DroverConfig config, Map<String, List<ProcessSupervisor>> kept) {
        Map<String, ProcessSupervisor> instances = new LinkedHashMap<>();
        Map<String, List<ProcessSupervisor>> byProcess = new LinkedHashMap<>();
        Map<String, List<String>> dependents = new HashMap<>();
        Map<String, String> environment = new LinkedHashMap<>(inherited);
        environment.putAll(config.env());
        for (ProcessSpec spec : topologicalOrder(config)) {
            List<ProcessSupervisor> replicas = kept.get(spec.name());
            if (replicas == null) {
                replicas = new ArrayList<>();
                for (int replica = 0; replica < spec.replicas(); replica++) {
                    replicas.add(supervisor(config, spec, replica, environment, byProcess));
                }
            }
            replicas.forEach(s -> instances.put(s.name(), s));
            byProcess.put(spec.name(), List.copyOf(replicas));
            for (Dependency dependency : spec.dependsOn()) {
                dependents.computeIfAbsent(dependency.process(), k -> new ArrayList<>()).add(spec.name());
            }
        }
        return new Layout(config, instances, byProcess, dependents);
    }

    private ProcessSupervisor supervisor(DroverConfig config, ProcessSpec spec, int replica, Map<String, String> environment,
            Map<String, List<ProcessSupervisor>> earlier) {
        Integer port = switch (spec.port()) {
            case null -> null;
            case PortSpec.Fixed fixed -> fixed.port();
            case PortSpec.Auto auto -> ports.free();
        };
        InstanceDefinition definition = InstanceDefinition.of(spec, replica, port, environment);
        ProcessLog log = new ProcessLog(definition.name(), config.logDir().resolve(definition.name() + ".log"),
                spec.log().maxSize(), spec.log().keep(), spec.log().timestamps(), RING_LINES);
        if (output != null) {
            log.addListener(output);
        }
        log.addListener(logFanOut);
        // Dependencies come earlier in topological order, so their (initial) status is known here.
        Dependencies.Verdict verdict = Dependencies.evaluate(spec.dependsOn(),
                name -> earlier.getOrDefault(name, List.of()).stream().map(ProcessSupervisor::status).toList());
        return new ProcessSupervisor(definition, log, timers, this::changed, verdict);
    }

    private static void launch(Collection<ProcessSupervisor> supervisors) {
        supervisors.forEach(ProcessSupervisor::start);
    }

    /**
     * Stops the given processes, those that depend on others first; true if none had to be
     * killed. Each wait is bounded: past its stop_timeout and a margin, everything is killed.
     */
    private static boolean stopInOrder(Layout layout, Collection<String> processes) {
        boolean clean = true;
        for (List<ProcessSupervisor> level : stopLevels(layout, processes)) {
            List<CompletableFuture<Status>> stopped = level.stream()
                    .map(s -> s.postAndAwait(new Event.Stop(), Engine::settled))
                    .toList();
            for (int i = 0; i < level.size(); i++) {
                ProcessSupervisor supervisor = level.get(i);
                Duration bound = supervisor.definition().spec().stopTimeout().plus(STOP_MARGIN);
                Status settled;
                try {
                    settled = stopped.get(i).get(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    supervisor.forceKill();
                    settled = stopped.get(i).completeOnTimeout(supervisor.status(), STOP_MARGIN.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
                    clean = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (settled.reason() != null && settled.reason().contains("killed after stop_timeout")) {
                    clean = false;
                }
            }
        }
        return clean;
    }

    private static final Duration STOP_MARGIN = Duration.ofSeconds(10);

    private static boolean settled(Status status) {
        return switch (status.state()) {
            case STOPPED, EXITED, FATAL -> true;
            case STARTING, RUNNING, BACKOFF, STOPPING -> false;
        };
    }

    /**
     * A reload replaced or removed this instance: if it was left exited or fatal (a stop does
     * not touch those), tell the listeners it is now stopped, so that the next event about a
     * process of the same name (its replacement, starting from stopped) follows on.
     */
    private void retired(ProcessSupervisor old) {
        Status last = old.status();
        if (last.state() != dev.drover.state.ProcessState.STOPPED) {
            Status gone = Status.initial(true, null);
            for (Listener listener : listeners) {
                listener.changed(old.name(), last, gone);
            }
        }
    }

    private void changed(ProcessSupervisor supervisor, Status before, Status after) {
        for (Listener listener : listeners) {
            listener.changed(supervisor.name(), before, after);
        }
        boolean dependencyRelevant = before.state() != after.state() || before.health() != after.health() || before.completed() != after.completed();
        if (dependencyRelevant) {
            synchronized (this) {
                for (String dependent : layout.dependents().getOrDefault(supervisor.definition().spec().name(), List.of())) {
                    reevaluate(dependent);
                }
            }
        }
    }

    /** Tells each instance of {@code process} whether its dependencies are met; called under the engine's lock so verdicts arrive in order. */
    private void reevaluate(String process) {
        Layout current = layout;
        ProcessSpec spec = current.config().processes().get(process);
        if (spec == null || spec.dependsOn().isEmpty()) {
            return;
        }
        Dependencies.Verdict verdict = Dependencies.evaluate(spec.dependsOn(),
                name -> current.byProcess().getOrDefault(name, List.of()).stream().map(ProcessSupervisor::status).toList());
        if (!verdict.equals(lastVerdicts.put(process, verdict))) {
            post(current.byProcess().get(process), new Event.DependenciesChanged(verdict.met(), verdict.waitingFor()));
        }
    }

    private static ProcessSnapshot snapshotOf(ProcessSupervisor supervisor) {
        Status s = supervisor.status();
        InstanceDefinition d = supervisor.definition();
        return new ProcessSnapshot(d.name(), d.spec().name(), d.replica(), s.state(), s.health(), s.pid(), s.startedAtMillis(),
                s.restarts(), s.reason(), s.waitingFor(), d.port(), s.lastExit(), s.completed(), s.goal(),
                supervisor.probeFailures(), supervisor.lastProbe() == null ? null : supervisor.lastProbe().detail(),
                supervisor.meter().cpuPercent(), supervisor.meter().memoryBytes(), supervisor.meter().cpuSeconds(),
                supervisor.ends(), supervisor.probeFailuresTotal());
    }

    private ProcessSupervisor supervisor(String instance) {
        ProcessSupervisor supervisor = layout.instances().get(instance);
        if (supervisor == null) {
            throw new UnknownProcessException(instance, knownNames(layout));
        }
        return supervisor;
    }

    private static List<String> knownNames(Layout layout) {
        List<String> known = new ArrayList<>(layout.byProcess().keySet());
        layout.instances().keySet().stream().filter(n -> !known.contains(n)).forEach(known::add);
        return known;
    }

    private static List<ProcessSupervisor> resolve(Layout layout, Collection<String> names) {
        List<ProcessSupervisor> resolved = new ArrayList<>();
        for (String name : names) {
            if (layout.byProcess().containsKey(name)) {
                resolved.addAll(layout.byProcess().get(name));
            } else if (layout.instances().containsKey(name)) {
                resolved.add(layout.instances().get(name));
            } else {
                throw new UnknownProcessException(name, knownNames(layout));
            }
        }
        return resolved;
    }

    private static void withDependencies(Layout layout, String process, Set<String> into) {
        if (into.add(process)) {
            for (Dependency dependency : layout.config().processes().get(process).dependsOn()) {
                withDependencies(layout, dependency.process(), into);
            }
        }
    }

    private static List<ProcessSupervisor> supervisorsOf(Layout layout, Collection<String> processes) {
        return processes.stream().flatMap(p -> layout.byProcess().get(p).stream()).toList();
    }

    private static void post(Collection<ProcessSupervisor> targets, Event event) {
        targets.forEach(t -> t.post(event));
    }

    /** Groups of instances to stop together: first those nothing (in the set) depends on, then their dependencies, and so on. */
    private static List<List<ProcessSupervisor>> stopLevels(Layout layout, Collection<String> processes) {
        Map<String, Integer> level = new HashMap<>();
        List<ProcessSpec> order = topologicalOrder(layout.config());
        for (int i = order.size() - 1; i >= 0; i--) {
            String name = order.get(i).name();
            int depth = 0;
            for (String dependent : layout.dependents().getOrDefault(name, List.of())) {
                depth = Math.max(depth, level.get(dependent) + 1);
            }
            level.put(name, depth);
        }
        int max = level.values().stream().max(Integer::compare).orElse(-1);
        List<List<ProcessSupervisor>> levels = new ArrayList<>();
        for (int l = 0; l <= max; l++) {
            int wanted = l;
            List<ProcessSupervisor> group = processes.stream().filter(p -> level.get(p) == wanted)
                    .flatMap(p -> layout.byProcess().get(p).stream()).toList();
            if (!group.isEmpty()) {
                levels.add(group);
            }
        }
        return levels;
    }

    /** The processes ordered so that each comes after everything it depends on (the config has no cycles). */
    static List<ProcessSpec> topologicalOrder(DroverConfig config) {
        List<ProcessSpec> order = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (order.size() < config.processes().size()) {
            boolean progress = false;
            for (ProcessSpec spec : config.processes().values()) {
                if (!placed.contains(spec.name()) && spec.dependsOn().stream().allMatch(d -> placed.contains(d.process()))) {
                    order.add(spec);
                    placed.add(spec.name());
                    progress = true;
                }
            }
            if (!progress) {
                throw new IllegalStateException("dependency cycle among " + config.processes().keySet());
            }
        }
        return order;
    }
}
