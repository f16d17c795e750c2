package dev.drover.config;

import dev.drover.config.Dependency.Condition;
import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Position;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks {@code depends_on} across processes: every target exists and is enabled, a
 * {@code completed} condition can be met, and there is no cycle (which would leave every process
 * in it waiting forever).
 */
final class DependencyValidator {

    private enum Mark {
        VISITING,
        DONE
    }

    private final Map<String, ProcessSpec> processes;
    private final YamlNode root;
    private final ErrorCollector errors;
    /** Per process, where each dependency is named: looked up once per process, not once per dependency. */
    private final Map<String, Map<String, Position>> positions = new HashMap<>();

    private DependencyValidator(Map<String, ProcessSpec> processes, YamlNode root, ErrorCollector errors) {
        this.processes = processes;
        this.root = root;
        this.errors = errors;
    }

    static void validate(Map<String, ProcessSpec> processes, YamlNode root, ErrorCollector errors) {
        var validator = new DependencyValidator(processes, root, errors);
        validator.targets();
        validator.cycles();
    }

    private void targets() {
        for (ProcessSpec process : processes.values()) {
            for (Dependency dependency : process.dependsOn()) {
                ProcessSpec target = processes.get(dependency.process());
                String key = key(process.name(), dependency.process());
                Position at = position(process.name(), dependency.process());
                if (target == null) {
                    errors.add(
                            at,
                            key,
                            "depends on unknown process \"" + dependency.process() + "\" "
                                    + ConfigValidator.known(processes));
                } else if (!target.enabled() && process.enabled()) {
                    // A disabled dependent is not started either, so disabling a whole group is fine.
                    errors.add(
                            at,
                            key,
                            "depends on disabled process \"" + dependency.process()
                                    + "\" (enable it, or remove the dependency)");
                } else if (dependency.condition() == Condition.COMPLETED && target.restart() == RestartPolicy.ALWAYS) {
                    errors.add(
                            at,
                            key,
                            "condition completed can never be met: \"" + dependency.process()
                                    + "\" never completes because it has restart: always");
                }
            }
        }
    }

    /** Depth-first search in file order; every edge back into the current path closes a cycle. */
    private void cycles() {
        Map<String, Mark> marks = new HashMap<>();
        for (String name : processes.keySet()) {
            visit(name, marks, new ArrayList<>());
        }
    }

    private void visit(String name, Map<String, Mark> marks, List<String> path) {
        if (marks.containsKey(name) || !processes.containsKey(name)) {
            return;
        }
        marks.put(name, Mark.VISITING);
        path.add(name);
        for (Dependency dependency : processes.get(name).dependsOn()) {
            String next = dependency.process();
            if (marks.get(next) == Mark.VISITING) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(next), path.size()));
                cycle.add(next);
                String from = cycle.get(0);
                String to = cycle.get(1);
                errors.add(position(from, to), key(from, to), "dependency cycle: " + String.join(" -> ", cycle));
            } else {
                visit(next, marks, path);
            }
        }
        path.removeLast();
        marks.put(name, Mark.DONE);
    }

    private static String key(String process, String dependency) {
        return "processes." + process + ".depends_on." + dependency;
    }

    /** Where {@code process} names {@code dependency}: the map key, or the list item. */
    private Position position(String process, String dependency) {
        YamlNode dependsOn = root.find("processes", process, "depends_on").orElse(null);
        Map<String, Position> named = positions.computeIfAbsent(process, p -> {
            Map<String, Position> where = new HashMap<>();
            switch (dependsOn) {
                case Mapping m -> m.entries().forEach(e -> where.putIfAbsent(e.key(), e.keyPosition()));
                case Sequence s ->
                    s.items().forEach(item -> {
                        if (item instanceof Scalar scalar) {
                            where.putIfAbsent(scalar.text(), item.position());
                        }
                    });
                case null, default -> {}
            }
            return where;
        });
        Position at = named.get(dependency);
        return at != null ? at : dependsOn != null ? dependsOn.position() : Position.UNKNOWN;
    }
}
