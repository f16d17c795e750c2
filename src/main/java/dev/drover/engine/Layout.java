package dev.drover.engine;

import dev.drover.config.Dependency;
import dev.drover.config.DroverConfig;
import dev.drover.config.ProcessSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The supervisors of one configuration, by instance and by process, and who depends on whom;
 * replaced whole on reload. Also the orders that follow from the dependencies: start order
 * (topological) and stop levels (dependents first).
 */
record Layout(
        DroverConfig config,
        Map<String, ProcessSupervisor> instances,
        Map<String, List<ProcessSupervisor>> byProcess,
        Map<String, List<String>> dependents) {

    /** The processes ordered so that each comes after everything it depends on (the config has no cycles). */
    static List<ProcessSpec> topologicalOrder(DroverConfig config) {
        List<ProcessSpec> order = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (order.size() < config.processes().size()) {
            boolean progress = false;
            for (ProcessSpec spec : config.processes().values()) {
                if (!placed.contains(spec.name())
                        && spec.dependsOn().stream().allMatch(d -> placed.contains(d.process()))) {
                    order.add(spec);
                    placed.add(spec.name());
                    progress = true;
                }
            }
            if (!progress) {
                throw new IllegalStateException(
                        "dependency cycle among " + config.processes().keySet());
            }
        }
        return order;
    }

    /** For each process, the processes that depend on it. */
    static Map<String, List<String>> dependentsOf(DroverConfig config) {
        Map<String, List<String>> dependents = new HashMap<>();
        for (ProcessSpec spec : config.processes().values()) {
            for (Dependency dependency : spec.dependsOn()) {
                dependents
                        .computeIfAbsent(dependency.process(), k -> new ArrayList<>())
                        .add(spec.name());
            }
        }
        return dependents;
    }

    /** Groups of instances to stop together: first those nothing (in the set) depends on, then their dependencies, and so on. */
    List<List<ProcessSupervisor>> stopLevels(Collection<String> processes) {
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
            List<ProcessSupervisor> group = processes.stream()
                    .filter(p -> level.get(p) == wanted)
                    .flatMap(p -> byProcess.get(p).stream())
                    .toList();
            if (!group.isEmpty()) {
                levels.add(group);
            }
        }
        return levels;
    }

    /** The same layout with {@code replacement} in {@code old}'s place (a rollout's swap). */
    Layout replacing(ProcessSupervisor old, ProcessSupervisor replacement) {
        Map<String, ProcessSupervisor> newInstances = new java.util.LinkedHashMap<>(instances);
        newInstances.put(old.name(), replacement);
        Map<String, List<ProcessSupervisor>> newByProcess = new java.util.LinkedHashMap<>(byProcess);
        String process = old.definition().spec().name();
        newByProcess.put(
                process,
                byProcess.get(process).stream()
                        .map(s -> s == old ? replacement : s)
                        .toList());
        return new Layout(config, newInstances, newByProcess, dependents);
    }

    /** The supervisors that names stand for: a process name for all its replicas, an instance name for itself. */
    List<ProcessSupervisor> resolve(Collection<String> names) {
        List<ProcessSupervisor> resolved = new ArrayList<>();
        for (String name : names) {
            if (byProcess.containsKey(name)) {
                resolved.addAll(byProcess.get(name));
            } else if (instances.containsKey(name)) {
                resolved.add(instances.get(name));
            } else {
                throw new UnknownProcessException(name, knownNames());
            }
        }
        return resolved;
    }

    ProcessSupervisor instance(String name) {
        ProcessSupervisor supervisor = instances.get(name);
        if (supervisor == null) {
            throw new UnknownProcessException(name, knownNames());
        }
        return supervisor;
    }

    /** Process names, then the instance names that differ from them. */
    List<String> knownNames() {
        List<String> known = new ArrayList<>(byProcess.keySet());
        instances.keySet().stream().filter(n -> !known.contains(n)).forEach(known::add);
        return known;
    }

    /** {@code process} and, recursively, everything it depends on. */
    void withDependencies(String process, Set<String> into) {
        if (into.add(process)) {
            for (Dependency dependency : config.processes().get(process).dependsOn()) {
                withDependencies(dependency.process(), into);
            }
        }
    }

    List<ProcessSupervisor> supervisorsOf(Collection<String> processes) {
        return processes.stream().flatMap(p -> byProcess.get(p).stream()).toList();
    }
}
