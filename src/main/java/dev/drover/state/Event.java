package dev.drover.state;

/**
 * Every input to a process's state: commands (imperative) and facts (past tense). Facts about a
 * child carry its PID so that news of an earlier child is recognised and ignored.
 */
public sealed interface Event {
    /** Start it, once its dependencies allow. */
    record Start() implements Event {}

    /** Stop it and everything it started. */
    record Stop() implements Event {}

    /** Stop it if it runs, then start it again. */
    record Restart() implements Event {}

    /** Its dependencies' conditions changed; {@code waitingFor} says what is missing when unmet. */
    record DependenciesChanged(boolean met, String waitingFor) implements Event {}

    /** The child was spawned. */
    record Spawned(int pid, long atMillis) implements Event {}

    /**
     * The child could not be spawned. A wrong command, directory or permission is fatal at once;
     * a {@code temporary} shortage (no file descriptors, no memory, too many processes) is
     * retried like a crash, with backoff, at {@code atMillis}.
     */
    record SpawnFailed(String reason, boolean temporary, long atMillis) implements Event {
        public SpawnFailed(String reason) {
            this(reason, false, 0);
        }
    }

    /** The child exited; {@code jitter} in [0,1) picks the spread of the next backoff. */
    record Exited(int pid, String description, boolean success, long atMillis, double jitter) implements Event {}

    /** The child and everything it started are gone after a stop. */
    record Stopped(int pid, String description, boolean forced, long atMillis) implements Event {}

    /** A backoff wait has passed. */
    record BackoffElapsed(long token) implements Event {}

    /** The readiness probe's verdict changed (after its thresholds). */
    record ReadinessChanged(int pid, boolean ready, String reason, long atMillis) implements Event {}

    /**
     * The running child is judged failed although it has not exited: its liveness probe failed
     * past its threshold, or it broke a resource limit. It is stopped and restarted like a crash.
     * {@code reason} says why in full, e.g. "liveness failed: no answer in 1s" or "memory limit: …".
     */
    record Failing(int pid, String reason, long atMillis) implements Event {}
}
