package dev.drover.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start: the argument vector (argv[0] is looked up on PATH), the complete environment, the
 * working directory, and a label for the child's cgroup (null: no cgroup of its own).
 */
public record SpawnSpec(List<String> argv, Map<String, String> env, Path cwd, String cgroupLabel) {
    public SpawnSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }
}
