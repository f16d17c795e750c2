package dev.drover.state;

import java.util.List;

/**
 * Everything known about one process instance at one moment; immutable, replaced on every event.
 *
 * @param goal whether the user wants it running: a start while stopping is remembered here
 * @param waitingFor what unmet dependency holds it back, or null
 * @param pid the current child, 0 when there is none
 * @param startedAtMillis when the current child was spawned
 * @param readySinceMillis since when it has been healthy (ready, or running without a readiness probe); 0 if not
 * @param restarts automatic restarts so far
 * @param recentRestarts when the automatic restarts inside the restart window happened
 * @param backoffAttempt how many restarts in a row without a healthy run in between
 * @param timerToken matches the one pending backoff timer; stale timers carry another
 * @param reason the last thing worth telling: why it exited, stopped, or gave up
 * @param lastExit the last child's exit, e.g. "exit code 1"
 * @param exitedSuccessfully whether the last child exited with code 0
 * @param failing the stop in progress was caused by a failed liveness probe or a broken limit, so its end counts as a failure
 */
public record Status(
        ProcessState state,
        Health health,
        boolean goal,
        boolean dependenciesMet,
        String waitingFor,
        int pid,
        long startedAtMillis,
        long readySinceMillis,
        int restarts,
        List<Long> recentRestarts,
        int backoffAttempt,
        long timerToken,
        String reason,
        String lastExit,
        boolean exitedSuccessfully,
        boolean failing) {

    public Status {
        recentRestarts = List.copyOf(recentRestarts);
    }

    public static Status initial(boolean dependenciesMet) {
        return initial(dependenciesMet, "dependencies");
    }

    public static Status initial(boolean dependenciesMet, String waitingFor) {
        return new Status(ProcessState.STOPPED, Health.UNKNOWN, false, dependenciesMet, dependenciesMet ? null : waitingFor, 0, 0, 0, 0, List.of(), 0, 0, null, null, false, false);
    }

    /** Finished with exit code 0 and not to be restarted: what `condition: completed` waits for. */
    public boolean completed() {
        return state == ProcessState.EXITED && exitedSuccessfully;
    }

    Status with(ProcessState state) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recentRestarts, backoffAttempt, timerToken, reason, lastExit, exitedSuccessfully, failing);
    }

    Status withHealth(Health health, long readySinceMillis) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recentRestarts, backoffAttempt, timerToken, reason, lastExit, exitedSuccessfully, failing);
    }

    Status withGoal(boolean goal) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recentRestarts, backoffAttempt, timerToken, reason, lastExit, exitedSuccessfully, failing);
    }

    Status withDependencies(boolean met, String waitingFor) {
        return new Status(state, health, goal, met, met ? null : waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recentRestarts, backoffAttempt, timerToken, reason, lastExit, exitedSuccessfully, failing);
    }

    Status withChild(int pid, long startedAtMillis) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, 0, restarts, recentRestarts, backoffAttempt, timerToken, reason, lastExit, exitedSuccessfully, failing);
    }

    Status withReason(String reason) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recentRestarts, backoffAttempt, timerToken, reason, lastExit, exitedSuccessfully, failing);
    }

    Status withExit(String lastExit, boolean success) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recentRestarts, backoffAttempt, timerToken, reason, lastExit, success, failing);
    }

    Status withRestarts(int restarts, List<Long> recent, int attempt) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recent, attempt, timerToken, reason, lastExit, exitedSuccessfully, failing);
    }

    Status withFailing(boolean failed) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recentRestarts, backoffAttempt, timerToken, reason, lastExit, exitedSuccessfully, failed);
    }

    Status withTimer(long token) {
        return new Status(state, health, goal, dependenciesMet, waitingFor, pid, startedAtMillis, readySinceMillis, restarts, recentRestarts, backoffAttempt, token, reason, lastExit, exitedSuccessfully, failing);
    }
}
