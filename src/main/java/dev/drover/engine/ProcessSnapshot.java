package dev.drover.engine;

import dev.drover.state.End;
import dev.drover.state.Health;
import dev.drover.state.ProcessState;
import dev.drover.state.Status;
import java.util.Map;

/**
 * What `ps`, the API and the metrics show about one process instance at one moment.
 *
 * @param status its lifecycle status
 * @param probeFailures failed probe attempts since its current child started
 * @param lastProbe what the last probe attempt saw, or null
 * @param cpuPercent percent of one core its tree used between the last two resource samples, or null
 * @param memoryBytes resident memory of its tree at the last sample, or null
 * @param cpuSeconds CPU time its children have used, as far as sampled
 * @param ends how its runs ended so far, by kind
 * @param probeFailuresTotal failed probe attempts so far, by probe
 * @param role null for an instance in its place; "surge" for a rollout's replacement that is not in
 *     its place yet, "old" for the instance a replacement took the place of, while it stops
 * @param notified what its current run said over its NOTIFY_SOCKET; null without notify: true or
 *     when it does not run
 */
public record ProcessSnapshot(
        String name,
        String process,
        int replica,
        Status status,
        Integer port,
        int probeFailures,
        String lastProbe,
        Double cpuPercent,
        Long memoryBytes,
        double cpuSeconds,
        Map<String, Long> ends,
        Map<String, Long> probeFailuresTotal,
        String role,
        NotifyChannel.Facts notified) {

    static ProcessSnapshot of(ProcessSupervisor supervisor) {
        return of(supervisor, null);
    }

    static ProcessSnapshot of(ProcessSupervisor supervisor, String role) {
        InstanceDefinition d = supervisor.definition();
        ProcessSupervisor.ProbeFigures probes = supervisor.probes();
        ResourceMeter meter = supervisor.meter();
        return new ProcessSnapshot(
                d.name(),
                d.spec().name(),
                d.replica(),
                supervisor.status(),
                d.port(),
                probes.failures(),
                probes.last(),
                meter.cpuPercent(),
                meter.memoryBytes(),
                meter.cpuSeconds(),
                supervisor.ends(),
                supervisor.probeFailuresTotal(),
                role,
                supervisor.notified());
    }

    public ProcessState state() {
        return status.state();
    }

    public Health health() {
        return status.health();
    }

    public int pid() {
        return status.pid();
    }

    public long startedAtMillis() {
        return status.startedAtMillis();
    }

    public int restarts() {
        return status.restarts();
    }

    public String reason() {
        return status.reason();
    }

    /**
     * What it waits for while it waits: wanted and not started for want of its dependencies; null
     * otherwise (stopped by hand, or running while a dependency went down).
     */
    public String waitingFor() {
        return status.goal() && status.state() == ProcessState.STOPPED ? status.waitingFor() : null;
    }

    public boolean completed() {
        return status.completed();
    }

    /** Whether the user wants it running. */
    public boolean wanted() {
        return status.goal();
    }

    /** Running and ready. */
    public boolean serving() {
        return status.serving();
    }

    /** How its last run ended, or null before the first end. */
    public End lastEnd() {
        return status.lastEnd();
    }
}
