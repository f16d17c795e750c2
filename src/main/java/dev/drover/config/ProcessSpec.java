package dev.drover.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything drover needs to run one configured process, with every default filled in.
 *
 * @param cwd absolute working directory
 * @param env top-level variables, then this process's own; values may still hold {@code ${PORT}}
 *     and the other {@link Interpolation#INSTANCE_VARIABLES}
 * @param port null when the process takes no port
 * @param maxRestarts restarts allowed within {@code restartWindow} before giving up; 0 = no limit
 * @param readiness null when there is no readiness probe
 * @param liveness null when there is no liveness probe
 * @param enabled false keeps the process in the config but out of {@code up}
 * @param minUptime how long a child without a readiness probe must stay up to count as ready; a
 *     run shorter than that (or ending before ready) is a failed start
 * @param startPeriod how long after a spawn liveness failures count even before the first ready;
 *     null: only from the first ready
 * @param traffic how the process is taken in and out of rotation when routes send traffic to it
 * @param runAs the user, groups and umask it runs with
 * @param hooks commands run before each start and after each stop
 * @param startDelay how long to wait after its dependencies are met before a start (not before
 *     a restart after a failure, which waits its backoff)
 * @param schedule when it runs as a periodic job, or null: it runs when started
 * @param pidFile where the child's PID is written while it runs (absolute; may hold {@code
 *     ${DROVER_REPLICA}}), or null
 * @param sdNotify null unless it speaks sd_notify ({@code notify: true}, with its {@code watchdog})
 */
public record ProcessSpec(
        String name,
        Command command,
        Path cwd,
        Map<String, String> env,
        PortSpec port,
        int replicas,
        List<Dependency> dependsOn,
        RestartPolicy restart,
        int maxRestarts,
        Duration restartWindow,
        BackoffSpec backoff,
        StopSignal stopSignal,
        Duration stopTimeout,
        ProbeSpec readiness,
        ProbeSpec liveness,
        LimitsSpec limits,
        LogSpec log,
        boolean enabled,
        Duration minUptime,
        Duration startPeriod,
        TrafficSpec traffic,
        RunAs runAs,
        Hooks hooks,
        Duration startDelay,
        ScheduleSpec schedule,
        String pidFile,
        NotifySpec sdNotify) {

    public ProcessSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(cwd, "cwd");
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        dependsOn = List.copyOf(dependsOn);
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(restartWindow, "restartWindow");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(stopSignal, "stopSignal");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(minUptime, "minUptime");
        Objects.requireNonNull(traffic, "traffic");
        Objects.requireNonNull(runAs, "runAs");
        Objects.requireNonNull(hooks, "hooks");
        Objects.requireNonNull(startDelay, "startDelay");
    }

    /** Whether a file path names one file per replica ({@code pid_file}, {@code log_file}). */
    public static boolean perReplica(String path) {
        return path.contains("${DROVER_REPLICA}");
    }

    /** The same definition with another replica count: what `drover scale` runs until the next reload. */
    public ProcessSpec withReplicas(int count) {
        return new ProcessSpec(
                name,
                command,
                cwd,
                env,
                port,
                count,
                dependsOn,
                restart,
                maxRestarts,
                restartWindow,
                backoff,
                stopSignal,
                stopTimeout,
                readiness,
                liveness,
                limits,
                log,
                enabled,
                minUptime,
                startPeriod,
                traffic,
                runAs,
                hooks,
                startDelay,
                schedule,
                pidFile,
                sdNotify);
    }
}
