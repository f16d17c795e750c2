package dev.drover.state;

/**
 * Every input to a process's state: commands (imperative) and facts (past tense). Facts about a
 * child carry its PID so that news of an earlier child is recognised and ignored.
 */
public sealed interface Event {
    /** Start it, once its dependencies allow. */
    record Start() implements Event {}

    /** Stop it and everything it started (draining it first when it receives traffic). */
    record Stop() implements Event {}

    /** Stop it if it runs, then start it again. */
    record Restart() implements Event {}

    /** Its dependencies' conditions changed; {@code waitingFor} says what is missing when unmet. */
    record DependenciesChanged(boolean met, String waitingFor) implements Event {}

    /** The child was spawned. */
    record Spawned(int pid, long atMillis) implements Event {}

    /**
     * The child could not be spawned. A wrong command, directory or permission is fatal at once; a
     * {@link SpawnFailure#temporary() temporary} shortage is retried like a crash, with backoff.
     */
    record SpawnFailed(SpawnFailure failure, long atMillis, double jitter) implements Event {}

    /** The child exited; {@code jitter} in [0,1) picks the spread of the next backoff. */
    record Exited(int pid, Termination termination, long atMillis, double jitter) implements Event {}

    /** The child and everything it started are gone after a stop; {@code jitter} as for {@link Exited}. */
    record Stopped(int pid, StopResult result, long atMillis, double jitter) implements Event {}

    /** The draining child is out of rotation and its requests in flight have finished (or timed out). */
    record Drained(int pid) implements Event {}

    /** A backoff wait has passed. */
    record BackoffElapsed(long token) implements Event {}

    /** The readiness probe's verdict changed (after its thresholds). */
    record ReadinessChanged(int pid, boolean ready, String detail, long atMillis) implements Event {}

    /** The child without a readiness probe has stayed up for {@code min_uptime}: it counts as ready. */
    record UptimeReached(int pid, long atMillis) implements Event {}

    /** The child's {@code start_period} has passed: its liveness probe counts from now even if it is not ready. */
    record StartPeriodElapsed(int pid) implements Event {}

    /**
     * The running child is judged failed although it has not exited (its liveness probe failed
     * past its threshold, or it broke a resource limit): it is stopped and restarted like a crash.
     */
    record Failing(int pid, Failure cause, long atMillis) implements Event {}
}
