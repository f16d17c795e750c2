package dev.drover.engine;

import dev.drover.state.Health;
import dev.drover.state.ProcessState;

/** What `ps` and the API show about one process instance at one moment. */
public record ProcessSnapshot(
        String name,
        String process,
        int replica,
        ProcessState state,
        Health health,
        int pid,
        long startedAtMillis,
        int restarts,
        String reason,
        String waitingFor,
        Integer port,
        String lastExit,
        boolean completed,
        boolean wanted,
        int probeFailures,
        String lastProbe) {}
