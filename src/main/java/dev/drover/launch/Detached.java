package dev.drover.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Starts a background daemon that outlives the caller (used by `drover up -d`). */
public final class Detached {
    private Detached() {}

    /** Spawns {@code argv} in a new session with its output appended to {@code log}; returns its PID. */
    public static int spawn(List<String> argv, Map<String, String> env, Path cwd, Path log) throws SpawnException {
        return Spawner.spawnDetached(argv, env, cwd, log);
    }
}
