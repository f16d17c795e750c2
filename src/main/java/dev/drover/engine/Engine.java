package dev.drover.engine;

import dev.drover.config.Dependency;
import dev.drover.config.DroverConfig;
import dev.drover.config.PortSpec;
import dev.drover.config.ProcessSpec;
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

/**
 * Runs the processes of one configuration: one supervisor per instance, started in dependency
 * order as each dependency meets its condition, stopped in reverse order.
 */
public final class Engine implements AutoCloseable {
    private static final int RING_LINES = 1000;

    /** Told of every status change of every instance. */
    public interface Listener {
        void changed(String instance, Status before, Status after);
    }

    private final DroverConfig config;
    private final Map<String, ProcessSupervisor> instances = new LinkedHashMap<>();
    private final Map<String, List<ProcessSupervisor>> byProcess = new LinkedHashMap<>();
    private final Map<String, List<String>> dependents = new HashMap<>();
    private final Map<String, Dependencies.Verdict> lastVerdicts = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("drover-timers").daemon().unstarted(r));

    public Engine(DroverConfig config, LogListener output) {
        this.config = config;
        Map<String, String> inherited = new LinkedHashMap<>(System.getenv());
        inherited.putAll(config.env());
        Ports ports = new Ports();
        for (ProcessSpec spec : topologicalOrder(config)) {
            List<ProcessSupervisor> replicas = new ArrayList<>();
            for (int replica = 0; replica < spec.replicas(); replica++) {
                Integer port = switch (spec.port()) {
                    case null -> null;
                    case PortSpec.Fixed fixed -> fixed.port();
                    case PortSpec.Auto auto -> ports.free();
                };
                InstanceDefinition definition = InstanceDefinition.of(spec, replica, port, inherited);
                ProcessLog log = new ProcessLog(definition.name(), config.logDir().resolve(definition.name() + ".log"),
                        spec.log().maxSize(), spec.log().keep(), spec.log().timestamps(), RING_LINES);
                if (output != null) {
                    log.addListener(output);
                }
                ProcessSupervisor supervisor = new ProcessSupervisor(definition, log, timers, this::changed, verdictFor(spec));
                instances.put(definition.name(), supervisor);
                replicas.add(supervisor);
            }
            byProcess.put(spec.name(), replicas);
            for (Dependency dependency : spec.dependsOn()) {
                dependents.computeIfAbsent(dependency.process(), k -> new ArrayList<>()).add(spec.name());
            }
        }
        instances.values().forEach(ProcessSupervisor::start);
        synchronized (this) {
            for (ProcessSpec spec : config.processes().values()) {
                reevaluate(spec.name());
            }
        }
    }

    public DroverConfig config() {
        return config;
    }

    public List<String> instanceNames() {
        return List.copyOf(instances.keySet());
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Starts the named processes (all enabled ones when none are named) and what they depend on. */
    public void up(Collection<String> names) {
        Set<String> processes = new LinkedHashSet<>();
        if (names.isEmpty()) {
            config.processes().values().stream().filter(ProcessSpec::enabled).forEach(s -> withDependencies(s.name(), processes));
            post(supervisorsOf(processes), new Event.Start());
            return;
        }
        List<ProcessSupervisor> named = resolve(names);
        named.forEach(s -> withDependencies(s.definition().spec().name(), processes));
        Set<ProcessSupervisor> targets = new LinkedHashSet<>(supervisorsOf(dependenciesOnly(processes, named)));
        targets.addAll(named);
        post(targets, new Event.Start());
    }

    public void start(Collection<String> names) {
        post(resolve(names), new Event.Start());
    }

    public void stop(Collection<String> names) {
        post(resolve(names), new Event.Stop());
    }

    public void restart(Collection<String> names) {
        post(resolve(names), new Event.Restart());
    }

    public ProcessSnapshot snapshot(String instance) {
        ProcessSupervisor supervisor = instances.get(instance);
        if (supervisor == null) {
            throw new UnknownProcessException(instance, instances.keySet());
        }
        return snapshotOf(supervisor);
    }

    public List<ProcessSnapshot> snapshots() {
        return instances.values().stream().map(Engine::snapshotOf).toList();
    }

    public ProcessLog log(String instance) {
        ProcessSupervisor supervisor = instances.get(instance);
        if (supervisor == null) {
            throw new UnknownProcessException(instance, instances.keySet());
        }
        return supervisor.log();
    }

    /** Completes once the instance's status satisfies the condition. */
    public CompletableFuture<Status> await(String instance, java.util.function.Predicate<Status> condition) {
        ProcessSupervisor supervisor = instances.get(instance);
        if (supervisor == null) {
            throw new UnknownProcessException(instance, instances.keySet());
        }
        return supervisor.await(condition);
    }

    /**
     * Stops everything, dependents before what they depend on, and waits until every process and
     * everything it started is gone.
     *
     * @return true when everything stopped within its grace period
     */
    public boolean shutdown() {
        boolean clean = true;
        for (List<ProcessSupervisor> level : stopLevels()) {
            post(level, new Event.Stop());
            for (ProcessSupervisor supervisor : level) {
                Status settled = supervisor.await(Engine::settled).join();
                if (settled.reason() != null && settled.reason().contains("killed after stop_timeout")) {
                    clean = false;
                }
            }
        }
        for (ProcessSupervisor supervisor : instances.values()) {
            supervisor.awaitCleanups(Duration.ofSeconds(30));
        }
        return clean;
    }

    /** Skips the grace period of every stop in progress. */
    public void forceStop() {
        instances.values().forEach(ProcessSupervisor::forceKill);
    }

    @Override
    public void close() {
        instances.values().forEach(ProcessSupervisor::close);
        timers.shutdownNow();
    }

    private static boolean settled(Status status) {
        return switch (status.state()) {
            case STOPPED, EXITED, FATAL -> true;
            case STARTING, RUNNING, BACKOFF, STOPPING -> false;
        };
    }

    private void changed(ProcessSupervisor supervisor, Status before, Status after) {
        for (Listener listener : listeners) {
            listener.changed(supervisor.name(), before, after);
        }
        boolean dependencyRelevant = before.state() != after.state() || before.health() != after.health() || before.completed() != after.completed();
        if (dependencyRelevant) {
            synchronized (this) {
                for (String dependent : dependents.getOrDefault(supervisor.definition().spec().name(), List.of())) {
                    reevaluate(dependent);
                }
            }
        }
    }

    /** Tells each instance of {@code process} whether its dependencies are met; called under the engine's lock so verdicts arrive in order. */
    private void reevaluate(String process) {
        ProcessSpec spec = config.processes().get(process);
        if (spec.dependsOn().isEmpty()) {
            return;
        }
        Dependencies.Verdict verdict = verdictFor(spec);
        if (!verdict.equals(lastVerdicts.put(process, verdict))) {
            post(byProcess.get(process), new Event.DependenciesChanged(verdict.met(), verdict.waitingFor()));
        }
    }

    private Dependencies.Verdict verdictFor(ProcessSpec spec) {
        return Dependencies.evaluate(spec.dependsOn(),
                name -> byProcess.getOrDefault(name, List.of()).stream().map(ProcessSupervisor::status).toList());
    }

    private static ProcessSnapshot snapshotOf(ProcessSupervisor supervisor) {
        Status s = supervisor.status();
        InstanceDefinition d = supervisor.definition();
        return new ProcessSnapshot(d.name(), d.spec().name(), d.replica(), s.state(), s.health(), s.pid(), s.startedAtMillis(),
                s.restarts(), s.reason(), s.waitingFor(), d.port(), s.lastExit(), s.completed());
    }

    private List<ProcessSupervisor> resolve(Collection<String> names) {
        List<ProcessSupervisor> resolved = new ArrayList<>();
        for (String name : names) {
            if (byProcess.containsKey(name)) {
                resolved.addAll(byProcess.get(name));
            } else if (instances.containsKey(name)) {
                resolved.add(instances.get(name));
            } else {
                List<String> known = new ArrayList<>(byProcess.keySet());
                instances.keySet().stream().filter(n -> !known.contains(n)).forEach(known::add);
                throw new UnknownProcessException(name, known);
            }
        }
        return resolved;
    }

    private void withDependencies(String process, Set<String> into) {
        if (into.add(process)) {
            for (Dependency dependency : config.processes().get(process).dependsOn()) {
                withDependencies(dependency.process(), into);
            }
        }
    }

    private static Set<String> dependenciesOnly(Set<String> processes, List<ProcessSupervisor> named) {
        Set<String> rest = new LinkedHashSet<>(processes);
        // A named replica (api.1) starts alone; its process's other replicas are not pulled in.
        named.forEach(s -> rest.remove(s.definition().spec().name()));
        return rest;
    }

    private List<ProcessSupervisor> supervisorsOf(Collection<String> processes) {
        return processes.stream().flatMap(p -> byProcess.get(p).stream()).toList();
    }

    private static void post(Collection<ProcessSupervisor> targets, Event event) {
        targets.forEach(t -> t.post(event));
    }

    /** Groups of instances to stop together: first those nothing depends on, then their dependencies, and so on. */
    private List<List<ProcessSupervisor>> stopLevels() {
        Map<String, Integer> level = new HashMap<>();
        List<ProcessSpec> order = topologicalOrder(config);
        for (int i = order.size() - 1; i >= 0; i--) {
            String name = order.get(i).name();
            int depth = 0;
            for (String dependent : dependents.getOrDefault(name, List.of())) {
                depth = Math.max(depth, level.get(dependent) + 1);
            }
            level.put(name, depth);
        }
        int max = level.values().stream().max(Integer::compare).orElse(-1);
        List<List<ProcessSupervisor>> levels = new ArrayList<>();
        for (int l = 0; l <= max; l++) {
            int wanted = l;
            levels.add(byProcess.entrySet().stream().filter(e -> level.get(e.getKey()) == wanted).flatMap(e -> e.getValue().stream()).toList());
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
