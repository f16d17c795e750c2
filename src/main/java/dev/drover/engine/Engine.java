package dev.drover.engine;

import dev.drover.config.Accounts;
import dev.drover.config.DroverConfig;
import dev.drover.config.PortSpec;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RouteSpec;
import dev.drover.control.Backends;
import dev.drover.control.ReloadResult;
import dev.drover.control.Traffic;
import dev.drover.launch.Child;
import dev.drover.launch.OsEdge;
import dev.drover.launch.ProcessRef;
import dev.drover.logs.LogListener;
import dev.drover.logs.LogListeners;
import dev.drover.logs.ProcessLog;
import dev.drover.logs.RotatingFile;
import dev.drover.state.Event;
import dev.drover.state.ProcessState;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Runs the processes of one configuration: one supervisor per instance, started in dependency
 * order as each dependency meets its condition, stopped in reverse order, and swapped for new ones
 * on reload when (and only when) their definition changed ({@link ReloadPlan}).
 */
public final class Engine implements AutoCloseable {
    private static final int RING_LINES = 1000;
    private static final Duration STOP_MARGIN = Duration.ofSeconds(10);
    /** How often the CPU and memory of process trees with limits are measured, unless told otherwise. */
    public static final Duration SAMPLE_EVERY = ResourceMonitor.DEFAULT_INTERVAL;

    /** Told of every status change of every instance. */
    public interface Listener {
        void changed(String instance, Status before, Status after);
    }

    private final LogListener output;
    /** Told every line of the instances whose {@code output} is stdout or journal, or null. */
    private final LogListener echo;

    private final OsEdge os;
    private final Map<String, String> inherited;
    private final Ports ports = new Ports();
    private final Map<String, Dependencies.Verdict> lastVerdicts = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Told every line of every instance, including instances that a reload creates later. */
    private final LogListeners logListeners = new LogListeners();

    private final Object reloadLock = new Object();
    /** The {@link #up} calls whose starts some supervisor has not taken yet, and the ups announced to come. */
    private final AtomicInteger startsPending = new AtomicInteger();
    /** One rollout at a time; commands and reloads do not wait for it (it takes the reload lock only to swap). */
    private final Object rolloutLock = new Object();
    /** During a rollout: replacements not yet in their place ("surge"), and replaced instances while they stop ("old"). */
    private final Map<ProcessSupervisor, String> extras = new java.util.concurrent.ConcurrentHashMap<>();
    /** Told after any change of which instances serve (the proxy refreshes its rotation). */
    private final List<Runnable> backendListeners = new CopyOnWriteArrayList<>();

    private final Backends backends = new Backends() {
        @Override
        public List<Backend> serving(String process) {
            List<Backend> serving = new ArrayList<>();
            Layout current = layout;
            List<ProcessSupervisor> candidates =
                    new ArrayList<>(current.byProcess().getOrDefault(process, List.of()));
            extras.keySet().stream()
                    .filter(s -> s.definition().spec().name().equals(process))
                    .forEach(candidates::add);
            for (ProcessSupervisor supervisor : candidates) {
                Status status = supervisor.status();
                Integer port = supervisor.definition().port();
                if (status.serving() && port != null) {
                    serving.add(new Backend(supervisor.name(), status.pid(), port));
                }
            }
            return serving;
        }

        @Override
        public AutoCloseable onChange(Runnable changed) {
            backendListeners.add(changed);
            return () -> backendListeners.remove(changed);
        }

        @Override
        public void demand(String process) {
            Layout current = layout;
            List<ProcessSupervisor> instances = current.byProcess().getOrDefault(process, List.of());
            if (!closing && instances.stream().noneMatch(s -> s.status().goal())) {
                try {
                    start(List.of(process));
                } catch (RuntimeException e) {
                    // shutting down, or removed by a reload: the request waits and times out
                }
            }
        }

        @Override
        public void idle(String process) {
            if (!closing) {
                try {
                    stop(List.of(process));
                } catch (RuntimeException e) {
                    // removed by a reload meanwhile
                }
            }
        }
    };
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("drover-timers").daemon().unstarted(r));
    private final ResourceMonitor resources;
    private volatile Traffic traffic = Traffic.NONE;
    private final ProcessSupervisor.Shared shared;
    private final Scheduler scheduler;
    private volatile Layout layout;
    /** The configuration as its file says, before any {@code drover scale}; written under the reload lock. */
    private volatile DroverConfig fileConfig;
    /** The replica counts `drover scale` set, by process, until the next reload; written under the reload lock. */
    private volatile Map<String, Integer> scaled = Map.of();
    /** Set by a forced stop: every stop from then on skips its grace period. */
    private volatile boolean forced;
    /** Cleared by {@code up --no-pre-start}: starts skip their pre_start hooks. */
    private volatile boolean preStart = true;
    /** Set when shutdown begins: from then on, nothing may be started. */
    private volatile boolean closing;

    public Engine(DroverConfig config, OsEdge os, LogListener output) {
        this(config, os, output, SAMPLE_EVERY);
    }

    /**
     * @param os how children are started: the one {@link dev.drover.launch.Launcher} in production
     * @param output told every line of every instance (the console in the foreground), or null
     * @param sampleEvery how often the CPU and memory of every running process tree with limits are
     *     measured (and limits checked)
     */
    public Engine(DroverConfig config, OsEdge os, LogListener output, Duration sampleEvery) {
        this(config, os, output, null, sampleEvery);
    }

    /**
     * @param echo told every line of the instances whose {@code output} says stdout or journal
     *     (the background daemon's standard output), or null
     */
    public Engine(DroverConfig config, OsEdge os, LogListener output, LogListener echo, Duration sampleEvery) {
        this.output = output;
        this.echo = echo;
        this.os = os;
        this.inherited = ChildEnvironment.inherited(System.getenv());
        this.shared = new ProcessSupervisor.Shared(
                timers,
                this::changed,
                os,
                () -> traffic,
                () -> forced,
                () -> preStart,
                dev.drover.config.Defaults.stateDir(config.file()).resolve("notify"));
        this.fileConfig = config;
        this.layout = build(config, Map.of());
        this.resources = new ResourceMonitor(() -> layout.instances().values(), sampleEvery);
        layout.instances().values().forEach(ProcessSupervisor::start);
        synchronized (this) {
            config.processes().keySet().forEach(this::reevaluate);
        }
        this.scheduler = new Scheduler(this, timers);
        listeners.add(scheduler);
        scheduler.apply(config, true);
    }

    /** Starts a run of a scheduled process now ({@code drover run}); its schedule goes on as before. */
    public void runScheduled(String process) {
        refuseWhenClosing();
        scheduler.runNow(process);
    }

    /** What {@code ps} shows of a scheduled process: its last and next runs; null when it has no schedule. */
    public Scheduler.View schedule(String process) {
        return scheduler.view(process);
    }

    /** The status of one instance now. */
    Status status(String instance) {
        return layout.instance(instance).status();
    }

    /** The traffic layer: what holds instances out of rotation by hand ({@link Traffic#NONE} without a proxy). */
    public Traffic traffic() {
        return traffic;
    }

    /** The traffic layer that drains routed instances before they stop; set before anything starts. */
    public void setTraffic(Traffic traffic) {
        this.traffic = traffic;
    }

    /** Whether starts run their pre_start hooks ({@code up --no-pre-start} turns them off for this daemon). */
    public void runPreStart(boolean run) {
        this.preStart = run;
    }

    /** The configuration that runs: the file's, with the replica counts `drover scale` set. */
    public DroverConfig config() {
        return layout.config();
    }

    /**
     * The replica count the file gives a process that {@code drover scale} changed (until the next
     * reload); null when it runs as many as the file says.
     */
    public Integer fileReplicas(String process) {
        if (!scaled.containsKey(process)) {
            return null;
        }
        ProcessSpec spec = fileConfig.processes().get(process);
        return spec == null ? null : spec.replicas();
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
     * Starts every enabled process (or the named ones) with what they depend on. Commands hold the
     * reload lock while they look the instances up and post to them, so that none lands on an
     * instance a reload is replacing (where a start would run a copy that nobody stops, and a stop
     * would be lost). They wait at most for one reload; during shutdown starts are refused and
     * stops need no lock.
     */
    public void up(Collection<String> names) {
        refuseWhenClosing();
        synchronized (reloadLock) {
            refuseWhenClosing();
            Layout current = layout;
            Set<String> processes = new LinkedHashSet<>();
            if (names.isEmpty()) {
                // An on-demand process is started by its first routed request, a scheduled one by its
                // schedule, not by `up` (unless named).
                current.config().processes().values().stream()
                        .filter(s -> s.enabled() && !s.traffic().onDemand() && s.schedule() == null)
                        .forEach(s -> current.withDependencies(s.name(), processes));
                startAll(current.supervisorsOf(processes));
                return;
            }
            List<ProcessSupervisor> named = current.resolve(names);
            named.forEach(s -> current.withDependencies(s.definition().spec().name(), processes));
            // A named replica (api.1) starts alone; its process's other replicas are not pulled in.
            named.forEach(s -> processes.remove(s.definition().spec().name()));
            Set<ProcessSupervisor> targets = new LinkedHashSet<>(current.supervisorsOf(processes));
            targets.addAll(named);
            startAll(targets);
        }
    }

    /**
     * Posts a start to each. Until every one of them has taken it, {@link #startsPending} says so:
     * a supervisor whose thread has not run yet still shows its process as not wanted, and a health
     * report made then would leave it out (`up -d` returned before it was started).
     */
    private CompletableFuture<Void> startAll(Collection<ProcessSupervisor> targets) {
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        startsPending.incrementAndGet();
        CompletableFuture<?>[] taken = targets.stream()
                .map(t -> t.postAndAwait(new Event.Start(), status -> true))
                .toArray(CompletableFuture[]::new);
        // A supervisor takes its messages in order. A reload, a scale, a rollout's swap and the
        // shutdown post their closes under the reload lock, so after these starts.
        CompletableFuture<Void> all = CompletableFuture.allOf(taken);
        all.whenComplete((done, error) -> startsPending.decrementAndGet());
        return all;
    }

    /**
     * Whether an {@link #up}, a {@link #start} or a reload posted starts that some supervisor has
     * not taken yet, or starts announced by {@link #startsToCome} have not been posted yet.
     */
    public boolean startsPending() {
        return startsPending.get() > 0;
    }

    /**
     * Announces starts to come: until the returned action runs (after they are posted),
     * {@link #startsPending} holds. For a daemon that serves its API before its {@link #up} (a
     * health report made then would find nothing wanted, so healthy, and `up -d` would return
     * before any start), and for a reload between its swap and its starts.
     */
    public Runnable startsToCome() {
        startsPending.incrementAndGet();
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                startsPending.decrementAndGet();
            }
        };
    }

    /** Posts a start to each; the future completes once every one has taken it (and says, for instance, what it waits for). */
    public CompletableFuture<Void> start(Collection<String> names) {
        refuseWhenClosing();
        synchronized (reloadLock) {
            refuseWhenClosing();
            return startAll(layout.resolve(names));
        }
    }

    public void stop(Collection<String> names) {
        if (closing) {
            post(layout.resolve(names), new Event.Stop()); // everything is being stopped anyway
            return;
        }
        synchronized (reloadLock) {
            post(layout.resolve(names), new Event.Stop());
        }
    }

    /**
     * Restarts the named processes or instances. An instance that serves routed traffic (with a
     * proxy in front) is rolled out instead — a replacement started beside it, put in its place once
     * ready, the old one drained and stopped — and this returns once that is done; the others are
     * queued and this returns at once.
     *
     * @throws RolloutException when a replacement did not become ready: the old instance is kept
     */
    public void restart(Collection<String> names) throws RolloutException, InterruptedException {
        refuseWhenClosing();
        List<ProcessSupervisor> rolled;
        synchronized (reloadLock) {
            refuseWhenClosing();
            List<ProcessSupervisor> targets = layout.resolve(names);
            rolled = targets.stream().filter(this::rollsOut).toList();
            post(targets.stream().filter(t -> !rolled.contains(t)).toList(), new Event.Restart());
        }
        rollOut(rolled, null);
    }

    /** Whether a restart of this instance is a rollout: it takes routed traffic now, through a proxy. */
    private boolean rollsOut(ProcessSupervisor supervisor) {
        return traffic != Traffic.NONE
                && supervisor.definition().rules().drains()
                && supervisor.status().serving();
    }

    /**
     * Rolls the instances out, one process at a time, each to {@code specs}' definition for its
     * process (or its own when absent). The first failure ends it and is thrown.
     */
    private void rollOut(List<ProcessSupervisor> instances, Map<String, ProcessSpec> specs)
            throws RolloutException, InterruptedException {
        Map<String, List<ProcessSupervisor>> byProcess = new LinkedHashMap<>();
        instances.forEach(s -> byProcess
                .computeIfAbsent(s.definition().spec().name(), k -> new ArrayList<>())
                .add(s));
        synchronized (rolloutLock) {
            for (Map.Entry<String, List<ProcessSupervisor>> process : byProcess.entrySet()) {
                ProcessSpec spec = specs != null && specs.containsKey(process.getKey())
                        ? specs.get(process.getKey())
                        : process.getValue().getFirst().definition().spec();
                Rollout.run(process.getValue(), spec, slots);
            }
        }
    }

    /** Whether the process starts on its first routed request rather than with `up`. */
    public boolean onDemand(String process) {
        ProcessSpec spec = layout.config().processes().get(process);
        return spec != null && spec.traffic().onDemand();
    }

    /** Whether routes send traffic to the instance's process (through a proxy). */
    public boolean routed(String instance) {
        return layout.instance(instance).definition().rules().drains();
    }

    /** How long the instance's requests in flight may take to finish when it is drained. */
    public Duration drainTimeout(String instance) {
        return layout.instance(instance).definition().spec().traffic().drainTimeout();
    }

    /** The instance names a process or instance name stands for. */
    public List<String> instancesOf(String name) {
        return layout.resolve(List.of(name)).stream()
                .map(ProcessSupervisor::name)
                .toList();
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
        return layout.instance(instance).signal(signal);
    }

    public ProcessSnapshot snapshot(String instance) {
        return ProcessSnapshot.of(layout.instance(instance));
    }

    /** Every instance, and during a rollout its replacement ("surge") or the instance it replaced ("old"). */
    public List<ProcessSnapshot> snapshots() {
        List<ProcessSnapshot> all = new ArrayList<>();
        layout.instances().values().forEach(s -> all.add(ProcessSnapshot.of(s)));
        extras.forEach((supervisor, role) -> all.add(ProcessSnapshot.of(supervisor, role)));
        return all;
    }

    /**
     * Each instance's child until it has been reaped, as its PID and start time, by instance name
     * (the replacements of a rollout too): what the daemon's state file records. The start times
     * are the children's own, read once at spawn, so this reads nothing from /proc.
     */
    public Map<String, ProcessRef> children() {
        Map<String, ProcessRef> children = new LinkedHashMap<>();
        java.util.stream.Stream.concat(layout.instances().values().stream(), extras.keySet().stream())
                .forEach(supervisor -> {
                    Child child = supervisor.unreapedChild();
                    if (child != null) {
                        children.put(supervisor.name(), child.ref());
                    }
                });
        return children;
    }

    /** What the traffic layer asks of the engine: the instances of a process that serve now, and more. */
    public Backends backends() {
        return backends;
    }

    /** What an instance runs with: its command, environment, directory, user. */
    InstanceDefinition definition(String instance) {
        return layout.instance(instance).definition();
    }

    public ProcessLog log(String instance) {
        return layout.instance(instance).log();
    }

    /** Completes once the instance's status satisfies the condition. */
    public CompletableFuture<Status> await(String instance, Predicate<Status> condition) {
        return layout.instance(instance).await(condition);
    }

    /**
     * Applies a new configuration as {@link ReloadPlan} decides: changed processes are stopped and
     * started anew (if they were wanted), removed ones are stopped, added ones started, and
     * unchanged ones are not touched (same PID). Replica counts set by {@link #scale} end here: the
     * file's count applies again.
     */
    public ReloadResult reload(DroverConfig next) throws RolloutException, InterruptedException {
        return apply(file -> next, (file, before) -> Map.of());
    }

    /**
     * Runs {@code replicas} instances of {@code process} until the next reload: a reload of the
     * running file with that one count changed, so the same plan applies — between counts above
     * one, the instances both counts have keep running, surplus ones (the highest numbers) are
     * drained and stopped, missing ones started if the process is wanted; from or to one instance
     * the instance names change ({@code api} ↔ {@code api.0}…), so its instances are replaced.
     *
     * @throws UnknownProcessException when {@code process} is not a process of the running config
     *     (an instance name such as {@code api.1} is not one)
     * @throws IllegalArgumentException when {@code replicas} is below 1, or above 1 for a process
     *     with a fixed port or a {@code pid_file} or {@code log_file} the replicas would share
     */
    public ReloadResult scale(String process, int replicas) throws RolloutException, InterruptedException {
        return apply(file -> file, (file, before) -> {
            ProcessSpec spec = file.processes().get(process);
            if (spec == null) {
                throw new UnknownProcessException(process, file.processes().keySet());
            }
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be 1 or more, got " + replicas
                        + " (to stop every instance of " + process + ", use `drover stop " + process + "`)");
            }
            if (replicas > 1 && spec.port() instanceof PortSpec.Fixed fixed) {
                throw new IllegalArgumentException(process + " has the fixed port " + fixed.port()
                        + ", which cannot serve " + replicas + " replicas (each needs its own); use port: auto");
            }
            for (String path :
                    java.util.Arrays.asList(spec.pidFile(), spec.log().file())) {
                if (replicas > 1 && path != null && !ProcessSpec.perReplica(path)) {
                    throw new IllegalArgumentException(process + " writes " + path + ", which " + replicas
                            + " replicas cannot share; put ${DROVER_REPLICA} in its path");
                }
            }
            Map<String, Integer> after = new LinkedHashMap<>(before);
            after.remove(process);
            if (spec.replicas() != replicas) {
                after.put(process, replicas);
            }
            return Map.copyOf(after);
        });
    }

    /** The file's configuration with the scaled processes' replica counts in place of its own. */
    private static DroverConfig withScale(DroverConfig file, Map<String, Integer> scale) {
        if (scale.isEmpty()) {
            return file;
        }
        Map<String, ProcessSpec> processes = new LinkedHashMap<>(file.processes());
        scale.forEach((name, count) -> processes.computeIfPresent(name, (k, spec) -> spec.withReplicas(count)));
        return file.withProcesses(processes);
    }

    /**
     * A reload: {@code nextFile} gives the file's configuration to run from the running one,
     * {@code nextScale} the replica counts set by hand; both are decided under the reload lock, so a
     * scale and a reload never lose each other's change.
     */
    private ReloadResult apply(
            java.util.function.UnaryOperator<DroverConfig> nextFile,
            java.util.function.BiFunction<DroverConfig, Map<String, Integer>, Map<String, Integer>> nextScale)
            throws RolloutException, InterruptedException {
        List<ProcessSupervisor> toRollOut = new ArrayList<>();
        ReloadResult result;
        DroverConfig next;
        synchronized (reloadLock) {
            refuseWhenClosing();
            DroverConfig file = nextFile.apply(fileConfig);
            Map<String, Integer> scale = nextScale.apply(file, scaled);
            next = withScale(file, scale);
            Layout current = layout;
            Predicate<String> wanted = name -> current.byProcess().get(name).stream()
                    .anyMatch(s -> s.status().goal() && !s.status().completed());
            ReloadPlan plan = ReloadPlan.of(running(current, routedBy(next)), next, wanted);
            // A changed process that serves routed traffic (and stays routed) is rolled out after the
            // swap, in place of a stop and start: its old instances are kept in the new layout till then.
            List<String> rolled = plan.changed().stream()
                    .filter(name ->
                            next.routes().stream().anyMatch(r -> name.equals(r.process())) && next.proxy() != null)
                    .filter(name -> current.byProcess().get(name).stream().anyMatch(this::rollsOut))
                    .filter(name -> next.processes().get(name).replicas()
                            == current.byProcess().get(name).size())
                    .toList();
            List<String> leaving = plan.leaving().stream()
                    .filter(name -> !rolled.contains(name))
                    .toList();
            stopInOrder(current, leaving);

            Map<String, List<ProcessSupervisor>> kept = new HashMap<>();
            plan.unchanged().forEach(name -> kept.put(name, current.byProcess().get(name)));
            rolled.forEach(name -> kept.put(name, current.byProcess().get(name)));
            rolled.forEach(name -> toRollOut.addAll(current.byProcess().get(name)));
            // Rescaled: the first instances stay; surplus ones are stopped (drained first when routed).
            List<ProcessSupervisor> surplus = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (String name : plan.rescaled()) {
                List<ProcessSupervisor> instances = current.byProcess().get(name);
                int keep = Math.min(instances.size(), next.processes().get(name).replicas());
                kept.put(name, instances.subList(0, keep));
                surplus.addAll(instances.subList(keep, instances.size()));
                notes.add(name + " rescaled from " + instances.size() + " to "
                        + next.processes().get(name).replicas() + " instances");
            }
            stopTogether(surplus);
            Set<ProcessSupervisor> keptSupervisors =
                    java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            kept.values().forEach(keptSupervisors::addAll);
            Layout replacement = build(next, kept);
            List<ProcessSupervisor> fresh = replacement.instances().values().stream()
                    .filter(s -> !keptSupervisors.contains(s))
                    .toList();
            fresh.forEach(ProcessSupervisor::start);
            // From the swap until the fresh instances have taken their starts, health waits: until
            // then they show their processes as not wanted, and a report would leave them out.
            Runnable startsPosted = startsToCome();
            try {
                synchronized (this) {
                    layout = replacement;
                    fileConfig = file;
                    scaled = scale;
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
                for (ProcessSupervisor old : surplus) {
                    old.close();
                    retired(old);
                }
                notifyBackendsChanged();
                List<String> toStart = new ArrayList<>(plan.restart().stream()
                        .filter(name -> !rolled.contains(name))
                        .toList());
                toStart.addAll(plan.start());
                startAll(replacement.supervisorsOf(toStart));
                startAll(fresh.stream()
                        .filter(s ->
                                plan.rescaled().contains(s.definition().spec().name()))
                        .filter(s -> wanted.test(s.definition().spec().name()))
                        .toList());
            } finally {
                startsPosted.run();
            }
            result = new ReloadResult(plan.changed(), plan.added(), plan.removed(), plan.unchanged(), notes);
        }
        // Outside the reload lock: a due run takes the scheduler's lock, then the reload lock.
        scheduler.apply(next, false);
        rollOut(toRollOut, next.processes());
        return result;
    }

    /**
     * What each process's instances run: its definition, or null when they run different ones, or
     * when routes start or stop naming it ({@code routed}: the processes the next config routes to),
     * since whether an instance drains before its stop is fixed when it is made.
     */
    private static Map<String, ProcessSpec> running(Layout layout, Set<String> routed) {
        Map<String, ProcessSpec> running = new HashMap<>();
        layout.byProcess().forEach((name, instances) -> {
            // Instances a rescale kept still carry the count they were made with: the count is the layout's.
            ProcessSpec first = instances.isEmpty()
                    ? layout.config().processes().get(name)
                    : instances.getFirst().definition().spec().withReplicas(instances.size());
            boolean same = instances.stream()
                    .allMatch(s ->
                            s.definition().spec().withReplicas(first.replicas()).equals(first)
                                    && s.definition().rules().drains() == routed.contains(name));
            running.put(name, same ? first : null);
        });
        return running;
    }

    /** The processes a config's routes send traffic to (none without a proxy). */
    private static Set<String> routedBy(DroverConfig config) {
        Set<String> routed = new java.util.HashSet<>();
        if (config.proxy() != null) {
            config.routes().stream()
                    .map(RouteSpec::process)
                    .filter(java.util.Objects::nonNull)
                    .forEach(routed::add);
        }
        return routed;
    }

    /**
     * Stops everything, dependents before what they depend on, and waits until every process and
     * everything it started is gone.
     *
     * @return true when everything stopped within its grace period
     */
    public boolean shutdown() {
        closing = true;
        scheduler.close();
        synchronized (reloadLock) {
            Layout current = layout;
            boolean clean = stopInOrder(current, current.config().processes().keySet());
            for (ProcessSupervisor extra : List.copyOf(extras.keySet())) {
                // A rollout cut short by the shutdown: its replacements and replaced instances stop too.
                slots.discard(extra);
            }
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
        return os.threadsAlive() && layout.instances().values().stream().allMatch(s -> s.responsive(within.toNanos()));
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

    /** Skips the grace period of every stop in progress, and of every stop to come. */
    public void forceStop() {
        forced = true;
        layout.instances().values().forEach(ProcessSupervisor::forceKill);
    }

    @Override
    public void close() {
        scheduler.close();
        resources.close();
        layout.instances().values().forEach(ProcessSupervisor::close);
        extras.keySet().forEach(ProcessSupervisor::closeKeepingLog);
        timers.shutdownNow();
    }

    private Layout build(DroverConfig config, Map<String, List<ProcessSupervisor>> kept) {
        Map<String, ProcessSupervisor> instances = new LinkedHashMap<>();
        Map<String, List<ProcessSupervisor>> byProcess = new LinkedHashMap<>();
        Map<String, String> environment = new LinkedHashMap<>(inherited);
        environment.putAll(config.env());
        Set<String> routed = routedBy(config);
        for (ProcessSpec spec : Layout.topologicalOrder(config)) {
            // Kept instances stay; a process rescaled upwards gets the replicas it lacks.
            List<ProcessSupervisor> replicas = new ArrayList<>(kept.getOrDefault(spec.name(), List.of()));
            for (int replica = replicas.size(); replica < spec.replicas(); replica++) {
                replicas.add(supervisor(config, spec, replica, environment, routed.contains(spec.name()), byProcess));
            }
            replicas.forEach(s -> instances.put(s.name(), s));
            byProcess.put(spec.name(), List.copyOf(replicas));
        }
        return new Layout(config, instances, byProcess, Layout.dependentsOf(config));
    }

    private ProcessSupervisor supervisor(
            DroverConfig config,
            ProcessSpec spec,
            int replica,
            Map<String, String> environment,
            boolean routed,
            Map<String, List<ProcessSupervisor>> earlier) {
        return supervisor(config, spec, replica, environment, routed, earlier, null);
    }

    /** @param log the log of the instance a rollout replaces (the replacement writes on), or null for a new one */
    private ProcessSupervisor supervisor(
            DroverConfig config,
            ProcessSpec spec,
            int replica,
            Map<String, String> environment,
            boolean routed,
            Map<String, List<ProcessSupervisor>> earlier,
            ProcessLog sharedLog) {
        Integer port = switch (spec.port()) {
            case null -> null;
            case PortSpec.Fixed fixed -> fixed.port();
            case PortSpec.Auto auto -> ports.free();
        };
        InstanceDefinition definition = InstanceDefinition.of(spec, replica, port, environment, routed);
        ProcessLog log = sharedLog != null ? sharedLog : newLog(config, spec, definition);
        // Dependencies come earlier in topological order, so their (initial) status is known here.
        Dependencies.Verdict verdict = Dependencies.evaluate(
                spec.dependsOn(),
                name -> earlier.getOrDefault(name, List.of()).stream()
                        .map(ProcessSupervisor::status)
                        .toList());
        return new ProcessSupervisor(definition, log, shared, verdict);
    }

    private ProcessLog newLog(DroverConfig config, ProcessSpec spec, InstanceDefinition definition) {
        Accounts.User owner = Identity.owner(spec.runAs());
        ProcessLog log = new ProcessLog(
                definition.name(),
                definition.logFile(config.logDir()),
                spec.log().maxSize(),
                spec.log().keep(),
                spec.log().timestamps(),
                RING_LINES,
                owner == null ? null : new RotatingFile.Owner(owner.uid(), Identity.groupOf(spec.runAs(), owner)));
        if (output != null) {
            log.addListener(output);
        }
        if (echo != null && spec.log().echo()) {
            log.addListener(echo);
        }
        log.addListener(logListeners);
        return log;
    }

    /** The engine's side of a rollout: replacements beside the instances, swapped into their place. */
    private final Rollout.Slots slots = new Rollout.Slots() {
        @Override
        public ProcessSupervisor surge(ProcessSupervisor old, ProcessSpec spec) {
            Layout current = layout;
            Map<String, String> environment = new LinkedHashMap<>(inherited);
            environment.putAll(current.config().env());
            ProcessSupervisor replacement = supervisor(
                    current.config(),
                    spec,
                    old.definition().replica(),
                    environment,
                    old.definition().rules().drains(),
                    current.byProcess(),
                    old.log());
            extras.put(replacement, "surge");
            replacement.start();
            replacement
                    .log()
                    .announce("replacing pid " + old.status().pid() + " (rollout): starting beside it on port "
                            + replacement.definition().port());
            replacement.post(new Event.Start());
            return replacement;
        }

        @Override
        public boolean swap(ProcessSupervisor old, ProcessSupervisor replacement) {
            synchronized (reloadLock) {
                Layout current = layout;
                if (current.instances().get(old.name()) != old) {
                    return false;
                }
                synchronized (Engine.this) {
                    layout = current.replacing(old, replacement);
                    extras.remove(replacement);
                    extras.put(old, "old");
                }
                resources.instancesChanged();
                return true;
            }
        }

        @Override
        public void discard(ProcessSupervisor replacement) {
            stopAndForget(replacement);
        }

        @Override
        public CompletableFuture<Void> retire(ProcessSupervisor old) {
            CompletableFuture<Void> gone = new CompletableFuture<>();
            Thread.ofVirtual().name("drover-retire-" + old.name()).start(() -> {
                try {
                    stopAndForget(old);
                } finally {
                    gone.complete(null);
                }
            });
            return gone;
        }

        private void stopAndForget(ProcessSupervisor supervisor) {
            ProcessSpec spec = supervisor.definition().spec();
            Duration bound =
                    spec.stopTimeout().plus(spec.traffic().drainTimeout()).plus(STOP_MARGIN);
            try {
                supervisor.postAndAwait(new Event.Stop(), Status::settled).get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                supervisor.forceKill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            supervisor.awaitCleanups(STOP_MARGIN);
            // The log belongs to the instance's name: whoever is in its place now writes on it.
            supervisor.closeKeepingLog();
            extras.remove(supervisor);
            notifyBackendsChanged();
        }
    };

    /**
     * Stops the given processes, those that depend on others first; true if none had to be
     * killed. Each wait is bounded: past its stop_timeout (and drain_timeout) and a margin,
     * everything is killed.
     */
    private static boolean stopInOrder(Layout layout, Collection<String> processes) {
        boolean clean = true;
        for (List<ProcessSupervisor> level : layout.stopLevels(processes)) {
            clean &= stopTogether(level);
        }
        return clean;
    }

    /** Stops the instances at once and waits for each within its bound (then kills it); true if none had to be killed. */
    private static boolean stopTogether(List<ProcessSupervisor> level) {
        boolean clean = true;
        List<CompletableFuture<Status>> stopped = level.stream()
                .map(s -> s.postAndAwait(new Event.Stop(), Status::settled))
                .toList();
        for (int i = 0; i < level.size(); i++) {
            ProcessSupervisor supervisor = level.get(i);
            ProcessSpec spec = supervisor.definition().spec();
            Duration bound = spec.stopTimeout()
                    .plus(STOP_MARGIN)
                    .plus(
                            supervisor.definition().rules().drains()
                                    ? spec.traffic().drainTimeout()
                                    : Duration.ZERO);
            Status settled;
            try {
                settled = stopped.get(i).get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                supervisor.forceKill();
                settled = stopped.get(i)
                        .completeOnTimeout(supervisor.status(), STOP_MARGIN.toMillis(), TimeUnit.MILLISECONDS)
                        .join();
                clean = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (settled.lastEnd() != null && settled.lastEnd().forced()) {
                clean = false;
            }
        }
        return clean;
    }

    /**
     * A reload replaced or removed this instance: if it was left exited or fatal (a stop does not
     * touch those), tell the listeners it is now stopped, so that the next event about a process of
     * the same name (its replacement, starting from stopped) follows on.
     */
    private void retired(ProcessSupervisor old) {
        Status last = old.status();
        if (last.state() != ProcessState.STOPPED) {
            Status gone = Status.initial(true, null);
            for (Listener listener : listeners) {
                listener.changed(old.name(), last, gone);
            }
        }
    }

    private void notifyBackendsChanged() {
        for (Runnable listener : backendListeners) {
            listener.run();
        }
    }

    private void changed(ProcessSupervisor supervisor, Status before, Status after) {
        for (Listener listener : listeners) {
            listener.changed(supervisor.name(), before, after);
        }
        if (before.serving() != after.serving() || before.pid() != after.pid()) {
            notifyBackendsChanged();
        }
        if (extras.containsKey(supervisor)) {
            return; // a replacement or a replaced instance: its own dependents follow the one in its place
        }
        boolean dependencyRelevant = before.state() != after.state()
                || before.health() != after.health()
                || before.completed() != after.completed();
        if (dependencyRelevant) {
            synchronized (this) {
                for (String dependent : layout.dependents()
                        .getOrDefault(supervisor.definition().spec().name(), List.of())) {
                    reevaluate(dependent);
                }
            }
        }
    }

    /**
     * Whether {@code process} waits for a dependency that has ended and will not start again by
     * itself (see {@link Dependencies#ended}): only a command lets it start then.
     */
    boolean dependencyEnded(String process) {
        Layout current = layout;
        ProcessSpec spec = current.config().processes().get(process);
        return spec != null && Dependencies.ended(spec.dependsOn(), statusesIn(current));
    }

    /** Tells each instance of {@code process} whether its dependencies are met; called under the engine's lock so verdicts arrive in order. */
    private void reevaluate(String process) {
        Layout current = layout;
        ProcessSpec spec = current.config().processes().get(process);
        if (spec == null || spec.dependsOn().isEmpty()) {
            return;
        }
        Dependencies.Verdict verdict = Dependencies.evaluate(spec.dependsOn(), statusesIn(current));
        if (!verdict.equals(lastVerdicts.put(process, verdict))) {
            post(current.byProcess().get(process), new Event.DependenciesChanged(verdict.met(), verdict.waitingFor()));
        }
    }

    /** The statuses of a process's instances in {@code layout}, by process name: what dependencies are judged on. */
    private static java.util.function.Function<String, List<Status>> statusesIn(Layout layout) {
        return name -> layout.byProcess().getOrDefault(name, List.of()).stream()
                .map(ProcessSupervisor::status)
                .toList();
    }

    private static void post(Collection<ProcessSupervisor> targets, Event event) {
        targets.forEach(t -> t.post(event));
    }
}
