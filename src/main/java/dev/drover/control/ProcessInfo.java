package dev.drover.control;

/**
 * One process instance as the API and `ps` show it. Times are epoch milliseconds; {@code uptime}
 * is milliseconds since start while running, else 0; {@code cpu} (percent of one core) and
 * {@code memory} (resident bytes of its whole tree) are null until measured, and while nothing of
 * it runs (stopped, exited, in back-off).
 *
 * @param waitingFor what it waits for while it is wanted and its dependencies are not met, else null
 * @param blocked it waits for a dependency that has ended without meeting its condition (fatal, or
 *     exited) and will not start again by itself: only a command lets it start
 * @param lastEnd how its last run ended, or null before the first end
 * @param failedStarts runs in a row that ended before it became ready (a crash loop when it grows)
 * @param nextStartTime when a pending restart is due (epoch ms), 0 when none is pending
 * @param lastOutput its last lines of output (stderr first) while it is not ready, else empty
 * @param role null for an instance in its place; during a rollout "surge" for its replacement
 *     (started beside it) and "old" for the instance replaced, while it drains and stops
 * @param heldOutOfRotation drained by hand ({@code drover drain}): it runs, the proxy sends it nothing
 * @param schedule its last and next runs when it is a scheduled job, else null
 * @param sdNotify what its current run said over sd_notify ({@code notify: true}), else null
 * @param scaled how many instances {@code drover scale} set for its process, and how many the file
 *     says, until the next reload; null when it runs as many as the file says
 */
public record ProcessInfo(
        String id,
        String name,
        int replica,
        String state,
        String health,
        int pid,
        long startTime,
        long uptime,
        int restartCount,
        int healthCheckFailures,
        String lastHealthCheck,
        Integer port,
        Double cpu,
        Long memory,
        String reason,
        String waitingFor,
        boolean blocked,
        RunEnd lastEnd,
        int failedStarts,
        long nextStartTime,
        java.util.List<String> lastOutput,
        String role,
        boolean heldOutOfRotation,
        ScheduleInfo schedule,
        NotifyInfo sdNotify,
        Scaled scaled) {

    /** A replica count set by {@code drover scale}: {@code replicas} run, the file says {@code fileReplicas}. */
    public record Scaled(int replicas, int fileReplicas) {}

    public ProcessInfo {
        lastOutput = lastOutput == null ? java.util.List.of() : java.util.List.copyOf(lastOutput);
    }

    /** Running and ready: what {@code /health} and `up -d` wait for. */
    public boolean ready() {
        return state.equals("running") && health.equals("ready");
    }
}
