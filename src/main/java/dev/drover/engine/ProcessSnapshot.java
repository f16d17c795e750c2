package dev.drover.engine;

import dev.drover.state.Health;
import dev.drover.state.ProcessState;

/**
 * What `ps`, the API and the metrics show about one process instance at one moment.
 *
 * @param cpuPercent percent of one core its tree used between the last two resource samples, or null
 * @param memoryBytes resident memory of its tree at the last sample, or null
 * @param cpuSeconds CPU time its children have used, as far as sampled
 * @param ends how its children ended so far, by kind
 * @param probeFailuresTotal failed probe attempts so far, by probe
 */
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
        String lastProbe,
        Double cpuPercent,
        Long memoryBytes,
        double cpuSeconds,
        java.util.Map<String, Long> ends,
        java.util.Map<String, Long> probeFailuresTotal) {}
