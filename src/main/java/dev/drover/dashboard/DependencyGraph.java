package dev.drover.dashboard;

import dev.drover.config.Dependency;
import dev.drover.config.DroverConfig;
import dev.drover.config.ProcessSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The processes and their {@code depends_on} edges, as the dashboard draws them: taken from the
 * configuration running now, so a reload that adds a dependency shows on the next look.
 */
final class DependencyGraph {
    /** A process (all its replicas) in the graph. */
    record Node(String name, int replicas) {}

    /** {@code from} waits for {@code to} to reach {@code condition} (started, healthy, completed). */
    record Edge(String from, String to, String condition) {}

    record Graph(List<Node> nodes, List<Edge> edges) {}

    private final Supplier<DroverConfig> config;

    DependencyGraph(Supplier<DroverConfig> config) {
        this.config = config;
    }

    Graph describe() {
        List<Node> nodes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (ProcessSpec process : config.get().processes().values()) {
            nodes.add(new Node(process.name(), process.replicas()));
            for (Dependency dependency : process.dependsOn()) {
                edges.add(new Edge(
                        process.name(),
                        dependency.process(),
                        dependency.condition().yamlName()));
            }
        }
        return new Graph(nodes, edges);
    }
}
